import path from 'node:path';
import type { Command } from 'commander';
import type { PipelineSpec } from '../../core/spec/schema';
import type { RunView } from '../api';
import { configFrom, withEnvironment, type Environment, type GlobalFlags } from '../environment';
import type { QuiverConfig } from '../../core/config';
import { deploymentLine, formatPlan, formatRun } from '../format';
import { STEP_NAMES, type RunStatus, type StepName } from '../../core/run-types';
import { emit, emitError, info, writeOut } from '../output';
import type { ErrorReport } from '../exit-codes';
import { positiveInteger } from '../option-values';
import { SpecError, TemporalUnreachableError } from '../../core/errors';
import { holdOpenUntilSignal } from '../signals';
// Actions import what they run when they run (`require` inside the action): `--help` and quick commands
// must not load TensorFlow.js, Arrow, YAML or the Temporal worker. Keep heavy imports out of this header.
import { isLocalRunId, RunRecords } from '../run-records';
import { withTemporalFor } from '../local-run-views';
import type { RunFlags } from './run-local';

/** `run --local` and `--reuse-from` run activities in-process: loaded only by those actions. */
const runLocal = () => require('./run-local') as typeof import('./run-local');

/** Notes of the research journal, shown by `status`. */
const notesDisplay = () => require('../notes-display') as typeof import('../notes-display');

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * `status`'s exit code: 0 for a completed run or one still open (running, paused, waiting for
 * approval), 1 for one that ended without completing (failed, cancelled, terminated, timed out).
 */
export function statusExitCode(status: RunView['status']): number {
  return ['COMPLETED', 'RUNNING', 'PAUSED', 'WAITING_APPROVAL'].includes(status) ? 0 : 1;
}

/** `quiver worker` options. */
type WorkerFlags = { queue: string; acceptSoftwareGpu?: boolean; concurrency?: number };

async function runAndWait(
  env: Environment,
  flags: GlobalFlags,
  spec: PipelineSpec,
  overrides: string[],
): Promise<RunView> {
  return waitFor(env, flags, await env.client.start(spec, overrides), spec.name);
}

export async function waitFor(
  env: Environment,
  flags: GlobalFlags,
  runId: string,
  pipeline: string,
): Promise<RunView> {
  info(`run ${runId} started (pipeline ${pipeline})`);
  info(`Temporal UI: ${env.client.uiUrl(runId)}`);
  const { progressReporter } = require('../progress') as typeof import('../progress');
  const progress = flags.json ? undefined : await progressReporter(runId);
  let view: RunView;
  try {
    view = await env.client.wait(runId, progress?.update);
  } finally {
    progress?.done(); // give the terminal back (cursor shown) even when waiting fails
  }
  emitRunOutcome(flags, view);
  return view;
}

/** How a run with each status ended, as the error of a waited-for run says it (`run … was cancelled`). */
const HOW_RUN_ENDED: Record<RunStatus, string> = {
  RUNNING: 'is still running',
  PAUSED: 'paused',
  WAITING_APPROVAL: 'is waiting for approval',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELED: 'was cancelled',
  TERMINATED: 'was terminated',
  TIMED_OUT: 'timed out',
};

/**
 * Prints a waited-for run. With `--json`, a run that did not complete is printed as every command's
 * failure is, `{"error": {"type", "message", "field"}, "run": view}` (the run kept for its steps);
 * otherwise the run table, plus `quiver: run … failed: …` on stderr for a failed `local-…` run.
 */
export function emitRunOutcome(flags: GlobalFlags, view: RunView, stderrLine = false): void {
  if (view.status === 'COMPLETED' || view.status === 'RUNNING') return emit(flags, view, formatRun);
  const verb = HOW_RUN_ENDED[view.status];
  const error = {
    type: view.status === 'FAILED' ? 'RunFailedError' : 'RunNotCompletedError',
    message: `run ${view.runId} ${verb}${view.error ? `: ${view.error}` : ''}`,
    field: null,
  };
  emitRunWithError(flags, view, error, stderrLine);
}

/**
 * A run that ended otherwise than asked, with the error saying how: `{"error", "run"}` under `--json`;
 * otherwise the run table, and the error on stderr when `stderrLine` (else the table's `error:` line).
 */
