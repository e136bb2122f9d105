import { Context } from '@temporalio/activity';
import type { MetricCounter, MetricGauge, MetricHistogram, MetricTags } from '@temporalio/common';
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

/** Quiver's instruments on the runtime's meter, created once per process (not at every record). */
let instruments:
  | {
      stepDuration: MetricHistogram;
      checkpointBytes: MetricCounter;
      trainingSamplesPerSecond: MetricGauge;
    }
  | undefined;

/**
 * The instruments and the running activity's tags, or null outside an activity (a step run
 * in-process). Not the activity context's own meter: that one adds camelCase labels (`taskQueue`),
 * and Prometheus labels are snake_case.
 */
function meter(): { instruments: NonNullable<typeof instruments>; tags: MetricTags } | null {
  let info;
  try {
    info = Context.current().info;
  } catch {
    return null;
  }
  if (!instruments) {
    const m = Runtime.instance().metricMeter;
    instruments = {
      stepDuration: m.createHistogram(
        METRIC_NAMES.stepDuration,
        'float',
        's',
        'Wall time of one step attempt',
      ),
      checkpointBytes: m.createCounter(METRIC_NAMES.checkpointBytes, 'By', 'Bytes of checkpoints written'),
      trainingSamplesPerSecond: m.createGauge(
        METRIC_NAMES.trainingSamplesPerSecond,
        'float',
        '1/s',
        'Training throughput of the last run',
      ),
    };
  }
  return {
    instruments,
    tags: { namespace: info.namespace, task_queue: info.taskQueue, activity_type: info.activityType },
  };
}

/**
 * Records Quiver's step metrics on the runtime's metric meter, which the worker's runtime exports
 * with Temporal's own (Prometheus when `QUIVER_METRICS_PORT` is set); a no-op when a step runs
 * in-process, outside any activity. Checkpoint bytes are counted as they are written
 * ({@link recordCheckpointBytes}), so epoch checkpoints count too.
 */
export function recordStepMetrics(step: StepName, result: StepResult): void {
  const m = meter();
  if (!m) return;
  m.instruments.stepDuration.record(result.durationMs / 1000, { ...m.tags, step });
  const samplesPerSecond = trainingSamplesPerSecond(step, result);
  if (samplesPerSecond !== null)
    m.instruments.trainingSamplesPerSecond.set(samplesPerSecond, { ...m.tags, step });
}

/**
 * Counts the bytes of one checkpoint written by a step: its outputs under their names, epoch
 * checkpoints (`epoch-12`) under the single label value `epoch_checkpoint` so labels stay few.
 */
export function recordCheckpointBytes(step: StepName, output: string, bytes: number): void {
  const m = meter();
  if (!m) return;
  const label = /^epoch-\d+$/.test(output) ? 'epoch_checkpoint' : output;
  m.instruments.checkpointBytes.add(bytes, { ...m.tags, step, output: label });
}

/** Rows × epochs trained per second of the training step's wall time; null for other steps. */
export function trainingSamplesPerSecond(step: StepName, result: StepResult): number | null {
  const rows = Number(result.summary.trainRows);
  const epochs = Number(result.summary.epochs) - Number(result.summary.resumedFromEpoch ?? 0);
  if (step !== 'train' || !(rows > 0) || !(epochs > 0) || !(result.durationMs > 0)) return null;
  return (rows * epochs) / (result.durationMs / 1000);
}
