import { Command, CommanderError } from 'commander';
import { QuiverError, SpecError } from '../core/errors';
import { registerCheckpointCommands } from './commands/checkpoints';
import { registerRunCommands } from './commands/runs';
import { registerSchemaCommands } from './commands/schema';
import { registerApprovalCommands } from './commands/approval';
import { registerModelCommands } from './commands/models';
import { registerServeCommand } from './commands/serve';
import { registerScheduleCommands } from './commands/schedule';
import { registerRunsInspectCommands } from './commands/runs-inspect';
import { registerReportCommands } from './commands/report';
import { registerMonitorCommands } from './commands/monitor';
import type { GlobalFlags } from './environment';

/** Builds the `quiver` command tree; exported so tests can drive it without a subprocess. */
export function buildProgram(): Command {
  const program = new Command('quiver')
    .description('Durable ML pipelines on Temporal with Arrow checkpoints')
    .option('--json', 'machine-readable output')
    .option(
      '--address <host:port>',
      'Temporal frontend (default: TEMPORAL_ADDRESS, else the embedded dev server)',
    )
    .option('--namespace <ns>', 'Temporal namespace (default: TEMPORAL_NAMESPACE or "default")')
    .option('--home <dir>', 'state directory (default: QUIVER_HOME or .quiver)')
    .option(
      '--metrics-port <port>',
      "workers' Prometheus endpoint (default: QUIVER_METRICS_PORT; unset: none)",
    )
    .showHelpAfterError();
  const flagsOf = (cmd: Command) => cmd.optsWithGlobals<GlobalFlags>();
  registerRunCommands(program, flagsOf);
  registerCheckpointCommands(program, flagsOf);
  registerSchemaCommands(program, flagsOf);
  registerApprovalCommands(program, flagsOf);
  registerModelCommands(program, flagsOf);
  registerServeCommand(program, flagsOf);
  registerScheduleCommands(program, flagsOf);
  registerRunsInspectCommands(program, flagsOf);
  registerReportCommands(program, flagsOf);
  registerMonitorCommands(program, flagsOf);
  return program;
}

/** Runs the CLI on `process.argv`; errors become a message and an exit code. */
export async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    const message =
      error instanceof SpecError || error instanceof QuiverError
        ? error.message
        : ((error as Error).stack ?? String(error));
    process.stderr.write(`quiver: ${message}\n`);
    process.exitCode = error instanceof SpecError ? 2 : 1;
  }
}

// `tsx client/cli.ts …`; bin/quiver.js calls main() itself (npx runs it through a link of another name).
if (require.main === module) void main();
