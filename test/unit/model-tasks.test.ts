import * as arrow from 'apache-arrow';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../core/errors';
import { modelFromArrow, modelToArrowAsync, type EpochStats } from '../../core/model/codec';
import { shouldStopEarly, type EarlyStoppingParams } from '../../core/model/early-stopping';
import { evaluateClassifier } from '../../core/model/metrics';
import { evaluateRegressor, regressionMetrics } from '../../core/model/regression-metrics';
import { resolveTask } from '../../core/model/task';
import { trainClassifier } from '../../core/model/train';

/** Deterministic pseudo-random numbers in [0, 1). */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

/** `n` rows of features a, b, c and a target computed from them. */
function synthetic(n: number, target: (a: number, b: number, c: number) => number | string): arrow.Table {
  const r = random(11);
  const rows = Array.from({ length: n }, () => [r(), r(), r()]);
  const values = rows.map(([a, b, c]) => target(a, b, c));
  return new arrow.Table({
    a: arrow.vectorFromArray(Float64Array.from(rows, (x) => x[0])),
    b: arrow.vectorFromArray(Float64Array.from(rows, (x) => x[1])),
    c: arrow.vectorFromArray(Float64Array.from(rows, (x) => x[2])),
    y:
      typeof values[0] === 'string'
        ? arrow.vectorFromArray(values as string[], new arrow.Utf8())
        : arrow.vectorFromArray(Float64Array.from(values as number[])),
  });
}

const params = { hiddenUnits: [16], epochs: 40, batchSize: 32, learningRate: 0.02, seed: 5 };

describe('resolveTask', () => {
  const table = new arrow.Table({
    label: arrow.vectorFromArray(['a', 'b'], new arrow.Utf8()),
    flag: arrow.vectorFromArray(Int32Array.from([0, 1])),
    price: arrow.vectorFromArray(Float64Array.from([1.5, 2.25])),
    many: arrow.vectorFromArray(Int32Array.from({ length: 30 }, (_, i) => i)),
  });
  it('infers classification for strings and few integers, regression for other numbers', () => {
    expect(resolveTask(table, 'label')).toBe('classification');
    expect(resolveTask(table, 'flag')).toBe('classification');
    expect(resolveTask(table, 'price')).toBe('regression');
    expect(resolveTask(table, 'many')).toBe('regression');
  });
  it('honours a declared task, and rejects regression on a non-numeric target naming the field', () => {
    expect(resolveTask(table, 'price', 'classification')).toBe('classification');
    expect(resolveTask(table, 'flag', 'regression')).toBe('regression');
    expect(() => resolveTask(table, 'label', 'regression')).toThrow(
      new DataError('target.task: regression needs a numeric target; "label" is Utf8'),
    );
  });
});

describe('regressionMetrics', () => {
  it('computes RMSE, MAE and R² by their definitions', () => {
    const m = regressionMetrics([1, 2, 3, 4], [1, 2, 3, 6]);
    expect(m.rmse).toBeCloseTo(1, 12); // sqrt(4 / 4)
    expect(m.mae).toBeCloseTo(0.5, 12);
    expect(m.r2).toBeCloseTo(1 - 4 / 5, 12); // SST = 2.25 + 0.25 + 0.25 + 2.25
    expect(regressionMetrics([2, 2], [2, 2]).r2).toBe(1);
    expect(() => regressionMetrics([], [])).toThrow(DataError);
  });
});

describe('shouldStopEarly', () => {
  const es: EarlyStoppingParams = { patience: 2, monitor: 'val_loss', validationFraction: 0.1, minDelta: 0 };
  const h = (valLoss: number[]): EpochStats[] =>
    valLoss.map((v, i) => ({ epoch: i + 1, loss: v, accuracy: null, valLoss: v }));
  it('stops once `patience` epochs pass without improvement, and not before', () => {
    expect(shouldStopEarly(h([1, 0.9, 0.95]), es)).toBe(false);
    expect(shouldStopEarly(h([1, 0.9, 0.95, 0.91]), es)).toBe(true);
    expect(shouldStopEarly(h([1, 0.9, 0.95, 0.85]), es)).toBe(false);
    expect(shouldStopEarly(h([1, 0.9, 0.89]), { ...es, patience: 1, minDelta: 0.05 })).toBe(true);
    const acc = (v: number[]) => v.map((x, i) => ({ epoch: i + 1, loss: 1, accuracy: x, valAccuracy: x }));
    expect(shouldStopEarly(acc([0.5, 0.7, 0.6, 0.65]), { ...es, monitor: 'val_accuracy' })).toBe(true);
  });
});

