import * as arrow from 'apache-arrow';
import type * as tf from '@tensorflow/tfjs';
import { NonFiniteValueError, ResourceLimitError } from '../errors';
import type { Preprocessing } from './preprocess';
import { rowLocator } from '../sources/row-lines';

/**
 * Throws NonFiniteValueError for the first NaN or ±Infinity among `rows` of each floating-point
 * column (nulls are missing values, not errors), naming the column, the file line (or row) and the value.
 */
export function assertFiniteColumns(
  table: arrow.Table,
  columns: string[],
  rows: Int32Array,
  role: 'feature' | 'target',
): void {
  const locator = rowLocator(table);
  for (const name of columns) {
    const col = table.getChild(name);
    if (!col || !arrow.DataType.isFloat(col.type)) continue;
    for (const row of rows) {
      const value = col.get(row) as number | null;
      if (value === null || Number.isFinite(value)) continue;
      throw new NonFiniteValueError(
        `${role} column '${name}' holds ${value} at ${locator.at(row)}: non-finite values cannot be trained on; make them null (a text file's token: source.nullValues; a Parquet/Arrow float: write nulls, not NaN) or drop the column`,
      );
    }
  }
}

/** Largest absolute finite value of a column among `rows` (for messages). */
function largestMagnitude(table: arrow.Table, name: string, rows: Int32Array): number {
  const col = table.getChild(name);
  let max = 0;
  if (!col) return max;
  for (const row of rows) {
    const v = Number(col.get(row));
    if (Number.isFinite(v) && Math.abs(v) > max) max = Math.abs(v);
  }
  return max;
}

/**
 * Throws NonFiniteValueError when a fitted scaling statistic (mean, standard deviation) is not finite:
 * values near ±1e308 overflow the sums, and every scaled input would be NaN.
 */
export function assertFiniteScaling(prep: Preprocessing, table: arrow.Table, rows: Int32Array): void {
  const stats: { name: string; role: string; mean: number; std: number }[] = prep.features.flatMap((f) =>
    f.kind === 'numeric' ? [{ name: f.name, role: 'feature', mean: f.mean, std: f.std }] : [],
  );
  if (prep.targetScaling) stats.push({ name: prep.target, role: 'target', ...prep.targetScaling });
  for (const { name, role, mean, std } of stats) {
    if (Number.isFinite(mean) && Number.isFinite(std)) continue;
    throw new NonFiniteValueError(
      `${role} column '${name}': scaling statistics are not finite (mean ${mean}, std ${std}); its values (up to ${largestMagnitude(table, name, rows).toExponential(3)}) overflow the arithmetic. A sentinel for "no data" should be null (source.nullValues); otherwise clip, log-transform or drop the column`,
    );
  }
}

/** Throws NonFiniteValueError when any weight of `model` is NaN or infinite, naming it and `when`. */
export async function assertFiniteWeights(model: tf.LayersModel, when: string): Promise<void> {
  for (const weight of model.weights) {
    const values = await weight.read().data();
    for (let i = 0; i < values.length; i++) {
      if (Number.isFinite(values[i])) continue;
      throw new NonFiniteValueError(
        `${when}: weight '${weight.originalName}' is ${values[i]}: training diverged; lower train.learningRate or scale the inputs`,
      );
    }
  }
}

/** Throws NonFiniteValueError when a stored weight tensor holds NaN or ±Infinity (a model that must never serve). */
export function assertFiniteTensors(tensors: { name: string; values: Float32Array }[], what: string): void {
  for (const { name, values } of tensors) {
    for (let i = 0; i < values.length; i++) {
      if (Number.isFinite(values[i])) continue;
      throw new NonFiniteValueError(
        `${what}: weight '${name}' holds ${values[i]}; this model cannot be used`,
      );
    }
  }
}

/** Throws NonFiniteValueError when a prediction is NaN or infinite. */
export function assertFinitePredictions(values: ArrayLike<number>, perRow: number, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) continue;
    throw new NonFiniteValueError(
      `${what}: the model predicts ${values[i]} for row ${Math.floor(i / perRow)}; a model with non-finite predictions is never deployed`,
    );
  }
}

const RESOURCE_PATTERNS = [
  /Invalid typed array length/i,
  /Array buffer allocation failed/i,
  /Invalid array length/i,
  /out of memory/i,
  /allocation fail/i,
  /Cannot allocate/i,
  /Requested texture size/i,
  /Failed to allocate/i,
];

/**
 * A memory or allocation failure (RangeError: Invalid typed array length, OOM, a GPU allocation) as a
 * non-retryable ResourceLimitError saying what to change; any other error is returned unchanged.
 */
export function asResourceError(
  error: unknown,
  context?: { rows: number; width: number; batchSize: number },
): unknown {
  const message = String((error as Error)?.message ?? error);
  if (error instanceof ResourceLimitError || !RESOURCE_PATTERNS.some((p) => p.test(message))) return error;
  const where = context
    ? `training ran out of memory (${message.split('\n')[0]}) with ${context.rows} rows × ${context.width} encoded inputs, batch size ${context.batchSize}`
    : `out of memory (${message.split('\n')[0]})`;
  return new ResourceLimitError(
    `${where}: drop id-like columns or encode high-cardinality ones with hashing (features: encode), lower train.batchSize, or give the worker more memory`,
    { cause: error },
  );
}
