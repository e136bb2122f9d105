import type * as arrow from 'apache-arrow';
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../errors';
import { predictTableRows } from './metrics';
import type { Preprocessing } from './preprocess';
import { rowLocator } from '../sources/row-lines';

export interface RegressionMetrics {
  /** Root mean squared error, in the target's own units. */
  rmse: number;
  /** Mean absolute error, in the target's own units. */
  mae: number;
  /** Coefficient of determination: 1 − SSE/SST (0 for predicting the mean; negative is worse). */
  r2: number;
}

/** RMSE, MAE and R² of predictions against true values (same length, at least one row). */
export function regressionMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): RegressionMetrics {
  const n = yTrue.length;
  if (n === 0) throw new DataError('cannot compute metrics on zero rows');
  if (yPred.length !== n) throw new DataError(`expected ${n} predictions, got ${yPred.length}`);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i] / n;
  let sse = 0;
  let sae = 0;
  let sst = 0;
  for (let i = 0; i < n; i++) {
    const error = yPred[i] - yTrue[i];
    sse += error * error;
    sae += Math.abs(error);
    sst += (yTrue[i] - mean) * (yTrue[i] - mean);
  }
  return { rmse: Math.sqrt(sse / n), mae: sae / n, r2: sst > 0 ? 1 - sse / sst : sse === 0 ? 1 : 0 };
}

/** Predictions of a regressor for `rows`, in the target's own units (the model predicts it scaled). */
export function predictValues(
  model: tf.LayersModel,
  prep: Preprocessing,
  features: Float32Array,
): Float64Array {
  const rows = features.length / prep.inputWidth;
  const scaled = tf.tidy(() => {
    const x = tf.tensor2d(features, [rows, prep.inputWidth]);
    return (model.predict(x, { batchSize: 1024 }) as tf.Tensor).dataSync();
  });
  const { mean, std } = prep.targetScaling ?? { mean: 0, std: 1 };
  return Float64Array.from(scaled as ArrayLike<number>, (v) => v * std + mean);
}

/**
 * True values and predictions of a regressor for `rows` of `table`, in the target's own units.
 *
 * @throws DataError when a row's target is null or not finite, or a prediction is not finite.
 */
export function regressionPredictions(
  model: tf.LayersModel,
  prep: Preprocessing,
  table: arrow.Table,
  rows: Int32Array,
): { actual: Float64Array; predicted: Float64Array } {
  const target = table.getChild(prep.target);
  if (!target) throw new DataError(`target column "${prep.target}" not found`);
  const actual = Float64Array.from(rows, (row) => {
    const v = Number(target.get(row));
    if (!Number.isFinite(v))
      throw new DataError(`${rowLocator(table).at(row)}: target "${prep.target}" is null or not finite`);
    return v;
  });
  // Chunked (bounded memory); predictTableRows fails on a non-finite prediction.
  const { mean, std } = prep.targetScaling ?? { mean: 0, std: 1 };
  const scaled = predictTableRows(model, prep, table, rows, 1);
  return { actual, predicted: Float64Array.from(scaled, (v) => v * std + mean) };
}

/** Scores a regressor on `rows` of `table` against the target column: what validate runs for regression. */
export function evaluateRegressor(
  model: tf.LayersModel,
  prep: Preprocessing,
  table: arrow.Table,
  rows: Int32Array,
): RegressionMetrics {
  const { actual, predicted } = regressionPredictions(model, prep, table, rows);
  return regressionMetrics(actual, predicted);
}
