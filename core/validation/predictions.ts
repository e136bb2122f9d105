import type { Table } from 'apache-arrow';
import { float64, tableFromColumns, utf8 } from '../arrow-columns';

/**
 * The candidate's answer on every holdout row, as validate computed it while scoring: the source of
 * the confusion matrix (classification) and the residual plot (regression) on cards and reports.
 */
export type HoldoutPredictions =
  | {
      task: 'classification';
      /** Table row index of each holdout row. */
      rows: Int32Array;
      /** Class names; index = class id. */
      classes: string[];
      /** True class id per holdout row. */
      labels: Int32Array;
      /** Row-major probabilities, `rows.length × classes.length`. */
      probabilities: Float32Array;
    }
  | {
      task: 'regression';
      rows: Int32Array;
      /** True target values, in the target's own units. */
      actual: Float64Array;
      /** Predictions, in the target's own units. */
      predicted: Float64Array;
    };

/**
 * Holdout predictions as the `predictions` checkpoint: `row` (table row index), `actual` and
 * `predicted` (class names as Utf8 for classification, Float64 target values for regression) and,
 * for classification, `probability` (the model's probability of the class it predicted).
 */
export function predictionsToArrow(p: HoldoutPredictions): Table {
  const row = float64(Array.from(p.rows));
  if (p.task === 'regression')
    return tableFromColumns({
      row,
      actual: float64(Array.from(p.actual)),
      predicted: float64(Array.from(p.predicted)),
    });
  const k = p.classes.length;
  const predicted: string[] = [];
  const probability: number[] = [];
  for (let i = 0; i < p.rows.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (p.probabilities[i * k + c] > p.probabilities[i * k + best]) best = c;
    predicted.push(p.classes[best]);
    probability.push(p.probabilities[i * k + best]);
  }
  return tableFromColumns({
    row,
    actual: utf8(Array.from(p.labels, (label) => p.classes[label])),
    predicted: utf8(predicted),
    probability: float64(probability),
  });
}
