import { Context } from '@temporalio/activity';
import { Runtime } from '@temporalio/worker';
import type { StepName, StepResult } from '../core/run-types';

/**
 * Bucket bounds of `quiver_step_duration_seconds`: from 10 ms (a reused or tiny step) to 8 h (a long
 * training), so no real step falls into `+Inf`. The worker's Prometheus exporter is configured with
 * them (worker/telemetry.ts).
 */
export const STEP_DURATION_BUCKETS_SECONDS = [
  0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800,
];

/** Prometheus names of Quiver's worker metrics (counters get `_total` from the exporter). */
export const METRIC_NAMES = {
  stepDuration: 'quiver_step_duration_seconds',
  checkpointBytes: 'quiver_checkpoint_bytes',
  trainingSamplesPerSecond: 'quiver_training_samples_per_second',
} as const;

/**
 * The runtime's meter tagged with the running activity, or null outside an activity (a step run
 * in-process). Not the activity context's own meter: that one adds camelCase labels (`taskQueue`),
 * and Prometheus labels are snake_case.
 */
function meter() {
  let info;
  try {
    info = Context.current().info;
  } catch {
    return null;
  }
  return Runtime.instance().metricMeter.withTags({
    namespace: info.namespace,
    task_queue: info.taskQueue,
    activity_type: info.activityType,
  });
}

/**
 * Records Quiver's step metrics on the activity's metric meter, which the worker's runtime exports
 * with Temporal's own (Prometheus when `QUIVER_METRICS_PORT` is set); a no-op when a step runs
 * in-process, outside any activity. Checkpoint bytes are counted as they are written
 * ({@link recordCheckpointBytes}), so epoch checkpoints count too.
 */
export function recordStepMetrics(step: StepName, result: StepResult): void {
  const m = meter();
  if (!m) return;
  m.createHistogram(METRIC_NAMES.stepDuration, 'float', 's', 'Wall time of one step attempt').record(
    result.durationMs / 1000,
    { step },
  );
  const samplesPerSecond = trainingSamplesPerSecond(step, result);
  if (samplesPerSecond !== null)
    m.createGauge(
      METRIC_NAMES.trainingSamplesPerSecond,
      'float',
      '1/s',
      'Training throughput of the last run',
    ).set(samplesPerSecond, { step });
}

/**
 * Counts the bytes of one checkpoint written by a step: its outputs under their names, epoch
 * checkpoints (`epoch-12`) under the single label value `epoch_checkpoint` so labels stay few.
 */
export function recordCheckpointBytes(step: StepName, output: string, bytes: number): void {
  const m = meter();
  if (!m) return;
  const label = /^epoch-\d+$/.test(output) ? 'epoch_checkpoint' : output;
  m.createCounter(METRIC_NAMES.checkpointBytes, 'By', 'Bytes of checkpoints written').add(bytes, {
    step,
    output: label,
  });
}

/** Rows × epochs trained per second of the training step's wall time; null for other steps. */
export function trainingSamplesPerSecond(step: StepName, result: StepResult): number | null {
  const rows = Number(result.summary.trainRows);
  const epochs = Number(result.summary.epochs) - Number(result.summary.resumedFromEpoch ?? 0);
  if (step !== 'train' || !(rows > 0) || !(epochs > 0) || !(result.durationMs > 0)) return null;
  return (rows * epochs) / (result.durationMs / 1000);
}
