import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { runLocal } from '../../../client/local-run';
import { loadConfig } from '../../../core/config';
import { validateSpec } from '../../../core/spec/load';
import { baselineMetric, baselineMiss, naiveBaseline } from '../../../core/validation/baseline';

describe('the naive baseline', () => {
  const table = tableFromArrays({
    label: ['a', 'a', 'b', 'a', 'c', 'a', 'b', 'a'],
    y: Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
  });
  const train = Int32Array.from([0, 1, 2, 3, 4]);
  const holdout = Int32Array.from([5, 6, 7]);

  it('is the training majority class, scored by accuracy on the holdout', () => {
    const b = naiveBaseline(table, 'label', train, holdout, 'classification')!;
    expect(b).toEqual({ metric: 'accuracy', value: 2 / 3, prediction: "majority class 'a'", rows: 3 });
  });

  it('is the training mean, scored by RMSE on the holdout', () => {
    const b = naiveBaseline(table, 'y', train, holdout, 'regression')!;
    // mean of 1..5 = 3; errors 3, 4, 5 on 6, 7, 8.
    expect(b.metric).toBe('rmse');
    expect(b.value).toBeCloseTo(Math.sqrt((9 + 16 + 25) / 3), 12);
    expect(b.prediction).toBe('training mean 3');
  });

  it("is judged by the metric the gate names: AUC 0.5, or the constant prediction's macro-F1 (#14)", () => {
    expect(baselineMetric({ auc: 0.8 }, { accuracy: 0.9, auc: 0.85 })).toBe('auc');
    expect(baselineMetric({ auc: 0.8 }, { accuracy: 0.9, macroF1: 0.5 })).toBe('accuracy'); // no AUC: multiclass
    expect(baselineMetric({ macroF1: 0.6 }, { accuracy: 0.9, macroF1: 0.7 })).toBe('macroF1');
    expect(baselineMetric({}, { accuracy: 0.9, auc: 0.85 })).toBe('accuracy');
    const auc = naiveBaseline(table, 'label', train, holdout, 'classification', 'auc')!;
    expect(auc).toEqual({ metric: 'auc', value: 0.5, prediction: "majority class 'a'", rows: 3 });
    // Holdout a, b, a with 'a' predicted: F1(a) = 2·2 / (3 + 2) = 0.8, F1(b) = 0, over 2 classes.
    const f1 = naiveBaseline(table, 'label', train, holdout, 'classification', 'macroF1')!;
    expect(f1.value).toBeCloseTo(0.4, 12);
    // Imbalanced fraud data: a model that ties the majority on accuracy but ranks well (AUC 0.85) passes.
    expect(baselineMiss({ accuracy: 0.95, auc: 0.85 }, auc)).toBeNull();
    expect(baselineMiss({ accuracy: 0.95, auc: 0.5 }, auc)).toContain(
      'auc 0.5000 does not beat the naive baseline',
    );
  });

  it('a candidate must beat it strictly, with both figures in the message; a perfect tie passes', () => {
    const b = { metric: 'accuracy' as const, value: 0.8, prediction: "majority class 'a'", rows: 20 };
    expect(baselineMiss({ accuracy: 0.8 }, b)).toBe(
      "accuracy 0.8000 does not beat the naive baseline (majority class 'a': accuracy 0.8000 on the same 20 holdout rows); set validate.beatBaseline: false to skip this check",
    );
    expect(baselineMiss({ accuracy: 0.85 }, b)).toBeNull();
    expect(baselineMiss({ accuracy: 1 }, { ...b, value: 1 })).toBeNull();
    const r = { metric: 'rmse' as const, value: 2, prediction: 'training mean 3', rows: 10 };
    expect(baselineMiss({ rmse: 2.5 }, r)).toContain('rmse 2.5000 does not beat the naive baseline');
    expect(baselineMiss({ rmse: 1.5 }, r)).toBeNull();
  });
});

describe('validate fails a model that does not beat the majority class, unless the spec turns it off', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-baseline-'));
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));
  // 80% `no`, labels independent of x, no row repeated (x takes 100 distinct values: the duplicates check stays quiet); balanced class weights make the model guess `yes` about half the time.
  const rows = Array.from(
    { length: 100 },
    (_, i) => `${(i * 37) % 101}.5,${(i * 53) % 7},${i % 5 === 0 ? 'yes' : 'no'}`,
  );
  const file = path.join(home, 'noise.csv');
  fs.writeFileSync(file, `x,z,label\n${rows.join('\n')}\n`);
  const spec = (extra: Record<string, unknown> = {}) =>
    validateSpec({
      name: 'noise',
      source: { uri: file },
      target: { column: 'label' },
      train: { model: 'logistic', epochs: 2, classWeights: 'balanced', learningRate: 0.1 },
      ...extra,
    });
  const config = loadConfig({}, { home, store: `file://${path.join(home, 'checkpoints')}` });

  it('fails validate non-retryably with both figures, and records baseline.accuracy in the metrics', async () => {
    const view = await runLocal(spec(), { config });
    expect(view.status).toBe('FAILED');
    const validate = view.steps.find((s) => s.name === 'validate')!;
    expect(validate.status).toBe('failed');
    expect(validate.error).toMatch(
      /accuracy 0\.\d{4} does not beat the naive baseline \(majority class 'no': accuracy 0\.8000 on the same 20 holdout rows\)/,
    );
    expect(view.steps.find((s) => s.name === 'deploy')!.status).not.toBe('completed');
  });

  it('with validate.beatBaseline: false the same model deploys, its summary showing the baseline', async () => {
    const view = await runLocal(spec({ validate: { beatBaseline: false } }), { config });
    expect(view.status).toBe('COMPLETED');
    const validate = view.steps.find((s) => s.name === 'validate')!;
    expect(validate.summary['baseline.accuracy']).toBe(0.8);
    expect(validate.summary.accuracy).toBeLessThan(0.8);
  });
});
