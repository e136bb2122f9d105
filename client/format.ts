import type { CheckpointRef } from '../core/checkpoint/types';
import type { RunView } from './api';
import type { PlannedStep } from '../core/plan';
import type { DeployedModel, StepState } from '../core/run-types';
import type { TrainingLive } from '../core/training-progress';
import type { StepRetry } from './step-attempts';

/** Aligns rows of cells into columns for the terminal. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '-';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function shortRef(ref: CheckpointRef | null): string {
  return ref ? `${ref.sha256.slice(0, 12)} (${ref.rows} rows, ${formatBytes(ref.bytes)})` : '-';
}

/**
 * The human view of `status`: one line per step, then the model and the UI link. The run's error is
 * printed once, on its `error:` line (or, with `errorLine: false`, by the caller on stderr): the step
 * it came from says so rather than repeating it.
 */
export function formatRun(view: RunView, { errorLine = true }: { errorLine?: boolean } = {}): string {
  const rows = [['STEP', 'STATUS', 'ATTEMPTS', 'DURATION', 'CHECKPOINT', 'CODE', 'SUMMARY']];
  for (const step of view.steps) {
    rows.push([
      step.name,
      step.reusedFrom ? `reused from ${step.reusedFrom}` : step.status,
      String(stepAttempts(step)),
      formatDuration(step.durationMs),
      shortRef(step.checkpoint),
      step.stepCodeVersion ?? '-',
      step.error && view.error?.includes(step.error)
        ? `${step.status === 'cancelled' || step.status === 'paused' ? step.status : 'failed'}: see the error below`
        : (step.error ??
          (liveSummary(step, view) ||
            (step.retry && retryText(step.retry)) ||
            step.note ||
            formatSummary(step.summary))),
    ]);
    // Each transform of the features stage: its own checkpoint, code version and cache reuse.
    for (const t of step.transforms ?? [])
      rows.push([
        `  features[${t.index}] ${t.name}`,
        t.reused ? 'reused' : 'completed',
        '',
        formatDuration(t.durationMs),
        shortRef(t.output),
        t.codeVersion,
        `columns=${t.columns} key=${t.cacheKey.slice(0, 12)}`,
      ]);
  }
  const header = `run ${view.runId}  pipeline ${view.pipeline}  status ${runStatusText(view)}`;
  const lines = [view.resumedFrom ? `${header}  (resumed from ${view.resumedFrom})` : header, table(rows)];
  lines.push(...formatTraining(view));
  for (const warning of view.workerWarnings ?? []) lines.push(`warning: ${warning}`);
  // The hint once: a paused run's error already ends with it when waited for (client.wait).
  if (view.status === 'PAUSED' && !view.error?.includes('quiver retry'))
    lines.push(`paused: fix the cause, then \`npx quiver retry ${view.runId}\``);
  if (view.status === 'WAITING_APPROVAL')
    lines.push(
      `waiting for approval: \`npx quiver approve ${view.runId}\` or \`npx quiver reject ${view.runId} --reason …\``,
    );
  if (view.approval) {
    const { decision, by, reason, at } = view.approval;
    lines.push(`approval: ${decision}${by ? ` by ${by}` : ''} at ${at}${reason ? `: ${reason}` : ''}`);
  }
  if (view.model) lines.push(deploymentLine(view.model));
  if (view.error && errorLine) lines.push(`error: ${view.error}`);
  lines.push(`Temporal UI: ${view.uiUrl}`);
  return lines.join('\n');
}

/** The run's status, and whether a cancel the server holds has yet to close it: `RUNNING (cancel requested)`. */
export function runStatusText(view: Pick<RunView, 'status' | 'cancelRequested'>): string {
  return view.cancelRequested ? `${view.status} (cancel requested)` : view.status;
}

/**
 * A step waiting out a retry's backoff, as of now: `retrying in 12s (attempt 2 of 3)`, or `retrying
 * now (…)` once the backoff is over and the attempt waits for a worker.
 */
export function retryText(retry: StepRetry, now = Date.now()): string {
  const left = retry.at === null ? NaN : Date.parse(retry.at) - now;
  const of = retry.maximumAttempts === null ? '' : ` of ${retry.maximumAttempts}`;
  return `retrying ${left > 0 ? `in ${formatEta(left)}` : 'now'} (attempt ${retry.attempt}${of})`;
}

/**
 * The attempts a step made, as far as the client can tell: the run counts an attempt when it ends, so a
 * training running its first attempt, or cancelled in it, would read 0 while its live progress says
 * which attempt it is in (`live.attempt`, 1-based): the larger of the two.
 */
export function stepAttempts(step: StepState): number {
  return step.status === 'completed' ? step.attempts : Math.max(step.attempts, step.live?.attempt ?? 0);
}

