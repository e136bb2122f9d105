import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { openStore } from '../core/checkpoint/store';
import type { Lineage } from '../core/checkpoint/types';
import { ACCEPT_SOFTWARE_GPU_ENV, BACKENDS, initBackend, setBackendLogger } from '../core/model/backend';
import * as tf from '@tensorflow/tfjs';
import { fitPreprocessing, encodeLabels, transformFeatures } from '../core/model/preprocess';
import { buildClassifier, trainClassifier, type TrainArgs } from '../core/model/train';
import { runStandalone, type BenchResult } from './result';
import { distinctRows, reportDistinct, seededRandom } from './random';

const ROWS = Number(process.env.QUIVER_BENCH_TRAIN_ROWS ?? 100_000);
const FEATURES = 20;
/** Batches timed per backend: a fixed amount of work, not convergence (a few seconds on pure JS). */
const BATCHES = Number(process.env.QUIVER_BENCH_TRAIN_BATCHES ?? 40);
/** Full epochs of the checkpoint-overhead measurement. */
const OVERHEAD_EPOCHS = Number(process.env.QUIVER_BENCH_TRAIN_OVERHEAD_EPOCHS ?? 2);
const BATCH = 256;
const TARGET_SPEEDUP = 3;
const TARGET_OVERHEAD = 0.05;

/** ROWS × FEATURES uniform features; the label is whether the first half outweighs the second. */
function syntheticTable(): arrow.Table {
  const random = seededRandom(42);
  const columns: Record<string, arrow.Vector> = {};
  const data = Array.from({ length: FEATURES }, () => new Float64Array(ROWS));
  for (const column of data) for (let i = 0; i < ROWS; i++) column[i] = random();
  data.forEach((column, f) => (columns[`x${f}`] = arrow.makeVector(column)));
  const label = Array.from({ length: ROWS }, (_, i) => {
    let score = 0;
    for (let f = 0; f < FEATURES; f++) score += f < FEATURES / 2 ? data[f][i] : -data[f][i];
    return score > 0 ? 'a' : 'b';
  });
  columns.label = arrow.vectorFromArray(label, new arrow.Utf8());
  return new arrow.Table(columns);
}

function trainArgs(table: arrow.Table, epochs: number, backend: string): TrainArgs {
  return {
    table,
    target: 'label',
    split: { holdout: 0.2, seed: 1 },
    params: { hiddenUnits: [64, 64], epochs, batchSize: BATCH, learningRate: 0.001, seed: 7 },
    backend,
  };
}

/**
 * Training samples per second on one backend: the tf.js MLP the train step builds, fitted on a fixed
 * number of batches of the preprocessed table (after a warm-up batch that compiles kernels).
 */
