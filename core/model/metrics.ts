import * as arrow from 'apache-arrow';
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../errors';
import { assertFinitePredictions } from './numeric-safety';
import { preprocessedSource } from './batches';
import { encodeLabels, type Preprocessing } from './preprocess';

export interface ClassificationMetrics {
  accuracy: number;
  /** Unweighted mean F1 over the classes present in the labels or the predictions (as scikit-learn). */
  macroF1: number;
  /** Mean negative log probability of the true class, probabilities clipped to [1e-15, 1 - 1e-15]. */
  logLoss: number;
  /** ROC AUC of class 1 (rank-based, ties count half); binary tasks with both classes present only. */
  auc?: number;
}

const EPS = 1e-15;

/** The class with the highest probability in each row (first one on ties). */
export function argmaxRows(probs: Float32Array, numClasses: number): Int32Array {
  const n = probs.length / numClasses;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < numClasses; k++)
      if (probs[i * numClasses + k] > probs[i * numClasses + best]) best = k;
    out[i] = best;
  }
  return out;
}

/** Metrics of class probabilities (`yTrue.length` rows × `numClasses`, row-major) against true class ids. */
export function classificationMetrics(
  yTrue: Int32Array,
  probs: Float32Array,
  numClasses: number,
): ClassificationMetrics {
  const n = yTrue.length;
  if (n === 0) throw new DataError('cannot compute metrics on zero rows');
  if (probs.length !== n * numClasses) {
    throw new DataError(
      `expected ${n * numClasses} probabilities (${n} rows × ${numClasses}), got ${probs.length}`,
    );
  }
  const predicted = argmaxRows(probs, numClasses);

  let correct = 0;
  let logLoss = 0;
  const tp = new Float64Array(numClasses);
  const support = new Float64Array(numClasses);
  const predictedCount = new Float64Array(numClasses);
  for (let i = 0; i < n; i++) {
    const y = yTrue[i];
    if (!(y >= 0 && y < numClasses))
      throw new DataError(`label ${y} at row ${i} is outside 0..${numClasses - 1}`);
    const p = predicted[i];
    support[y]++;
    predictedCount[p]++;
    if (p === y) {
      correct++;
      tp[y]++;
    }
    const py = Math.min(Math.max(probs[i * numClasses + y], EPS), 1 - EPS);
    logLoss -= Math.log(py);
  }

  let f1Sum = 0;
  let present = 0;
  for (let k = 0; k < numClasses; k++) {
    if (support[k] === 0 && predictedCount[k] === 0) continue;
    present++;
    // F1 = 2TP / (2TP + FP + FN) = 2TP / (predicted + support); 0 when there is no true positive.
    f1Sum += (2 * tp[k]) / (predictedCount[k] + support[k]);
  }

  const metrics: ClassificationMetrics = {
    accuracy: correct / n,
    macroF1: f1Sum / present,
    logLoss: logLoss / n,
  };
  if (numClasses === 2) {
    const scores = new Float64Array(n);
    for (let i = 0; i < n; i++) scores[i] = probs[i * 2 + 1];
    const auc = rocAuc(yTrue, scores);
    if (auc !== undefined) metrics.auc = auc;
  }
  return metrics;
}

/**
 * ROC AUC via the Mann–Whitney U statistic: tied scores get their average rank, so a tie between a
 * positive and a negative counts half. Undefined when only one class is present.
 */
export function rocAuc(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number | undefined {
  const n = yTrue.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < n;) {
    let end = start;
    while (end + 1 < n && scores[order[end + 1]] === scores[order[start]]) end++;
    const averageRank = (start + end) / 2 + 1;
    for (let j = start; j <= end; j++) {
      if (yTrue[order[j]] === 1) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    start = end + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return undefined;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Class probabilities for `features` (row-major, `width` per row), as a flat Float32Array. Throws
 * NonFiniteValueError when a probability is NaN or infinite (a broken model never passes validation).
 */
export function predictProbabilities(
  model: tf.LayersModel,
  features: Float32Array,
  width: number,
): Float32Array {
  if (width <= 0 || features.length % width !== 0) {
    throw new DataError(
      `feature buffer of ${features.length} values is not a whole number of rows of width ${width}`,
    );
  }
  const rows = features.length / width;
  const out = tf.tidy(() => {
    const x = tf.tensor2d(features, [rows, width]);
    const y = model.predict(x, { batchSize: 1024 }) as tf.Tensor;
    return y.dataSync();
  });
  assertFinitePredictions(out, out.length / rows, 'prediction');
  return out instanceof Float32Array ? out : Float32Array.from(out as ArrayLike<number>);
}

/** Rows encoded and predicted at a time by predictTableRows. */
const PREDICT_CHUNK = 4096;

/**
 * Model outputs (`outputs` per row, row-major) for `rows` of `table`, encoded and predicted a chunk at a
 * time, so memory stays one chunk of encoded inputs however wide the encoding (validation of a
 * 5,000-category column). Throws NonFiniteValueError on a non-finite output.
 */
export function predictTableRows(
  model: tf.LayersModel,
  preprocessing: Preprocessing,
  table: arrow.Table,
  rows: Int32Array,
  outputs: number,
): Float32Array {
  const source = preprocessedSource(table, preprocessing);
  const out = new Float32Array(rows.length * outputs);
  for (let start = 0; start < rows.length; start += PREDICT_CHUNK) {
    const chunk = rows.subarray(start, Math.min(start + PREDICT_CHUNK, rows.length));
    out.set(predictProbabilities(model, source.batch(chunk), source.width), start * outputs);
  }
  return out;
}

/** Predicts `rows` of `table` and scores them against their labels: what the validate step runs. */
export function evaluateClassifier(
  model: tf.LayersModel,
  preprocessing: Preprocessing,
  table: arrow.Table,
  rows: Int32Array,
): ClassificationMetrics {
  const y = encodeLabels(table, preprocessing, rows);
  const classes = preprocessing.classes.length;
  const probs = predictTableRows(model, preprocessing, table, rows, classes);
  return classificationMetrics(y, probs, classes);
}

/** Metrics as an Arrow table: `metric` (Utf8), `value` (Float64); undefined values are left out. */
export function metricsToArrow(
  metrics: ClassificationMetrics | Record<string, number | undefined>,
  extra?: Record<string, number>,
): arrow.Table {
  const entries = Object.entries({ ...metrics, ...extra }).filter(
    (entry): entry is [string, number] => typeof entry[1] === 'number',
  );
  return new arrow.Table({
    metric: arrow.vectorFromArray(
      entries.map(([name]) => name),
      new arrow.Utf8(),
    ),
    value: arrow.vectorFromArray(Float64Array.from(entries, ([, value]) => value)),
  });
}
