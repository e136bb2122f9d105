import path from 'node:path';
import type { Command } from 'commander';
import { loadSpecFile } from '../../core/spec/load';
import type { RunView } from '../api';
import { openEnvironment, type Environment, type GlobalFlags } from '../environment';
import { formatDuration, formatRun, formatSummary, shortRef } from '../format';
import { emit, info } from '../output';
import { holdOpenUntilSignal } from '../signals';

const collect = (value: string, previous: string[]) => [...previous, value];

/** Prints each step as it completes, then the final view. */
function stepPrinter(): (view: RunView) => void {
  const printed = new Set<string>();
  return (view) => {
    for (const step of view.steps) {
      const key = `${step.name}:${step.status}`;
      if (step.status === 'pending' || printed.has(key)) continue;
      printed.add(key);
      if (step.status === 'running') info(`  … ${step.name} running`);
      else if (step.status === 'completed')
        info(
          `  ✓ ${step.name.padEnd(8)} ${formatDuration(step.durationMs).padStart(9)}  ${shortRef(step.checkpoint)}  ${formatSummary(step.summary)}`,
        );
      else info(`  ✗ ${step.name.padEnd(8)} ${step.error ?? 'failed'}`);
    }
  };
}

async function runAndWait(
  env: Environment,
  flags: GlobalFlags,
  specFile: string,
  overrides: string[],
): Promise<RunView> {
  const { spec } = loadSpecFile(specFile, overrides);
  const runId = await env.client.start(spec, overrides);
  info(`run ${runId} started (pipeline ${spec.name})`);
  info(`Temporal UI: ${env.client.uiUrl(runId)}`);
  const view = await env.client.wait(runId, flags.json ? undefined : stepPrinter());
  emit(flags, view, formatRun);
  return view;
}

export function registerRunCommands(program: Command, flagsOf: (cmd: Command) => GlobalFlags): void {
  program
    .command('demo')
    .description(
      'start the embedded Temporal server and workers, run pipelines/iris.yaml end to end, keep the UI up',
    )
    .option('--exit', 'exit when the run ends instead of keeping the Temporal UI up')
    .option(
      '--spec <file>',
      'pipeline spec to run',
      path.join(__dirname, '..', '..', 'pipelines', 'iris.yaml'),
    )
    .action(async (options: { exit?: boolean; spec: string }, cmd: Command) => {
      const flags = flagsOf(cmd);
      const env = await openEnvironment(flags, { embedded: true, queues: ['cpu', 'gpu'], log: info });
      try {
        info(`Temporal server ${env.address} · UI ${env.uiUrl} · workers on quiver-cpu and quiver-gpu`);
        const view = await runAndWait(env, flags, options.spec, []);
        process.exitCode = view.status === 'COMPLETED' ? 0 : 1;
        if (!options.exit) {
          info(`\nThe Temporal UI stays up at ${env.uiUrl} — press Ctrl-C to stop.`);
          await holdOpenUntilSignal();
        }
      } finally {
        await env.close();
      }
    });

  program
    .command('up')
    .description('start the embedded Temporal dev server (UI on 8233) and CPU + GPU workers, until Ctrl-C')
    .action(async (_options: unknown, cmd: Command) => {
      const env = await openEnvironment(flagsOf(cmd), { embedded: true, queues: ['cpu', 'gpu'], log: info });
      info(
        `Temporal server ${env.address} · UI ${env.uiUrl} · workers on quiver-cpu and quiver-gpu. Ctrl-C stops.`,
      );
      try {
        await holdOpenUntilSignal();
      } finally {
        await env.close();
      }
    });

  program
    .command('worker')
    .description('run a worker against TEMPORAL_ADDRESS')
    .option('--queue <queue>', 'cpu or gpu', 'cpu')
    .action(async (options: { queue: string }, cmd: Command) => {
      if (options.queue !== 'cpu' && options.queue !== 'gpu')
        throw new Error(`--queue must be cpu or gpu, not ${options.queue}`);
      const env = await openEnvironment(flagsOf(cmd), { embedded: false, queues: [options.queue] });
      info(
        `worker on quiver-${options.queue} connected to ${env.address}. Ctrl-C stops after in-flight tasks.`,
      );
      try {
        await Promise.race([holdOpenUntilSignal(), env.workers?.run()]);
      } finally {
        await env.close();
      }
    });

  program
    .command('run <spec>')
    .description('start a pipeline run; prints its run id')
    .option('--set <key=value>', 'override a spec field (repeatable)', collect, [])
    .option('--wait', 'wait for the run to finish, printing each step')
    .action(async (specFile: string, options: { set: string[]; wait?: boolean }, cmd: Command) => {
      const flags = flagsOf(cmd);
      const { spec } = loadSpecFile(specFile, options.set); // invalid specs fail before anything starts
      const env = await openEnvironment(flags, { embedded: false });
      try {
        if (options.wait) {
          const view = await runAndWait(env, flags, specFile, options.set);
          process.exitCode = view.status === 'COMPLETED' ? 0 : 1;
        } else {
          const runId = await env.client.start(spec, options.set);
          emit(
            flags,
            { runId, uiUrl: env.client.uiUrl(runId) },
            (r) => `${r.runId}\nTemporal UI: ${r.uiUrl}`,
          );
        }
      } finally {
        await env.close();
      }
    });

  program
    .command('status <run>')
    .description('steps with status, attempts, duration, checkpoint, metrics and the UI link')
    .action(async (runId: string, _options: unknown, cmd: Command) => {
      const flags = flagsOf(cmd);
      const env = await openEnvironment(flags, { embedded: false });
      try {
        emit(flags, await env.client.status(runId), formatRun);
      } finally {
        await env.close();
      }
    });
}