async function samplesPerSecond(
  x: Float32Array,
  y: Float32Array,
  backend: string,
): Promise<{ rate: number; device: string }> {
  const { device } = await initBackend(backend);
  const model = buildClassifier(FEATURES, 2, trainArgs(new arrow.Table(), 1, backend).params);
  model.compile({
    optimizer: tf.train.adam(0.001),
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const rows = BATCHES * BATCH;
  const xt = tf.tensor2d(x.subarray(0, rows * FEATURES), [rows, FEATURES]);
  const yt = tf.tensor1d(y.subarray(0, rows));
  const warmX = tf.tensor2d(x.subarray(0, BATCH * FEATURES), [BATCH, FEATURES]);
  const warmY = tf.tensor1d(y.subarray(0, BATCH));
  try {
    const fit = (xs: tf.Tensor, ys: tf.Tensor) =>
      model.fit(xs, ys, { epochs: 1, batchSize: BATCH, shuffle: false, verbose: 0, yieldEvery: 'never' });
    await fit(warmX, warmY);
    const started = performance.now();
    await fit(xt, yt);
    await model.weights[0].read().data(); // wait for queued GPU work
    return { rate: rows / ((performance.now() - started) / 1000), device };
  } finally {
    tf.dispose([xt, yt, warmX, warmY]);
    model.dispose();
  }
}

/**
 * Share of training time spent on epoch checkpoints (weights + Adam state, encoded and written to a
 * store) when one is saved after every epoch: the worst case of `train.checkpointEvery: 0s`.
 */
async function checkpointOverhead(
  table: arrow.Table,
  backend: string,
): Promise<{ trainMs: number; checkpointMs: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-bench-train-'));
  const store = openStore(`file://${dir}`);
  const lineage = (epoch: number): Lineage => ({
    pipeline: 'bench',
    runId: 'bench',
    step: 'train',
    output: `epoch-${epoch}`,
    stepCodeVersion: 'bench',
    paramsHash: '0'.repeat(64),
    inputs: [],
    createdAt: new Date().toISOString(),
  });
  let checkpointMs = 0;
  try {
    const trained = await trainClassifier({
      ...trainArgs(table, OVERHEAD_EPOCHS, backend),
      onEpoch: async (event) => {
        const started = performance.now();
        await store.write(await event.checkpoint(), lineage(event.epoch));
        checkpointMs += performance.now() - started;
      },
    });
    trained.model.dispose();
    return { trainMs: trained.trainMs - checkpointMs, checkpointMs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult[]> {
  const skipped: string[] = [];
  setBackendLogger(() => undefined);
  // Measure a software WebGPU adapter too (labelled as such): it is what CI exercises.
  process.env[ACCEPT_SOFTWARE_GPU_ENV] ??= '1';
  const table = syntheticTable();
  const distinctNote = reportDistinct('training data', table.numRows, distinctRows(table));
  const all = Int32Array.from({ length: ROWS }, (_, i) => i);
  const features = table.schema.fields.map((f) => f.name).filter((name) => name !== 'label');
  const prep = fitPreprocessing(table, features, 'label', all);
  const x = transformFeatures(table, prep, all);
  const y = Float32Array.from(encodeLabels(table, prep, all));
  const rates = new Map<string, { rate: number; device: string }>();
  for (const backend of [...BACKENDS].reverse()) {
    try {
      await initBackend(backend);
    } catch (error) {
      skipped.push(`${backend}: ${(error as Error).message.replace(/^.*unavailable: /, '')}`);
      continue;
    }
    process.stderr.write(`  training on ${backend}…\n`);
    rates.set(backend, await samplesPerSecond(x, y, backend));
  }
  const baseline = rates.get('cpu')!;
  const results: BenchResult[] = [];
  for (const [backend, { rate, device }] of rates) {
    if (backend === 'cpu') continue;
    results.push({
      name: `training ${ROWS / 1000}k×${FEATURES}, MLP 64-64, batch ${BATCH}: ${backend} · ${device}`,
      value: rate,
      unit: 'samples/s',
      baseline: baseline.rate,
      ratio: rate / baseline.rate,
      target: `best ≥ ${TARGET_SPEEDUP}× pure JS`,
      pass: rate / baseline.rate >= TARGET_SPEEDUP,
    });
  }
  const best = [...rates.entries()].sort((a, b) => b[1].rate - a[1].rate)[0][0];
  process.stderr.write(`  checkpoint overhead on ${best}…\n`);
  const { trainMs, checkpointMs } = await checkpointOverhead(table, best);
  results.push({
    name: `epoch checkpoints, one per epoch (${best}, ${OVERHEAD_EPOCHS} epochs of ${ROWS * 0.8} rows)`,
    value: trainMs + checkpointMs,
    unit: 'ms',
    baseline: trainMs,
    ratio: (trainMs + checkpointMs) / trainMs,
    target: `overhead ≤ ${TARGET_OVERHEAD * 100}%`,
    pass: checkpointMs / trainMs <= TARGET_OVERHEAD,
    note: `${distinctNote}; checkpoints ${checkpointMs.toFixed(1)} ms = ${((checkpointMs / trainMs) * 100).toFixed(2)}% of training; skipped backends: ${skipped.join('; ') || 'none'}`,
  });
  return results;
}

if (require.main === module) runStandalone(run);