function emitRunWithError(flags: GlobalFlags, view: RunView, error: ErrorReport, stderrLine: boolean): void {
  if (flags.json) return writeOut(`${JSON.stringify({ error, run: view }, null, 2)}\n`);
  emit(flags, view, (v) => formatRun(v, { errorLine: !stderrLine }));
  if (stderrLine) emitError(false, error);
}

/**
 * Prints a run closed after `cancel --wait`. Cancelled: the run table, exit 0. Closed otherwise (its
 * deploy moved the alias before the cancel reached it, or it failed first): the table and a
 * `CancelTooLateError` naming how it ended and what it deployed (`{"error", "run"}` with `--json`), exit 1.
 */
export function emitCancelOutcome(flags: GlobalFlags, view: RunView): void {
  if (view.status === 'CANCELED') {
    process.exitCode = 0;
    return emit(flags, view, formatRun);
  }
  process.exitCode = 1;
  const ended = HOW_RUN_ENDED[view.status];
  // What it left behind: the deploy it made, or the error it ended on.
  const outcome = view.model ? deploymentLine({ ...view.model, cancelTooLate: false }) : view.error;
  const error = {
    type: 'CancelTooLateError',
    message: `run ${view.runId} ${ended} before the cancel reached it${outcome ? `: ${outcome}` : ''}`,
    field: null,
  };
  emitRunWithError(flags, view, error, true);
}

