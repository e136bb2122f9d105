import { Context } from '@temporalio/activity';
import type { StepName, StepResult } from '../core/run-types';

/**
 * Records Quiver's step metrics on the activity's metric meter, which the worker's runtime exports
 * with Temporal's own (Prometheus when `QUIVER_METRICS_PORT` is set); a no-op when a step runs
 * in-process, outside any activity.
 */
export function recordStepMetrics(step: StepName, result: StepResult): void {
  let meter;
  try {
    meter = Context.current().metricMeter;
  } catch {
    return;
  }
  meter
    .createHistogram('quiver_step_duration', 'int', 'ms', 'Wall time of one step attempt')
    .record(result.durationMs, { step });
  const bytes = meter.createCounter('quiver_checkpoint_bytes', 'By', 'Bytes of checkpoints written');
  for (const [output, ref] of Object.entries(result.outputs)) bytes.add(ref.bytes, { step, output });
  const samplesPerSecond = trainingSamplesPerSecond(step, result);
  if (samplesPerSecond !== null)
    meter
      .createGauge(
        'quiver_training_samples_per_second',
        'float',
        '1/s',
        'Training throughput of the last run',
      )
      .set(samplesPerSecond, { step });
}

/** Rows × epochs trained per second of the training step's wall time; null for other steps. */
export function trainingSamplesPerSecond(step: StepName, result: StepResult): number | null {
  const rows = Number(result.summary.trainRows);
  const epochs = Number(result.summary.epochs) - Number(result.summary.resumedFromEpoch ?? 0);
  if (step !== 'train' || !(rows > 0) || !(epochs > 0) || !(result.durationMs > 0)) return null;
  return (rows * epochs) / (result.durationMs / 1000);
}
