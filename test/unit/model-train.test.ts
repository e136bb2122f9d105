import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../core/errors';
import {
  historyFromArrow,
  historyToArrow,
  MODEL_KEYS,
  modelFromArrow,
  modelToArrow,
  type EpochStats,
} from '../../core/model/codec';
import { classificationMetrics, evaluateClassifier, predictProbabilities } from '../../core/model/metrics';
import { encodeLabels, transformFeatures, transformInstances } from '../../core/model/preprocess';
import { holdoutRows, trainClassifier, type TrainArgs, type TrainedModel } from '../../core/model/train';

/** iris.csv → Arrow: four Float64 measurements and the Utf8 species. */
function loadIris(): arrow.Table {
  const [, ...lines] = readFileSync(path.join(__dirname, '../../data/iris.csv'), 'utf8')
    .trim()
    .split(/\r?\n/);
  const rows = lines.map((line) => line.split(','));
  const num = (c: number) => Float64Array.from(rows, (r) => Number(r[c]));
  return new arrow.Table({
    sepal_length: arrow.vectorFromArray(num(0)),
    sepal_width: arrow.vectorFromArray(num(1)),
    petal_length: arrow.vectorFromArray(num(2)),
    petal_width: arrow.vectorFromArray(num(3)),
    species: arrow.vectorFromArray(
      rows.map((r) => r[4]),
      new arrow.Utf8(),
    ),
  });
}

const iris = loadIris();
const params = { hiddenUnits: [16, 16], epochs: 60, batchSize: 16, learningRate: 0.01, seed: 42 };
const args: TrainArgs = { table: iris, target: 'species', split: { holdout: 0.2, seed: 42 }, params };

async function weightsOf(model: tf.LayersModel): Promise<number[][]> {
  return Promise.all(model.getWeights().map(async (w) => Array.from(await w.data())));
}