/**
 * A running training's progress for its SUMMARY cell, `epoch 278/3000 · ETA 48s` ('' when none): no
 * ETA while a queue the run needs has no worker (the `training:` line says it is stalled).
 */
function liveSummary(step: StepState, view: RunView): string {
  const live = step.live;
  if (step.status !== 'running' || !live) return '';
  const stalled = (view.workerWarnings?.length ?? 0) > 0;
  return `epoch ${live.epoch}/${live.epochs}${stalled ? '' : etaText(live)}`;
}

/**
 * Longest a live training goes without a report reaching the server: the SDK throttles heartbeats to
 * at most one per 0.8 × the heartbeat timeout, capped at its `maxHeartbeatThrottleInterval` (60 s).
 */
const MAX_REPORT_INTERVAL_MS = 60_000;

/**
 * The time left as of now, ` · ETA 1m 20s`: the last report's ETA less the report's age. Once the ETA
 * has passed, or no report has come for longer than reports can be apart, ` · no report for 1m 30s`
 * instead of a frozen or imagined countdown; '' when the report gave none.
 */
export function etaText(live: TrainingLive, now = Date.now()): string {
  if (live.etaMs === null) return '';
  const reportedAt = Date.parse(live.updatedAt);
  const age = Number.isFinite(reportedAt) ? Math.max(0, now - reportedAt) : 0;
  const left = live.etaMs - age;
  const reporting = age <= MAX_REPORT_INTERVAL_MS && (left > 0 || age === 0);
  return reporting ? ` · ETA ${formatEta(Math.max(0, left))}` : ` · no report for ${formatEta(age)}`;
}

export function formatSummary(summary: Record<string, unknown>): string {
  return Object.entries(summary)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${formatValue(v)}`)
    .join(' ');
}

/** Four decimals for fractions; hashes cut to 12 digits, as everywhere else in the CLI. */
function formatValue(value: unknown): string {
  if (typeof value === 'number' && !Number.isInteger(value)) return value.toFixed(4);
  if (typeof value === 'string' && /^[0-9a-f]{64}$/.test(value)) return value.slice(0, 12);
  return String(value);
}

/** The plan of a resume or replay: one line per step, `reuse` or `run`, and why. */
export function formatPlan(plan: { sourceRun: string; overrides: string[]; steps: PlannedStep[] }): string {
  const title = `plan from ${plan.sourceRun}${plan.overrides.length ? ` with ${plan.overrides.join(' ')}` : ''}`;
  return [
    title,
    table([
      ['STEP', 'ACTION', 'WHY'],
      // A features stage that runs lists its transforms below it, each reused by cache key or run.
      ...plan.steps.flatMap((s) => [
        [s.name, s.action, s.reason],
        ...(s.transforms ?? []).map((t) => [`  ${t.label}`, t.action, t.reason]),
      ]),
    ]),
  ].join('\n');
}

/** Where training runs and how far it is: `training: epoch 12/60 · loss 0.4312 · ETA 1m 20s · webgpu · …`. */
export function formatTraining(view: RunView): string[] {
  const train = view.steps.find((s) => s.name === 'train');
  const lines: string[] = [];
  if (train?.routing?.reason) lines.push(`train: ${train.routing.reason}`);
  const live = train?.live;
  if (train?.status === 'running' && live) {
    // With no worker on a queue the run needs, an ETA would be a guess about a training that is not running.
    const stalled = (view.workerWarnings?.length ?? 0) > 0;
    const eta = stalled ? ' · stalled (see warning)' : etaText(live);
    const loss = live.loss === null ? '' : ` · loss ${live.loss.toFixed(4)}`;
    lines.push(
      `training: epoch ${live.epoch}/${live.epochs}${loss}${eta} · ${live.backend} · ${live.device} · attempt ${live.attempt}`,
    );
  }
  if (train?.status !== 'completed' && live?.checkpoint)
    lines.push(`last epoch checkpoint: epoch ${live.checkpointEpoch} ${shortRef(live.checkpoint)}`);
  return lines;
}

function formatEta(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${s % 60}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** What the run did to the registry, truthfully: moved the alias, registered only, or reused a deploy. */
export function deploymentLine(model: DeployedModel): string {
  const { name, version, alias } = model;
  if (model.reusedFrom)
    return `model ${name} version ${version} reused from ${model.reusedFrom} (this run deployed nothing); alias ${alias} is on version ${model.aliasVersion ?? 'none'}`;
  if (model.moved === false)
    return `model ${name} version ${version} registered, alias ${alias} not moved: ${model.note ?? ''}`;
  const late = model.cancelTooLate ? ' (the cancel came after the alias moved: the run completed)' : '';
  return `model ${name} version ${version} → alias ${alias}${late}`;
}
