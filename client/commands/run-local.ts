import { RunNotFoundError } from '../../core/errors';
import type { PipelineSpec } from '../../core/spec/schema';
import { RunClosedError, type RunView } from '../api';
import { newLocalRunId, RunRecords } from '../run-records';
import { configFrom, type GlobalFlags } from '../environment';
import { withTemporalFor } from '../local-run-views';
import { formatPlan, formatRun } from '../format';
import { runLocal } from '../local-run';
import { cancelLocalRun } from '../local-run-cancel';
import { EXIT_CODES } from '../exit-codes';
import { emit, info } from '../output';
import { progressReporter } from '../progress';
import { emitCancelOutcome, emitRunOutcome, waitFor } from './runs';

/** `quiver run` flags. */
export interface RunFlags {
  set: string[];
  wait?: boolean;
  local?: boolean;
  reuseFrom?: string;
}

/** `quiver run SPEC --local`: every step in this process with no Temporal server; prints the run. */
export async function runLocalCommand(
  flags: GlobalFlags,
  spec: PipelineSpec,
  options: RunFlags,
): Promise<void> {
  const config = configFrom(flags);
  const runId = newLocalRunId(spec.name);
  if (!flags.json) info(`local run ${runId} started (Ctrl-C or \`quiver cancel ${runId}\` cancels it)`);
  const progress = flags.json ? undefined : await progressReporter(spec.name);
  const onSignal = (stopped: RunView, signal: string) => {
    progress?.done();
    info(`quiver: local run ${stopped.runId} cancelled by ${signal}; its record says CANCELED`);
  };
  let view;
  try {
    view = await runLocal(spec, {
      config,
      runId,
      overrides: options.set,
      onProgress: progress?.update,
      onSignal,
    });
  } finally {
    progress?.done();
  }
  if (view.status === 'FAILED') {
    // As every command's failure: `{"error": …}` with --json (plus the run, for its steps), exit 1.
    emitRunOutcome(flags, view, true);
    process.exitCode = EXIT_CODES.failed;
    return;
  }
  emit(flags, view, formatRun);
  if (!flags.json)
    info(`promote it to a durable run, recomputing nothing: npx quiver run SPEC --reuse-from ${view.runId}`);
  process.exitCode = EXIT_CODES.ok;
}

/**
 * `quiver run SPEC --reuse-from RUN`: a durable run of SPEC that takes over every step of RUN
 * (durable or local) whose cache key still matches and whose checkpoints verify; prints the plan.
 */
export async function reuseAndStart(
  flags: GlobalFlags,
  spec: PipelineSpec,
  sourceRun: string,
  options: RunFlags,
): Promise<void> {
  await withTemporalFor(flags, sourceRun, 'run --reuse-from', async (env) => {
    const plan = await env.client.plan(sourceRun, { spec, overrides: options.set });
    if (!flags.json)
      info(formatPlan({ sourceRun: plan.sourceRun, overrides: plan.overrides, steps: plan.steps }));
    const runId = await env.client.startPlanned(plan);
    if (options.wait) {
      const view = await waitFor(env, flags, runId, spec.name);
      process.exitCode = view.status === 'COMPLETED' ? 0 : 1;
    } else {
      emit(
        flags,
        { runId, resumedFrom: sourceRun, steps: plan.steps, uiUrl: env.client.uiUrl(runId) },
        (r) => `${r.runId}\nTemporal UI: ${r.uiUrl}`,
      );
    }
  });
}

/** `quiver status local-…`: a local run is read from its record, with no Temporal server. */
export async function localRunStatus(flags: GlobalFlags, runId: string): Promise<RunView> {
  const { home } = configFrom(flags);
  const view = await RunRecords.at(home).load(runId);
  if (!view) throw new RunNotFoundError(`run '${runId}' not found: no local run record under ${home}`);
  return view;
}

/**
 * `quiver cancel local-…`: stops the process running the local run (SIGTERM), which records it
 * `CANCELED`; see {@link cancelLocalRun}. Prints the run's view. With `wait` (`--wait`), reads as a
 * durable run's `cancel --wait`: the run as it ended, exit 0 when cancelled (also when it already
 * was), exit 1 with CancelTooLateError when it ended otherwise first.
 */
export async function cancelLocalCommand(flags: GlobalFlags, runId: string, wait = false): Promise<void> {
  const records = RunRecords.at(configFrom(flags).home);
  let view: RunView;
  try {
    view = await cancelLocalRun(records, runId);
  } catch (error) {
    // `--wait` asks how the run ended: one already cancelled ended as asked (a retried cancel).
    if (!(wait && error instanceof RunClosedError && error.status === 'CANCELED')) throw error;
    info(`run ${runId} was already cancelled`);
    view = (await records.load(runId))!;
  }
  if (wait) return emitCancelOutcome(flags, view);
  emit(
    flags,
    { runId, requested: 'cancel', status: view.status, error: view.error },
    (v) => `${v.runId}: ${v.error}`,
  );
  process.exitCode = EXIT_CODES.ok;
}
