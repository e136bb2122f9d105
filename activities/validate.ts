import type { QuiverConfig } from '../core/config';
import { ValidationGateError } from '../core/errors';
import { modelFromArrow } from '../core/model/codec';
import { classificationMetrics, metricsToArrow, predictProbabilities } from '../core/model/metrics';
import { encodeLabels, transformFeatures } from '../core/model/preprocess';
import { evaluateRegressor } from '../core/model/regression-metrics';
import { holdoutRows } from '../core/model/train';
import type { StepInput, StepResult } from '../core/run-types';
import { runStepActivity } from './step';

type MetricName = 'accuracy' | 'macroF1' | 'logLoss' | 'auc' | 'rmse' | 'mae' | 'r2';

/** Scores the model on the holdout rows; writes the metrics, then fails if a threshold is missed. */
export async function validate(input: StepInput, config: QuiverConfig): Promise<StepResult> {
  const { spec } = input;
  return runStepActivity('validate', input, config, async (ctx) => {
    const table = await ctx.read('data');
    const { model, preprocessing } = await modelFromArrow(await ctx.read('model'));
    let metrics: Partial<Record<MetricName, number>>;
    try {
      const task = preprocessing.task ?? 'classification';
      const rows = holdoutRows(table, spec.target.column, spec.split, task);
      if (task === 'regression') metrics = { ...evaluateRegressor(model, preprocessing, table, rows) };
      else {
        const labels = encodeLabels(table, preprocessing, rows);
        const features = transformFeatures(table, preprocessing, rows);
        const probabilities = predictProbabilities(model, features, preprocessing.inputWidth);
        metrics = classificationMetrics(labels, probabilities, preprocessing.classes.length);
      }
    } finally {
      model.dispose();
    }
    await ctx.write('metrics', metricsToArrow(metrics as Record<string, number>));
    const misses = thresholdMisses(metrics, spec.validate.min, spec.validate.max);
    if (misses.length > 0) throw new ValidationGateError(`validation gate failed: ${misses.join('; ')}`);
    return { primary: 'metrics', summary: { ...(metrics as Record<string, number>) } };
  });
}

/** Every metric that missed its threshold, as "accuracy 0.81 < min 0.9". */
export function thresholdMisses(
  metrics: Partial<Record<MetricName, number>>,
  min: Partial<Record<MetricName, number>>,
  max: Partial<Record<MetricName, number>>,
): string[] {
  const misses: string[] = [];
  for (const [name, threshold] of Object.entries(min) as [MetricName, number | undefined][]) {
    const value = metrics[name];
    if (threshold === undefined) continue;
    if (value === undefined) misses.push(`${name} not computed (threshold min ${threshold})`);
    else if (value < threshold) misses.push(`${name} ${value.toFixed(4)} < min ${threshold}`);
  }
  for (const [name, threshold] of Object.entries(max) as [MetricName, number | undefined][]) {
    const value = metrics[name];
    if (threshold !== undefined && value !== undefined && value > threshold)
      misses.push(`${name} ${value.toFixed(4)} > max ${threshold}`);
  }
  return misses;
}
