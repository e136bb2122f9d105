import type * as arrow from 'apache-arrow';
import { quote } from '../quote';
import type { Metrics } from './gate';

/**
 * The naive model a trained one must beat (TFX Evaluator's baseline, scikit-learn's DummyClassifier
 * / DummyRegressor): the training rows' majority class, scored by accuracy, or their mean, scored
 * by RMSE, on the same holdout rows as the candidate.
 */
export interface NaiveBaseline {
  /**
   * The metric compared: `accuracy`, `macroF1` or `auc` (classification, higher is better: the one
   * the spec's gate names) or `rmse` (regression, lower).
   */
  metric: BaselineMetric;
  /** The baseline's score on the holdout. */
  value: number;
  /** What it predicts: `majority class 'setosa'` or `training mean 12.5`. */
  prediction: string;
  /** Holdout rows it was scored on. */
  rows: number;
}

/** What a naive baseline can be scored by. */
export type BaselineMetric = 'accuracy' | 'macroF1' | 'auc' | 'rmse';

/**
 * The classification metric to judge the baseline by: the one the gate names (`validate.min.auc`,
 * then `min.macroF1`), so an imbalanced problem judged by AUC is not refused for tying the majority
 * class on accuracy; `auc` only when the candidate has one (binary). Accuracy otherwise.
 */
export function baselineMetric(
  min: { auc?: number; macroF1?: number },
  candidate: Record<string, number>,
): 'accuracy' | 'macroF1' | 'auc' {
  if (min.auc !== undefined && candidate.auc !== undefined) return 'auc';
  if (min.macroF1 !== undefined && candidate.macroF1 !== undefined) return 'macroF1';
  return 'accuracy';
}

/**
 * Scores the naive baseline: the most frequent training label (ties: the first in sorted order, so
 * it is deterministic) and its `metric` on `holdout`, or the training mean and its RMSE. Labels
 * compare as `String(value)`, as the split's strata do. Null when either row set has no usable label.
 */
export function naiveBaseline(
  table: arrow.Table,
  target: string,
  trainRows: Int32Array,
  holdout: Int32Array,
  task: 'classification' | 'regression',
  metric: 'accuracy' | 'macroF1' | 'auc' = 'accuracy',
): NaiveBaseline | null {
  const labels = table.getChild(target);
  if (!labels || trainRows.length === 0 || holdout.length === 0) return null;
  if (task === 'regression') {
    const numberAt = (row: number) => {
      const y = labels.get(row) as number | bigint | null | undefined;
      return y === null || y === undefined ? NaN : Number(y);
    };
    let sum = 0;
    let n = 0;
    for (const row of trainRows) {
      const y = numberAt(row);
      if (!Number.isFinite(y)) continue;
      sum += y;
      n++;
    }
    if (n === 0) return null;
    const mean = sum / n;
    let sse = 0;
    let m = 0;
    for (const row of holdout) {
      const y = numberAt(row);
      if (!Number.isFinite(y)) continue;
      sse += (y - mean) ** 2;
      m++;
    }
    if (m === 0) return null;
    return { metric: 'rmse', value: Math.sqrt(sse / m), prediction: `training mean ${round(mean)}`, rows: m };
  }
  const counts = new Map<string, number>();
  for (const row of trainRows) {
    const label = labels.get(row) as unknown;
    if (label === null || label === undefined) continue;
    const key = String(label);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const [majority] = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (!majority) return null;
  let hits = 0;
  const present = new Set([majority[0]]);
  for (const row of holdout) {
    const label = String(labels.get(row));
    present.add(label);
    if (label === majority[0]) hits++;
  }
  // A constant score ranks no row above another: AUC 0.5. Macro-F1 of a constant prediction: the
  // majority class's F1 (2TP / (predicted + support)), every other class 0, averaged over classes present.
  const value =
    metric === 'auc'
      ? 0.5
      : metric === 'macroF1'
        ? (2 * hits) / (holdout.length + hits) / present.size
        : hits / holdout.length;
  return {
    metric,
    value,
    prediction: `majority class ${quote(majority[0])}`,
    rows: holdout.length,
  };
}

/**
 * Why the candidate does not beat the baseline, or null when it does. Beating means strictly better
 * (a model no better than a constant has learnt nothing); a perfect score that ties passes.
 */
export function baselineMiss(
  candidate: Metrics,
  baseline: NaiveBaseline,
  advice?: string | null,
): string | null {
  const value = candidate[baseline.metric];
  const figures = `the naive baseline (${baseline.prediction}: ${baseline.metric} ${baseline.value.toFixed(4)} on the same ${baseline.rows} holdout rows)`;
  if (value === undefined)
    return `${baseline.metric} not computed, so the model cannot be compared with ${figures}`;
  const higherIsBetter = baseline.metric !== 'rmse';
  const perfect = higherIsBetter ? value === 1 : value === 0;
  const beats = higherIsBetter ? value > baseline.value : value < baseline.value;
  if (beats || perfect) return null;
  // Advice (baseline-advice.ts) comes first: switching the gate off deploys the model it caught.
  return advice
    ? `${baseline.metric} ${value.toFixed(4)} does not beat ${figures}; ${advice}; only if the model is truly fine as it is, set validate.beatBaseline: false to skip this check`
    : `${baseline.metric} ${value.toFixed(4)} does not beat ${figures}; set validate.beatBaseline: false to skip this check`;
}

const round = (x: number) => Number(x.toPrecision(6));
