import { describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import { DataError } from '../../core/errors';
import { classificationMetrics, metricsToArrow, rocAuc } from '../../core/model/metrics';

describe('classificationMetrics', () => {
  it('matches hand-computed accuracy, macro-F1 and log loss on three classes', () => {
    const yTrue = Int32Array.from([0, 0, 1, 1, 2, 2]);
    // argmax: 0, 1, 1, 1, 2, 0
    const probs = Float32Array.from([
      0.7, 0.2, 0.1, 0.3, 0.6, 0.1, 0.1, 0.8, 0.1, 0.2, 0.5, 0.3, 0.1, 0.1, 0.8, 0.5, 0.25, 0.25,
    ]);
    const m = classificationMetrics(yTrue, probs, 3);
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
    // class 0: tp 1, predicted 2, support 2 → F1 0.5; class 1: tp 2, predicted 3, support 2 → 0.8;
    // class 2: tp 1, predicted 1, support 2 → 2/3.
    expect(m.macroF1).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3, 6);
    const expectedLogLoss =
      -(Math.log(0.7) + Math.log(0.3) + Math.log(0.8) + Math.log(0.5) + Math.log(0.8) + Math.log(0.25)) / 6;
    expect(m.logLoss).toBeCloseTo(expectedLogLoss, 6);
    expect(m.auc).toBeUndefined();
  });

  it('clips probabilities so a confident wrong answer gives a finite log loss', () => {
    const m = classificationMetrics(Int32Array.from([0, 1]), Float32Array.from([0, 1, 0, 1]), 2);
    expect(m.logLoss).toBeCloseTo(-Math.log(1e-15) / 2, 6);
    expect(Number.isFinite(m.logLoss)).toBe(true);
    expect(m.accuracy).toBe(0.5);
  });

  it('macro-F1 leaves out classes absent from both labels and predictions', () => {
    const m = classificationMetrics(
      Int32Array.from([0, 1]),
      Float32Array.from([0.9, 0.1, 0, 0.1, 0.9, 0]),
      3,
    );
    expect(m.macroF1).toBe(1);
  });

  it('computes binary AUC with tied scores counting half', () => {
    // scores of class 1: positives 0.8, 0.4, 0.4; negatives 0.4, 0.1.
    const yTrue = Int32Array.from([1, 1, 1, 0, 0]);
    const scores = [0.8, 0.4, 0.4, 0.4, 0.1];
    const probs = Float32Array.from(scores.flatMap((s) => [1 - s, s]));
    // pairs (pos, neg): 0.8>0.4, 0.8>0.1, 0.4=0.4 (½), 0.4>0.1, 0.4=0.4 (½), 0.4>0.1 → 5/6.
    const m = classificationMetrics(yTrue, probs, 2);
    expect(m.auc).toBeCloseTo(5 / 6, 6);
    expect(rocAuc([1, 0], [0.5, 0.5])).toBe(0.5);
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4])).toBe(0);
  });

  it('leaves AUC out when only one class is present, and checks its inputs', () => {
    const m = classificationMetrics(Int32Array.from([1, 1]), Float32Array.from([0.2, 0.8, 0.6, 0.4]), 2);
    expect(m.auc).toBeUndefined();
    expect(m.accuracy).toBe(0.5);
    expect(() => classificationMetrics(Int32Array.from([0]), Float32Array.from([1]), 2)).toThrow(DataError);
    expect(() => classificationMetrics(Int32Array.from([2]), Float32Array.from([0.5, 0.5]), 2)).toThrow(
      DataError,
    );
  });
});

describe('metricsToArrow', () => {
  it('writes one metric per row, leaving out undefined values, and survives IPC', () => {
    const table = metricsToArrow(
      { accuracy: 0.9, macroF1: 0.85, logLoss: 0.3, auc: undefined },
      { rows: 30 },
    );
    const back = arrow.tableFromIPC(arrow.tableToIPC(table, 'file'));
    expect(String(back.schema.fields[0].type)).toBe('Utf8');
    expect(String(back.schema.fields[1].type)).toBe('Float64');
    expect(back.toArray().map((r) => [r.metric, r.value])).toEqual([
      ['accuracy', 0.9],
      ['macroF1', 0.85],
      ['logLoss', 0.3],
      ['rows', 30],
    ]);
  });
});
