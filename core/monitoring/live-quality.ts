import type { LiveQuality } from './monitor-config';
import { ownValue } from '../own-keys';

/** One labelled prediction: what the model said, the label that came back, and its categorical inputs. */
export interface LabelledPrediction {
  prediction: string;
  label: string;
  /** Categorical feature values of the instance, for per-slice figures. */
  categories: Record<string, string | null>;
  /** True when a regression model answered (its log's `prediction` column is numeric). */
  regression?: boolean;
}

/**
 * The task to score labelled predictions as: regression when a regressor answered them (the
 * prediction log says so); for logs written before it did, regression when every label and
 * prediction is a number and there are many distinct labels.
 */
export function qualityTask(rows: LabelledPrediction[]): 'classification' | 'regression' {
  if (rows.some((r) => r.regression === true)) return 'regression';
  const numeric = rows.every(
    (r) => r.label.trim() !== '' && Number.isFinite(Number(r.label)) && Number.isFinite(Number(r.prediction)),
  );
  return numeric && new Set(rows.map((r) => r.label)).size > 20 ? 'regression' : 'classification';
}

/**
 * Accuracy and macro-F1 (classification) or RMSE (regression) of labelled predictions, overall and
 * per value of each categorical feature. Macro-F1 is the unweighted mean over the classes present in
 * labels or predictions of 2·P·R/(P+R) (scikit-learn's `f1_score(average='macro')`).
 */
export function liveQuality(rows: LabelledPrediction[], task: 'classification' | 'regression'): LiveQuality {
  const quality: LiveQuality = { labelled: rows.length, slices: [] };
  if (rows.length === 0) return quality;
  Object.assign(quality, figures(rows, task));
  const columns = new Set(rows.flatMap((r) => Object.keys(r.categories)));
  for (const column of columns) {
    const groups = new Map<string, LabelledPrediction[]>();
    for (const r of rows) {
      const value = ownValue(r.categories, column);
      if (value === null || value === undefined) continue;
      groups.set(value, [...(groups.get(value) ?? []), r]);
    }
    for (const [value, group] of groups) {
      const f = figures(group, task);
      const metric = task === 'regression' ? 'rmse' : 'accuracy';
      quality.slices.push({ column, value, labelled: group.length, metric, score: f[metric] as number });
    }
  }
  return quality;
}

function figures(rows: LabelledPrediction[], task: 'classification' | 'regression'): Partial<LiveQuality> {
  if (task === 'regression') {
    const squared = rows.reduce((sum, r) => sum + (Number(r.label) - Number(r.prediction)) ** 2, 0);
    return { rmse: Math.sqrt(squared / rows.length) };
  }
  const correct = rows.filter((r) => r.prediction === r.label).length;
  const classes = new Set(rows.flatMap((r) => [r.prediction, r.label]));
  let f1Sum = 0;
  for (const c of classes) {
    const tp = rows.filter((r) => r.prediction === c && r.label === c).length;
    const fp = rows.filter((r) => r.prediction === c && r.label !== c).length;
    const fn = rows.filter((r) => r.prediction !== c && r.label === c).length;
    f1Sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return { accuracy: correct / rows.length, macroF1: f1Sum / classes.size };
}

/**
 * The live metrics below their bounds, e.g. `['accuracy 0.62 < 0.8']`; metrics a task lacks are
 * ignored. RMSE is a bound from above (`rmse` above it fails).
 */
export function breachedBounds(quality: LiveQuality, bounds: Record<string, number>): string[] {
  const out: string[] = [];
  for (const [metric, bound] of Object.entries(bounds)) {
    const value = quality[metric as 'accuracy' | 'macroF1' | 'rmse'];
    if (typeof value !== 'number') continue;
    const lowerIsBetter = metric === 'rmse';
    if (lowerIsBetter ? value > bound : value < bound)
      out.push(`${metric} ${Number(value.toPrecision(4))} ${lowerIsBetter ? '>' : '<'} ${bound}`);
  }
  return out;
}
