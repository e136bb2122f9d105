import type * as arrow from 'apache-arrow';
import type * as tf from '@tensorflow/tfjs';
import { DataError } from '../errors';
import { classificationMetrics, predictTableRows } from '../model/metrics';
import { encodeLabels, type Preprocessing } from '../model/preprocess';
import { regressionMetrics, regressionPredictions } from '../model/regression-metrics';
import type { SliceSpec } from '../spec/schema';
import type { Metrics, ModelEvaluation, SliceMetrics } from './gate';
import type { HoldoutPredictions } from './predictions';

/** How a slice names rows whose column is null. */
export const NULL_SLICE = '(null)';

/** The holdout rows grouped by each slice column's value (in first-seen order). */
export interface SliceRows {
  column: string;
  value: string;
  /** Positions within the holdout rows, not table row indices. */
  positions: Int32Array;
}

/** Groups `rows` by the value of each declared slice column; a missing column names its spec field. */
export function sliceRows(table: arrow.Table, rows: Int32Array, slices: SliceSpec[]): SliceRows[] {
  const groups: SliceRows[] = [];
  slices.forEach((slice, i) => {
    const column = table.getChild(slice.column);
    if (!column) {
      const names = table.schema.fields.map((f) => f.name).join(', ');
      throw new DataError(
        `validate.slices[${i}].column: no column "${slice.column}" in the data (columns: ${names})`,
      );
    }
    const byValue = new Map<string, number[]>();
    rows.forEach((row, position) => {
      const raw: unknown = column.get(row);
      const value = raw === null || raw === undefined ? NULL_SLICE : String(raw);
      let list = byValue.get(value);
      if (!list) byValue.set(value, (list = []));
      list.push(position);
    });
    for (const [value, positions] of byValue)
      groups.push({ column: slice.column, value, positions: Int32Array.from(positions) });
  });
  return groups;
}

/**
 * Scores one model on the holdout `rows`, overall and per slice. The model's own preprocessing turns
 * the rows into inputs and labels, so a champion trained with other categories is scored fairly.
 * `onPredictions` receives the predictions it scored (predicted once, shared by every slice).
 */
export function evaluateModel(
  role: ModelEvaluation['role'],
  version: number | null,
  model: tf.LayersModel,
  preprocessing: Preprocessing,
  table: arrow.Table,
  rows: Int32Array,
  slices: SliceRows[],
  onPredictions?: (predictions: HoldoutPredictions) => void,
): ModelEvaluation {
  if (preprocessing.task === 'regression') {
    const { actual, predicted } = regressionPredictions(model, preprocessing, table, rows);
    onPredictions?.({ task: 'regression', rows, actual, predicted });
    const score = (positions: Int32Array) => ({
      ...regressionMetrics(
        Float64Array.from(positions, (p) => actual[p]),
        Float64Array.from(positions, (p) => predicted[p]),
      ),
    });
    return {
      role,
      version,
      rows: rows.length,
      overall: { ...regressionMetrics(actual, predicted) },
      slices: slices.map((slice) => ({
        column: slice.column,
        value: slice.value,
        rows: slice.positions.length,
        metrics: score(slice.positions),
      })),
    };
  }
  const classes = preprocessing.classes.length;
  const labels = encodeLabels(table, preprocessing, rows);
  // Encoded and predicted in chunks: a wide encoding never materialises for the whole holdout.
  const probabilities = predictTableRows(model, preprocessing, table, rows, classes);
  onPredictions?.({ task: 'classification', rows, classes: preprocessing.classes, labels, probabilities });
  const scored: SliceMetrics[] = slices.map((slice) => {
    const sliceLabels = Int32Array.from(slice.positions, (p) => labels[p]);
    const sliceProbabilities = new Float32Array(slice.positions.length * classes);
    slice.positions.forEach((p, i) =>
      sliceProbabilities.set(probabilities.subarray(p * classes, (p + 1) * classes), i * classes),
    );
    return {
      column: slice.column,
      value: slice.value,
      rows: slice.positions.length,
      metrics: definedOnly(classificationMetrics(sliceLabels, sliceProbabilities, classes)),
    };
  });
  return {
    role,
    version,
    rows: rows.length,
    overall: definedOnly(classificationMetrics(labels, probabilities, classes)),
    slices: scored,
  };
}

function definedOnly(metrics: object): Metrics {
  return Object.fromEntries(
    Object.entries(metrics).filter((entry): entry is [string, number] => typeof entry[1] === 'number'),
  );
}
