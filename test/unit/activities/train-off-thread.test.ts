import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  trainOffThread,
  trainsOffThread,
  type OffThreadTrained,
  type ThreadEpochEvent,
} from '../../../activities/train-off-thread';
import { IDLE_THREAD_MS, trainThreads } from '../../../activities/train-thread-pool';
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

    // The checkpoint resumes training (on the warm thread the first training left), after its epoch.
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

/** What two trainings must agree on to count as the same result: history and every weight value. */
function fingerprint(trained: OffThreadTrained) {
  const { weights } = readModelTable(trained.modelTable);
  return {
    history: trained.history,
    weights: weights.map((w) => ({ name: w.name.replace(/_\d+/g, ''), values: Array.from(w.values) })),
  };
}

describe('the pool of warm training threads', () => {
  const short = { ...base, params: { ...base.params, epochs: 2 } };
  const idleIds = () => trainThreads.stats().idle.map((t) => t.threadId);

  beforeEach(() => trainThreads.close());
  afterAll(() => trainThreads.close());

  it('reuses the thread of a finished training, which holds no more tensors after two trainings than after one', async () => {
    const started = trainThreads.stats().started;
    await trainOffThread(short);
    const [first] = trainThreads.stats().idle;
    expect(trainThreads.stats().started).toBe(started + 1);
    expect(first.trainings).toBe(1);

    // The second one asks for a checkpoint every epoch and resumes from one: every path that makes tensors.
    let checkpoint: arrow.Table | undefined;
    await trainOffThread({
      ...short,
      onEpoch: async (event) => {
        checkpoint = await event.checkpoint();
      },
    });
    await trainOffThread({ ...base, resumeFrom: checkpoint });
    const [after] = trainThreads.stats().idle;
    expect(trainThreads.stats().started).toBe(started + 1);
    expect(after.threadId).toBe(first.threadId);
    expect(after.trainings).toBe(3);
    expect(after.tensorsAfterLast).toBe(first.tensorsAfterFirst);
  });

  it('drops a thread after an abort; the next training runs on a new thread', async () => {
    await trainOffThread(short);
    const [warm] = idleIds();
    const controller = new AbortController();
    const aborted = trainOffThread({
      ...base,
      params: { ...base.params, epochs: 500 },
      signal: controller.signal,
      onEpoch: (event) => {
        if (event.epoch === 1) controller.abort(new Error('cancelled'));
      },
    });
    await expect(aborted).rejects.toThrow('cancelled');
    expect(idleIds()).toEqual([]);

    const started = trainThreads.stats().started;
    const next = await trainOffThread(short);
    expect(next.history).toHaveLength(2);
    expect(trainThreads.stats().started).toBe(started + 1);
    expect(idleIds()).not.toContain(warm);
  });

  it('drops a thread after an error; the next training runs on a new thread', async () => {
    await trainOffThread(short);
    const [warm] = idleIds();
    await expect(trainOffThread({ ...base, params: { ...base.params, epochs: 0 } })).rejects.toThrow(
      DataError,
    );
    expect(idleIds()).toEqual([]);
    // A failing epoch callback (the caller's side) drops the thread too.
    await expect(
      trainOffThread({
        ...short,
        onEpoch: () => {
          throw new Error('store unreachable');
        },
      }),
    ).rejects.toThrow('store unreachable');
    expect(idleIds()).toEqual([]);

    const next = await trainOffThread(short);
    expect(next.history).toHaveLength(2);
    expect(idleIds()).toHaveLength(1);
    expect(idleIds()).not.toContain(warm);
  });

  it('drops a thread that exits, idle or while training; the next training runs on a new thread', async () => {
    // A thread held here as well as in the pool, so the test can end it.
    const thread = trainThreads.acquire();
    trainThreads.release(thread, 0);
    expect(idleIds()).toEqual([thread.threadId]);
    const training = trainOffThread({
      ...base,
      params: { ...base.params, epochs: 500 },
      onEpoch: async (event) => {
        if (event.epoch === 1) await thread.terminate();
      },
    });
    await expect(training).rejects.toThrow(/the training thread exited/);
    expect(idleIds()).toEqual([]);

    await trainOffThread(short);
    const [next] = trainThreads.stats().idle;
    expect(next.threadId).not.toBe(thread.threadId);
    // An idle thread that exits leaves the pool too.
    const idle = trainThreads.acquire();
    trainThreads.release(idle, next.tensorsAfterFirst);
    await idle.terminate();
    expect(idleIds()).toEqual([]);
  });

  it('gives two trainings at once a thread each, with the same results as one after the other', async () => {
    const started = trainThreads.stats().started;
    const together = await Promise.all([trainOffThread(short), trainOffThread(short)]);
    expect(trainThreads.stats().started).toBe(started + 2);
    expect(new Set(idleIds()).size).toBe(2);

    const first = await trainOffThread(short);
    const second = await trainOffThread(short);
    // Sequential trainings reuse the idle threads: the pool never grows past what ran at once.
    expect(trainThreads.stats().started).toBe(started + 2);
    expect(idleIds()).toHaveLength(2);
    const expected = fingerprint(first);
    expect(fingerprint(second)).toEqual(expected);
    for (const trained of together) expect(fingerprint(trained)).toEqual(expected);
  });

  it('terminates a thread left idle past the idle timeout', async () => {
    trainThreads.setIdleMs(50);
    try {
      await trainOffThread(short);
      expect(idleIds()).toHaveLength(1);
      await vi.waitFor(() => expect(idleIds()).toEqual([]), { timeout: 10_000, interval: 20 });
    } finally {
      trainThreads.setIdleMs(IDLE_THREAD_MS);
    }
  });
});