describe('trainClassifier on iris', () => {
  let trained: TrainedModel;
  const events: EpochStats[] = [];
  const heartbeats: string[] = [];
  let tensorsBefore = 0;

  beforeAll(async () => {
    tensorsBefore = tf.memory().numTensors;
    const started = performance.now();
    trained = await trainClassifier({
      ...args,
      onEpoch: async (event) => {
        events.push({ epoch: event.epoch, loss: event.loss, accuracy: event.accuracy });
        heartbeats.push(JSON.stringify(event));
        await Promise.resolve();
      },
    });
    console.info(
      `iris: ${params.epochs} epochs on ${trained.backend} / ${trained.device} in ${trained.trainMs.toFixed(0)} ms ` +
        `(${(performance.now() - started).toFixed(0)} ms with setup)`,
    );
  });

  afterAll(() => trained?.model.dispose());

  it('reaches holdout accuracy >= 0.9 with the default parameters', () => {
    expect(trained.backend).toBe('wasm');
    expect(trained.trainRows).toBe(120);
    expect(trained.holdoutRows).toBe(30);
    expect(trained.droppedRows).toBe(0);
    expect(trained.preprocessing.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    const metrics = evaluateClassifier(trained.model, trained.preprocessing, iris, trained.split.holdoutRows);
    expect(metrics.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(metrics.macroF1).toBeGreaterThanOrEqual(0.9);
    expect(metrics.logLoss).toBeLessThan(0.5);
    const last = trained.history[trained.history.length - 1];
    expect(last.loss).toBeLessThan(trained.history[0].loss);
  });

  it('reports every epoch, with only epoch/loss/accuracy in the JSON form (heartbeat-safe)', () => {
    expect(trained.history.map((h) => h.epoch)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(events).toEqual(trained.history);
    expect(Object.keys(JSON.parse(heartbeats[0]) as object).sort()).toEqual(['accuracy', 'epoch', 'loss']);
  });

  it('holds out the rows holdoutRows() names, stratified by class', () => {
    expect(Array.from(holdoutRows(iris, 'species', args.split))).toEqual(
      Array.from(trained.split.holdoutRows),
    );
    const y = encodeLabels(iris, trained.preprocessing, trained.split.holdoutRows);
    expect([0, 1, 2].map((k) => y.filter((v) => v === k).length)).toEqual([10, 10, 10]);
    const overlap = trained.split.trainRows.filter((r) => trained.split.holdoutRows.includes(r));
    expect(overlap.length).toBe(0);
  });

  it('fits preprocessing on the training rows only', () => {
    const train = trained.split.trainRows;
    const col = iris.getChild('petal_length')!;
    const mean = Array.from(train, (r) => col.get(r) as number).reduce((a, b) => a + b, 0) / train.length;
    expect(trained.preprocessing.features[2]).toMatchObject({ name: 'petal_length', kind: 'numeric' });
    expect((trained.preprocessing.features[2] as { mean: number }).mean).toBeCloseTo(mean, 10);
  });

  it('gives identical weights for the same seed, different ones for another seed', async () => {
    const again = await trainClassifier(args);
    try {
      expect(await weightsOf(again.model)).toEqual(await weightsOf(trained.model));
      expect(again.history).toEqual(trained.history);
    } finally {
      again.model.dispose();
    }
    const other = await trainClassifier({ ...args, params: { ...params, seed: 7, epochs: 2 } });
    const first = await trainClassifier({ ...args, params: { ...params, epochs: 2 } });
    try {
      expect(await weightsOf(other.model)).not.toEqual(await weightsOf(first.model));
    } finally {
      other.model.dispose();
      first.model.dispose();
    }
  });

  it('leaks no tensors: disposing the model returns to the starting count', async () => {
    const before = tf.memory().numTensors;
    const run = await trainClassifier({ ...args, params: { ...params, epochs: 5 } });
    run.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // The suite's own model is the only thing alive since beforeAll.
    expect(before - tensorsBefore).toBe(trained.model.weights.length);
  });

  it('round-trips through Arrow IPC with identical predictions', async () => {
    const table = modelToArrow(trained.model, trained.preprocessing, {
      backend: trained.backend,
      device: trained.device,
      runNote: 'iris test',
    });
    expect(table.numRows).toBe(6);
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'name:Utf8',
      'role:Utf8',
      'dtype:Utf8',
      'shape:List<Int32>',
      'values:List<Float32>',
    ]);
    expect(table.getChild('name')!.toArray()).toEqual([
      'hidden_1/kernel',
      'hidden_1/bias',
      'hidden_2/kernel',
      'hidden_2/bias',
      'output/kernel',
      'output/bias',
    ]);
    expect(Array.from(table.getChild('shape')!.get(0) as arrow.Vector)).toEqual([4, 16]);

    const bytes = arrow.tableToIPC(table, 'file');
    // Same model, same bytes: checkpoints are content addressed.
    expect(
      Buffer.from(
        arrow.tableToIPC(
          modelToArrow(trained.model, trained.preprocessing, {
            backend: trained.backend,
            device: trained.device,
            runNote: 'iris test',
          }),
          'file',
        ),
      ).equals(Buffer.from(bytes)),
    ).toBe(true);
    const decoded = arrow.tableFromIPC(bytes);
    expect(decoded.schema.metadata.get(MODEL_KEYS.backend)).toBe('wasm');
    expect(decoded.schema.metadata.get(MODEL_KEYS.device)).toBe(trained.device);
    expect(JSON.parse(decoded.schema.metadata.get(MODEL_KEYS.preprocessing)!)).toEqual(trained.preprocessing);
    expect(JSON.parse(decoded.schema.metadata.get(MODEL_KEYS.topology)!)).toMatchObject({
      class_name: 'Sequential',
    });

    const restored = await modelFromArrow(decoded);
    try {
      expect(restored.backend).toBe('wasm');
      expect(restored.extra).toEqual({ runNote: 'iris test' });
      expect(restored.preprocessing).toEqual(trained.preprocessing);
      const x = transformFeatures(
        iris,
        trained.preprocessing,
        Int32Array.from({ length: 150 }, (_, i) => i),
      );
      const width = trained.preprocessing.inputWidth;
      expect(Array.from(predictProbabilities(restored.model, x, width))).toEqual(
        Array.from(predictProbabilities(trained.model, x, width)),
      );
      // Serving path: JSON instances through the restored preprocessing.
      const probs = predictProbabilities(
        restored.model,
        transformInstances(
          [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }],
          restored.preprocessing,
        ),
        width,
      );
      expect(Array.from(probs).indexOf(Math.max(...probs))).toBe(0);
    } finally {
      restored.model.dispose();
    }
  });

  it('rejects tables that are not model checkpoints', async () => {
    await expect(modelFromArrow(historyToArrow(trained.history))).rejects.toThrow(DataError);
  });

  it('writes the history as epoch Int32, loss and accuracy Float64', () => {
    const table = arrow.tableFromIPC(arrow.tableToIPC(historyToArrow(trained.history), 'file'));
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'epoch:Int32',
      'loss:Float64',
      'accuracy:Float64',
    ]);
    expect(table.numRows).toBe(60);
    expect(historyFromArrow(table)).toEqual(trained.history);
  });
});

