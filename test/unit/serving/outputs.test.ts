import { describe, expect, it } from 'vitest';
import type { Preprocessing } from '../../../core/model/preprocess';
import { PredictionBatcher } from '../../../core/serving/batcher';
import { decodeOutputs, outputWidth } from '../../../core/serving/outputs';

const classifier: Preprocessing = {
  version: 1,
  target: 'species',
  labelType: 'string',
  classes: ['a', 'b'],
  features: [{ name: 'size', kind: 'numeric', dtype: 'number', mean: 0, std: 1, offset: 0 }],
  inputWidth: 1,
};

const regressor: Preprocessing = {
  ...classifier,
  target: 'width',
  labelType: 'number',
  classes: [],
  task: 'regression',
  targetScaling: { mean: 1.2, std: 0.5 },
};

describe('model outputs as predictions (the route and the library predictor share this)', () => {
  it('classification: the argmax label, each class probability, the chosen one as confidence', () => {
    expect(outputWidth(classifier)).toBe(2);
    const decoded = decodeOutputs(classifier, Float32Array.from([0.25, 0.75, 0.875, 0.125]), 2);
    expect(decoded.predictions).toEqual(['b', 'a']);
    expect(decoded.probabilities).toEqual([
      { a: 0.25, b: 0.75 },
      { a: 0.875, b: 0.125 },
    ]);
    expect(decoded.confidence).toEqual([0.75, 0.875]);
  });

  it('regression: one number per row in target units (y * std + mean), no probabilities', () => {
    expect(outputWidth(regressor)).toBe(1);
    const decoded = decodeOutputs(regressor, Float32Array.from([0, 2, -1]), 3);
    expect(decoded.predictions).toEqual([1.2, 2.2, 0.7]);
    expect(decoded.probabilities).toBeNull();
    expect(decoded.confidence).toEqual([null, null, null]);
  });

  it('refuses outputs of the wrong size rather than answering nothing', () => {
    expect(() => decodeOutputs(regressor, new Float32Array(0), 2)).toThrow(/0 outputs for 2 rows × 1/);
  });

  it('a batcher of one output per row hands each regression request its own rows', async () => {
    const batcher = new PredictionBatcher(
      (features, rows) => Float32Array.from({ length: rows }, (_, i) => features[i] * 10),
      1,
      outputWidth(regressor),
    );
    const [one, two] = await Promise.all([
      batcher.run(Float32Array.from([1]), 1),
      batcher.run(Float32Array.from([2, 3]), 2),
    ]);
    expect(decodeOutputs(regressor, one, 1).predictions).toEqual([1.2 + 10 * 0.5]);
    expect(decodeOutputs(regressor, two, 2).predictions).toEqual([1.2 + 20 * 0.5, 1.2 + 30 * 0.5]);
  });
});