describe('training tasks', () => {
  it('regresses a numeric target (linear output, MSE) and reports RMSE, MAE and R² in its units', async () => {
    const table = synthetic(600, (a, b, c) => 100 + 30 * a - 20 * b + 5 * c);
    const trained = await trainClassifier({ table, target: 'y', split: { holdout: 0.2, seed: 1 }, params });
    try {
      expect(trained.task).toBe('regression');
      expect(trained.preprocessing).toMatchObject({ task: 'regression', classes: [] });
      expect(trained.preprocessing.targetScaling!.mean).toBeGreaterThan(90);
      expect(trained.history.every((h) => h.accuracy === null)).toBe(true);
      // Round trip through the checkpoint, as validate sees it.
      const restored = await modelFromArrow(
        await modelToArrowAsync(trained.model, trained.preprocessing, { backend: 'x', device: 'y' }),
      );
      const metrics = evaluateRegressor(
        restored.model,
        restored.preprocessing,
        table,
        trained.split.holdoutRows,
      );
      restored.model.dispose();
      expect(metrics.r2).toBeGreaterThan(0.9);
      expect(metrics.rmse).toBeLessThan(4); // the target spans about 55 units
      expect(metrics.mae).toBeLessThanOrEqual(metrics.rmse);
    } finally {
      trained.model.dispose();
    }
  });

  it('classifies a binary string target with AUC among its metrics', async () => {
    const table = synthetic(600, (a, b) => (a > b ? 'up' : 'down'));
    const trained = await trainClassifier({ table, target: 'y', split: { holdout: 0.2, seed: 1 }, params });
    try {
      expect(trained.task).toBe('classification');
      expect(trained.preprocessing.classes).toEqual(['down', 'up']);
      const metrics = evaluateClassifier(
        trained.model,
        trained.preprocessing,
        table,
        trained.split.holdoutRows,
      );
      expect(metrics.accuracy).toBeGreaterThan(0.9);
      expect(metrics.auc).toBeGreaterThan(0.95);
    } finally {
      trained.model.dispose();
    }
  });

  it('stops early on a validation split carved from the training rows, never from the holdout', async () => {
    const table = synthetic(400, (a, b) => (a > b ? 'up' : 'down'));
    const earlyStopping: EarlyStoppingParams = {
      patience: 2,
      monitor: 'val_loss',
      validationFraction: 0.25,
      minDelta: 0.5, // nothing improves by half a unit of loss: stops after patience epochs
    };
    const trained = await trainClassifier({
      table,
      target: 'y',
      split: { holdout: 0.2, seed: 1 },
      params: { ...params, epochs: 50 },
      earlyStopping,
    });
    try {
      expect(trained.stoppedEarlyAt).toBe(3);
      expect(trained.history).toHaveLength(3);
      expect(
        trained.history.every((h) => typeof h.valLoss === 'number' && typeof h.valAccuracy === 'number'),
      ).toBe(true);
      // 320 training rows, a quarter of them monitored: 240 fitted.
      expect(trained.trainRows).toBe(240);
      expect(trained.holdoutRows).toBe(80);
    } finally {
      trained.model.dispose();
    }
  });

  it('stops within an epoch when its signal fires, and reports progress inside long epochs', async () => {
    const table = synthetic(3000, (a, b) => (a > b ? 'up' : 'down'));
    const controller = new AbortController();
    const progress: number[] = [];
    const run = trainClassifier({
      table,
      target: 'y',
      split: { holdout: 0.2, seed: 1 },
      params: { ...params, batchSize: 1, epochs: 3 },
      signal: controller.signal,
      progressEveryMs: 20,
      onProgress: (p) => {
        progress.push(p.batch);
        if (p.batch > 200) controller.abort();
      },
    });
    const before = tf.memory().numTensors;
    await expect(run).rejects.toThrow(/aborted/i);
    // It stopped in the first epoch, a few batches after the abort: not after all 2400 of them.
    expect(progress.length).toBeGreaterThan(1);
    expect(Math.max(...progress)).toBeLessThan(2400);
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
  });
});