/** `resume` and `replay`: print the plan, and unless `--plan`, start it (and wait with `--wait`). */
async function planAndStart(
  cmd: Command,
  flagsOf: (cmd: Command) => GlobalFlags,
  runId: string,
  options: { plan?: boolean; wait?: boolean; from?: string; set?: string[]; verify?: boolean },
): Promise<void> {
  const flags = flagsOf(cmd);
  const what = options.from ? 'replay' : 'resume';
  // A step name that cannot be is bad input before any server is asked.
  if (options.from !== undefined && !(STEP_NAMES as readonly string[]).includes(options.from))
    throw new SpecError(`--from must be one of ${STEP_NAMES.join(', ')}, not '${options.from}'`, [
      { path: '--from', message: `unknown step '${options.from}'` },
    ]);
  await withTemporalFor(flags, runId, what, async (env) => {
    const plan = await env.client.plan(runId, {
      from: options.from as StepName | undefined,
      overrides: options.set,
      verify: options.verify,
    });
    const printable = { sourceRun: plan.sourceRun, overrides: plan.overrides, steps: plan.steps };
    if (options.plan) return emit(flags, printable, formatPlan);
    if (!flags.json) info(formatPlan(printable));
    const newRun = await env.client.startPlanned(plan);
    if (options.wait) {
      const view = await waitFor(env, flags, newRun, plan.spec.name);
      process.exitCode = view.status === 'COMPLETED' ? 0 : 1;
    } else {
      emit(
        flags,
        { runId: newRun, resumedFrom: runId, uiUrl: env.client.uiUrl(newRun) },
        (r) => `${r.runId}\nTemporal UI: ${r.uiUrl}`,
      );
    }
  });
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
      const { loadSpecFile } = require('../../core/spec/load') as typeof import('../../core/spec/load');
      await withEnvironment(flags, { embedded: true, queues: ['cpu', 'gpu'], log: info }, async (env) => {
        info(`Temporal server ${env.address} · UI ${env.uiUrl} · ${workersLine(env)}`);
        const view = await runAndWait(env, flags, loadSpecFile(options.spec).spec, []);
        process.exitCode = view.status === 'COMPLETED' ? 0 : 1;
        if (!options.exit) {
          info(`\nThe Temporal UI stays up at ${env.uiUrl} — press Ctrl-C to stop.`);
          await holdOpenUntilSignal();
        }
      });
    });

  program
    .command('up')
    .description('start the embedded Temporal dev server (UI on 8233) and CPU + GPU workers, until Ctrl-C')
    .action(async (_options: unknown, cmd: Command) => {
      await withEnvironment(
        flagsOf(cmd),
        { embedded: true, queues: ['cpu', 'gpu'], log: info },
        async (env) => {
          if (env.server) {
            // Clients in other shells link to this UI, wherever QUIVER_UI_PORT put it; a clean stop forgets it.
            const { recordUi } = require('../../infra/ui-record') as typeof import('../../infra/ui-record');
            process.once('exit', recordUi(env.config.home, env.address, env.uiUrl));
          }
          info(`Temporal server ${env.address} · UI ${env.uiUrl} · ${workersLine(env)}. Ctrl-C stops.`);
          await holdOpenUntilSignal();
        },
      );
    });

  program
    .command('worker')
    .description('run a worker against TEMPORAL_ADDRESS')
    .option('--queue <queue>', 'cpu or gpu', 'cpu')
    .option(
      '--accept-software-gpu',
      'train on a software WebGPU adapter (llvmpipe); as QUIVER_ACCEPT_SOFTWARE_GPU=1',
    )
    .option(
      '--concurrency <n>',
      'trainings a GPU worker runs at once (QUIVER_GPU_CONCURRENCY; default 1)',
      positiveInteger,
    )
    .action(async (options: WorkerFlags, cmd: Command) => {
      if (options.queue !== 'cpu' && options.queue !== 'gpu')
        throw new SpecError(`--queue must be cpu or gpu, not '${options.queue}'`, [
          { path: '--queue', message: 'expected cpu or gpu' },
        ]);
      const { ACCEPT_SOFTWARE_GPU_ENV, backendDebugLogging, backendSummary, describeBackend } =
        require('../../core/model/backend') as typeof import('../../core/model/backend');
      if (options.acceptSoftwareGpu) process.env[ACCEPT_SOFTWARE_GPU_ENV] = '1';
      if (options.concurrency !== undefined) process.env.QUIVER_GPU_CONCURRENCY = String(options.concurrency);
      await withEnvironment(flagsOf(cmd), { embedded: false, queues: [options.queue] }, async (env) => {
        const backend = env.workers?.backend;
        // One quiet line (the queue as QUIVER_QUEUE_PREFIX names it); skipped backends with DEBUG only.
        const describe = backendDebugLogging() ? describeBackend : backendSummary;
        info(
          `worker on ${env.config.taskQueues[options.queue as 'cpu' | 'gpu']} connected to ${env.address}${backend ? `; training on ${describe(backend)}` : ''}. Ctrl-C stops after in-flight tasks.`,
        );
        await Promise.race([holdOpenUntilSignal(), env.workers?.run()]);
      });
    });

  program
    .command('run <spec>')
    .description('start a pipeline run; prints its run id')
    .option('--set <key=value>', 'override a spec field (repeatable)', collect, [])
    .option('--wait', 'wait for the run to finish, printing each step')
    .option('--local', 'run every step in this process, no Temporal server (run id local-…)')
    .option('--reuse-from <run>', 'reuse every step of RUN (e.g. a local-… run) whose cache key matches')
    .action(async (specFile: string, options: RunFlags, cmd: Command) => {
      const flags = flagsOf(cmd);
      const { loadSpecFile } = require('../../core/spec/load') as typeof import('../../core/spec/load');
      const { spec } = loadSpecFile(specFile, options.set); // invalid specs fail before anything starts
      if (options.local) {
        // Before TensorFlow.js loads: an unusable home fails at once, naming the path.
        const { ensureWritableHome } = require('../local-run-home') as typeof import('../local-run-home');
        ensureWritableHome(configFrom(flags).home);
        return runLocal().runLocalCommand(flags, spec, options);
      }
      if (options.reuseFrom) return runLocal().reuseAndStart(flags, spec, options.reuseFrom, options);
      await withEnvironment(flags, { embedded: false }, async (env) => {
        if (options.wait) {
          const view = await runAndWait(env, flags, spec, options.set);
          process.exitCode = view.status === 'COMPLETED' ? 0 : 1;
        } else {
          const runId = await env.client.start(spec, options.set);
          emit(
            flags,
            { runId, uiUrl: env.client.uiUrl(runId) },
            (r) => `${r.runId}\nTemporal UI: ${r.uiUrl}`,
          );
        }
      });
    });

  program
    .command('resume <run>')
    .description(
      'new run that reuses every step of RUN whose cache key still matches and whose checkpoints verify',
    )
    .option(
      '--set <key=value>',
      'change a spec field; steps that read it (and later ones) recompute',
      collect,
      [],
    )
    .option('--plan', 'print what would be reused or recomputed, and why; start nothing')
    .option('--verify', 'rehash every checkpoint to reuse, even files unchanged since they were last hashed')
    .option('--wait', 'wait for the new run to finish')
    .action(
      (
        runId: string,
        options: { set: string[]; plan?: boolean; wait?: boolean; verify?: boolean },
        cmd: Command,
      ) => planAndStart(cmd, flagsOf, runId, options),
    );

  program
    .command('replay <run>')
    .description("new run from STEP with new params; upstream steps pinned to RUN's checkpoints by hash")
    .requiredOption('--from <step>', 'first step to recompute: ingest, sanity, train, validate or deploy')
    .option('--set <key=value>', 'override a spec field (repeatable)', collect, [])
    .option('--plan', 'print the plan; start nothing')
    .option('--verify', 'rehash every checkpoint to reuse, even files unchanged since they were last hashed')
    .option('--wait', 'wait for the new run to finish')
    .action(
      (
        runId: string,
        options: { from: string; set: string[]; plan?: boolean; wait?: boolean; verify?: boolean },
        cmd: Command,
      ) => planAndStart(cmd, flagsOf, runId, options),
    );

  for (const [name, description] of [
    ['retry', 'a paused run re-executes the step it stopped on, in the same run'],
    ['cancel', 'cancel a run; its checkpoints stay, and `resume` continues from them'],
  ] as const) {
    const command = program.command(`${name} <run>`).description(description);
    if (name === 'cancel')
      command.option(
        '--wait',
        'wait for the run to close and print it; exit 1 if it closed otherwise than cancelled (the cancel came too late)',
      );
    command.action(async (runId: string, options: { wait?: boolean }, cmd: Command) => {
      const flags = flagsOf(cmd);
      // A local run's cancel stops its process and waits for its record to say how the run ended.
      if (name === 'cancel' && isLocalRunId(runId))
        return runLocal().cancelLocalCommand(flags, runId, options.wait);
      await withEnvironment(flags, { embedded: false }, async (env) => {
        try {
          await (name === 'retry' ? env.client.retry(runId) : env.client.cancel(runId));
        } catch (error) {
          // `--wait` asks how the run ended: one already cancelled ended as asked (a retried cancel).
          const { RunClosedError } = require('../api') as typeof import('../api');
          if (!(options.wait && error instanceof RunClosedError && error.status === 'CANCELED')) throw error;
          info(`run ${runId} was already cancelled`);
        }
        if (options.wait) return emitCancelOutcome(flags, await env.client.waitClosed(runId));
        emit(flags, { runId, requested: name }, () => `${name} requested for ${runId}`);
      });
    });
  }

  program
    .command('status <run>')
    .description('steps with status, attempts, duration, checkpoint, metrics and the UI link')
    .action(async (runId: string, _options: unknown, cmd: Command) => {
      const flags = flagsOf(cmd);
      // The run's research journal rides along: its latest notes under the steps, all of them in --json.
      const withNotes = async (view: RunView, config: QuiverConfig) => {
        const notes = (await notesDisplay().notesOf(config, [view.runId])).get(view.runId) ?? [];
        emit(flags, { ...view, notes }, (v) =>
          [formatRun(v), ...notesDisplay().formatLatestNotes(v.notes)].join('\n'),
        );
      };
      if (isLocalRunId(runId)) {
        const view = await runLocal().localRunStatus(flags, runId);
        await withNotes(view, configFrom(flags));
        process.exitCode = statusExitCode(view.status);
        return;
      }
      try {
        await withEnvironment(flags, { embedded: false }, async (env) => {
          const view = await env.client.status(runId);
          await withNotes(view, env.config);
          process.exitCode = statusExitCode(view.status);
        });
      } catch (error) {
        // A closed run never changes: with no server, its record on this machine answers (as `report` does).
        if (!(error instanceof TemporalUnreachableError)) throw error;
        const recorded = await RunRecords.at(configFrom(flags).home).load(runId);
        if (!recorded?.closedAt) throw error;
        if (!flags.json) info(`(from the local record of closed run ${runId}: ${error.message})`);
        await withNotes(recorded, configFrom(flags));
        process.exitCode = statusExitCode(recorded.status);
      }
    });
}

/** `workers on quiver-cpu and quiver-gpu; training on wasm · cpu (…)`: the queues and the backend chosen. */
function workersLine(env: Pick<Environment, 'config' | 'workers'>): string {
  const { backendDebugLogging, backendSummary, describeBackend } =
    require('../../core/model/backend') as typeof import('../../core/model/backend');
  const backend = env.workers?.backend;
  const describe = backendDebugLogging() ? describeBackend : backendSummary;
  const queues = `workers on ${env.config.taskQueues.cpu} and ${env.config.taskQueues.gpu}`;
  return backend ? `${queues}; training on ${describe(backend)}` : queues;
}