describe('epoch checkpoints', () => {
  it('resume after an interrupted run to the same weights as an uninterrupted one', async () => {
    const short = { ...params, epochs: 8 };
    const straight = await trainClassifier({ ...args, params: short });

    let saved: arrow.Table | undefined;
    const controller = new AbortController();
    await expect(
      trainClassifier({
        ...args,
        params: short,
        signal: controller.signal,
        onEpoch: async (event) => {
          if (event.epoch === 3) {
            saved = arrow.tableFromIPC(arrow.tableToIPC(await event.checkpoint(), 'file'));
            controller.abort(new Error('worker moved'));
          }
        },
      }),
    ).rejects.toThrow('worker moved');
    expect(saved!.schema.metadata.get(MODEL_KEYS.epoch)).toBe('3');
    expect(
      saved!
        .getChild('role')!
        .toArray()
        .filter((r: string) => r === 'optimizer').length,
    ).toBe(13);

    const resumed = await trainClassifier({ ...args, params: short, resumeFrom: saved });
    try {
      expect(resumed.resumedFromEpoch).toBe(3);
      expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(resumed.history.slice(0, 3)).toEqual(straight.history.slice(0, 3));
      const a = (await weightsOf(resumed.model)).flat();
      const b = (await weightsOf(straight.model)).flat();
      // Adam's bias-correction powers are recomputed on restore, so allow float rounding.
      expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeLessThan(1e-4);
      const holdout = straight.split.holdoutRows;
      const x = transformFeatures(iris, straight.preprocessing, holdout);
      const y = encodeLabels(iris, straight.preprocessing, holdout);
      const width = straight.preprocessing.inputWidth;
      expect(classificationMetrics(y, predictProbabilities(resumed.model, x, width), 3).accuracy).toBe(
        classificationMetrics(y, predictProbabilities(straight.model, x, width), 3).accuracy,
      );
    } finally {
      resumed.model.dispose();
      straight.model.dispose();
    }
  });

  it('refuse a checkpoint trained on other data or a final model', async () => {
    let saved: arrow.Table | undefined;
    const run = await trainClassifier({
      ...args,
      params: { ...params, epochs: 2 },
      onEpoch: async (event) => {
        saved = await event.checkpoint();
      },
    });
    try {
      const otherSplit = { ...args, split: { holdout: 0.3, seed: 1 }, params: { ...params, epochs: 3 } };
      await expect(trainClassifier({ ...otherSplit, resumeFrom: saved })).rejects.toThrow(
        /preprocessing does not match/,
      );
      const final = modelToArrow(run.model, run.preprocessing, { backend: run.backend, device: run.device });
      await expect(trainClassifier({ ...args, resumeFrom: final })).rejects.toThrow(
        /not an epoch checkpoint/,
      );
    } finally {
      run.model.dispose();
    }
  });
});
