import { argmaxRows } from '../model/metrics';
import { decodeLabel, type Preprocessing } from '../model/preprocess';
import { columnRecord } from '../own-keys';

/** Values the model gives per row: one per class (softmax) for classification, one for regression. */
export function outputWidth(prep: Preprocessing): number {
  return prep.task === 'regression' ? 1 : prep.classes.length;
}

/** A batch of model outputs in the target's own terms, as `:predict` answers and the log records them. */
export interface DecodedOutputs {
  /** One per row: the class label in the target column's type, or the regression value in target units. */
  predictions: (string | number | boolean)[];
  /** Classification: one `{class: probability}` per row; regression: null (a regressor has none). */
  probabilities: Record<string, number>[] | null;
  /** Classification: the predicted class's probability per row; regression: null per row. */
  confidence: (number | null)[];
}

/**
 * Turns raw model outputs (`rows × outputWidth(prep)`, row-major) into predictions: the argmax class
 * for classification, `y * std + mean` (the target scaling fitted in training) for regression. The one
 * decoder of the serving route and the library `Predictor`, so both answer the same for a row.
 *
 * @throws Error when `outputs` does not hold `rows × outputWidth(prep)` values.
 */
export function decodeOutputs(prep: Preprocessing, outputs: Float32Array, rows: number): DecodedOutputs {
  const width = outputWidth(prep);
  if (outputs.length !== rows * width)
    throw new Error(`model gave ${outputs.length} outputs for ${rows} rows × ${width}`);
  if (prep.task === 'regression') {
    const { mean, std } = prep.targetScaling ?? { mean: 0, std: 1 };
    return {
      predictions: Array.from(outputs, (y) => y * std + mean),
      probabilities: null,
      confidence: new Array<null>(rows).fill(null),
    };
  }
  const best = argmaxRows(outputs, width);
  const probabilities = Array.from({ length: rows }, (_, i) => {
    const row = columnRecord<number>();
    for (let k = 0; k < width; k++) row[prep.classes[k]] = outputs[i * width + k];
    return row;
  });
  return {
    predictions: Array.from(best, (k) => decodeLabel(prep, k)),
    probabilities,
    confidence: Array.from(best, (k, i) => outputs[i * width + k]),
  };
}
