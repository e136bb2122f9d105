import os from 'node:os';
import type { Command } from 'commander';
import { QuiverError } from '../../core/errors';
import { withEnvironment, type GlobalFlags } from '../environment';
import { emit } from '../output';

function whoAmI(): string | null {
  try {
    return os.userInfo().username;
  } catch {
    return null;
  }
}

/** `quiver approve RUN` / `quiver reject RUN --reason …` for runs waiting on `deploy.requireApproval`. */
export function registerApprovalCommands(program: Command, flagsOf: (cmd: Command) => GlobalFlags): void {
  program
    .command('approve <run>')
    .description('let a run waiting for approval (WAITING_APPROVAL) deploy its model')
    .option('--by <name>', 'who approves (default: the OS user)')
    .action(async (runId: string, options: { by?: string }, cmd: Command) => {
      const flags = flagsOf(cmd);
      await withEnvironment(flags, { embedded: false }, async (env) => {
        await env.client.approve(runId, options.by ?? whoAmI());
        emit(flags, { runId, decision: 'approved' }, () => `approved ${runId}`);
      });
    });

  program
    .command('reject <run>')
    .description('fail a run waiting for approval; nothing is deployed')
    .requiredOption('--reason <text>', 'why (recorded in the run and its failure)')
    .option('--by <name>', 'who rejects (default: the OS user)')
    .action(async (runId: string, options: { reason: string; by?: string }, cmd: Command) => {
      const flags = flagsOf(cmd);
      if (!options.reason.trim()) throw new QuiverError('--reason must not be empty');
      await withEnvironment(flags, { embedded: false }, async (env) => {
        await env.client.reject(runId, options.reason, options.by ?? whoAmI());
        emit(
          flags,
          { runId, decision: 'rejected', reason: options.reason },
          () => `rejected ${runId}: ${options.reason}`,
        );
      });
    });
}
