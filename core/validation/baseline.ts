import type * as arrow from 'apache-arrow';
import { quote } from '../quote';
import type { Metrics } from './gate';

/**
 * The naive model a trained one must beat (TFX Evaluator's baseline, scikit-learn's DummyClassifier
 * / DummyRegressor): the training rows' majority class, scored by accuracy, or their mean, scored
 * by RMSE, on the same holdout rows as the candidate.
 */
export interface NaiveBaseline {
  /** The metric compared: `accuracy` (classification, higher is better) or `rmse` (regression, lower). */
  metric: 'accuracy' | 'rmse';
  /** The baseline's score on the holdout. */
  value: number;
  /** What it predicts: `majority class 'setosa'` or `training mean 12.5`. */
  prediction: string;
  /** Holdout rows it was scored on. */
  rows: number;
}

/**
 * Scores the naive baseline: the most frequent training label (ties: the first in sorted order, so
 * it is deterministic) and its accuracy on `holdout`, or the training mean and its RMSE. Labels
 * compare as `String(value)`, as the split's strata do. Null when either row set has no usable label.
 */
export function naiveBaseline(
  table: arrow.Table,
  target: string,
  trainRows: Int32Array,
  holdout: Int32Array,
  task: 'classification' | 'regression',
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
  for (const row of holdout) if (String(labels.get(row)) === majority[0]) hits++;
  return {
    metric: 'accuracy',
    value: hits / holdout.length,
    prediction: `majority class ${quote(majority[0])}`,
    rows: holdout.length,
  };
}

/**
 * Why the candidate does not beat the baseline, or null when it does. Beating means strictly better
 * (a model no better than a constant has learnt nothing); a perfect score that ties passes.
 */
export function baselineMiss(candidate: Metrics, baseline: NaiveBaseline): string | null {
  const value = candidate[baseline.metric];
  const figures = `the naive baseline (${baseline.prediction}: ${baseline.metric} ${baseline.value.toFixed(4)} on the same ${baseline.rows} holdout rows)`;
  if (value === undefined)
    return `${baseline.metric} not computed, so the model cannot be compared with ${figures}`;
  const perfect = baseline.metric === 'accuracy' ? value === 1 : value === 0;
  const beats = baseline.metric === 'accuracy' ? value > baseline.value : value < baseline.value;
  if (beats || perfect) return null;
  return `${baseline.metric} ${value.toFixed(4)} does not beat ${figures}; set validate.beatBaseline: false to skip this check`;
}

const round = (x: number) => Number(x.toPrecision(6));
