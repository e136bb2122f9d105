import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { trainOffThread, trainsOffThread, type ThreadEpochEvent } from '../../../activities/train-off-thread';
import { DataError } from '../../../core/errors';
import { readModelTable } from '../../../core/model/codec';
import type { BatchProgress } from '../../../core/model/train';

/** iris.csv → Arrow: four Float64 measurements and the Utf8 species. */
function loadIris(): arrow.Table {
  const [, ...lines] = readFileSync(path.join(__dirname, '../../../data/iris.csv'), 'utf8')
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
const base = {
  table: iris,
  target: 'species',
  split: { holdout: 0.2, seed: 42 },
  params: { hiddenUnits: [8], epochs: 4, batchSize: 8, learningRate: 0.02, seed: 7 },
  backend: 'wasm',
};

describe('training on a worker thread', () => {
  it('reports every epoch, builds a checkpoint on request, and returns the encoded model', async () => {
    const epochs: number[] = [];
    let checkpoint: arrow.Table | undefined;
    const trained = await trainOffThread({
      ...base,
      onEpoch: async (event: ThreadEpochEvent) => {
        epochs.push(event.epoch);
        if (event.epoch === 2) checkpoint = await event.checkpoint();
      },
    });
    expect(epochs).toEqual([1, 2, 3, 4]);
    expect(trained.history).toHaveLength(4);
    expect(trained.backend).toBe('wasm');
    expect(trained.trainRows).toBe(120);
    expect(readModelTable(trained.modelTable).weights.length).toBeGreaterThan(0);
    expect(readModelTable(checkpoint!).epoch).toBe(2);

    // The checkpoint resumes training in a fresh thread, after its epoch.
    const resumed = await trainOffThread({ ...base, resumeFrom: checkpoint });
    expect(resumed.resumedFromEpoch).toBe(2);
    expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
  });

  it('leaves the event loop free: timers run while a long epoch computes', async () => {
    let ticks = 0;
    const progress: BatchProgress[] = [];
    const timer = setInterval(() => ticks++, 5);
    try {
      await trainOffThread({
        ...base,
        // One epoch of single-row batches: hundreds of batch steps inside one call.
        params: { ...base.params, epochs: 1, batchSize: 1 },
        progressEveryMs: 1,
        onProgress: (p) => progress.push(p),
      });
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(3);
    expect(progress.length).toBeGreaterThan(0);
  });

  it('an aborted signal stops training with the signal’s reason', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled by the test');
    const training = trainOffThread({
      ...base,
      params: { ...base.params, epochs: 500 },
      signal: controller.signal,
      onEpoch: (event) => {
        if (event.epoch === 2) controller.abort(reason);
      },
    });
    await expect(training).rejects.toBe(reason);
  });

  it('errors keep their class, so non-retryable ones stay non-retryable', async () => {
    const error = await trainOffThread({ ...base, params: { ...base.params, epochs: 0 } }).catch((e) => e);
    expect(error).toBeInstanceOf(DataError);
    expect(error.name).toBe('DataError');
    expect(error.message).toMatch(/epochs must be a positive integer/);
  });

  it('threads the CPU-bound backends only, unless QUIVER_TRAIN_THREAD says otherwise', () => {
    expect(trainsOffThread('wasm', {})).toBe(true);
    expect(trainsOffThread('cpu', {})).toBe(true);
    expect(trainsOffThread('webgpu', {})).toBe(false);
    expect(trainsOffThread('wasm', { QUIVER_TRAIN_THREAD: '0' })).toBe(false);
    expect(trainsOffThread('webgpu', { QUIVER_TRAIN_THREAD: '1' })).toBe(true);
  });
});
