import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { openStore } from '../core/checkpoint/store';
import type { Lineage } from '../core/checkpoint/types';
import { ACCEPT_SOFTWARE_GPU_ENV, BACKENDS, initBackend, setBackendLogger } from '../core/model/backend';
import { trainClassifier, type TrainArgs } from '../core/model/train';
import { runStandalone, type BenchResult } from './result';

const ROWS = Number(process.env.QUIVER_BENCH_TRAIN_ROWS ?? 100_000);
const FEATURES = 20;
/** Epochs per backend: a fixed amount of work, not convergence. */
const EPOCHS = Number(process.env.QUIVER_BENCH_TRAIN_EPOCHS ?? 1);
/** Epochs of the checkpoint-overhead comparison (with and without a checkpoint after every epoch). */
const OVERHEAD_EPOCHS = Number(process.env.QUIVER_BENCH_TRAIN_OVERHEAD_EPOCHS ?? 4);
const BATCH = 256;
const TARGET_SPEEDUP = 3;
const TARGET_OVERHEAD = 0.05;

/** ROWS × FEATURES uniform features; the label is whether the first half outweighs the second. */
function syntheticTable(): arrow.Table {
  let seed = 42;
  const columns: Record<string, arrow.Vector> = {};
  const data = Array.from({ length: FEATURES }, () => new Float64Array(ROWS));
  for (const column of data)
    for (let i = 0; i < ROWS; i++) column[i] = (seed = (seed * 16807) % 2147483647) / 2147483647;
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

/** Training samples per second on one backend: the epochs' own time, preprocessing excluded. */
async function samplesPerSecond(table: arrow.Table, backend: string): Promise<{ rate: number; device: string }> {
  const trained = await trainClassifier(trainArgs(table, EPOCHS, backend));
  trained.model.dispose();
  return { rate: (trained.trainRows * EPOCHS) / (trained.trainMs / 1000), device: trained.device };
}

/** Time of OVERHEAD_EPOCHS epochs with no checkpoints vs. an epoch checkpoint (weights + Adam state) after each. */
async function checkpointOverhead(table: arrow.Table, backend: string): Promise<{ plain: number; saving: number }> {
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
  try {
    const plain = await trainClassifier(trainArgs(table, OVERHEAD_EPOCHS, backend));
    plain.model.dispose();
    const saving = await trainClassifier({
      ...trainArgs(table, OVERHEAD_EPOCHS, backend),
      onEpoch: async (event) => {
        await store.write(await event.checkpoint(), lineage(event.epoch));
      },
    });
    saving.model.dispose();
    return { plain: plain.trainMs, saving: saving.trainMs };
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
  const rates = new Map<string, { rate: number; device: string }>();
  for (const backend of [...BACKENDS].reverse()) {
    try {
      await initBackend(backend);
    } catch (error) {
      skipped.push(`${backend}: ${(error as Error).message.replace(/^.*unavailable: /, '')}`);
      continue;
    }
    process.stderr.write(`  training on ${backend}…\n`);
    rates.set(backend, await samplesPerSecond(table, backend));
  }
  const baseline = rates.get('cpu')!;
  const results: BenchResult[] = [];
  for (const [backend, { rate, device }] of rates) {
    if (backend === 'cpu') continue;
    results.push({
      name: `training ${ROWS / 1000}k×${FEATURES}, MLP 64-64, batch ${BATCH}: ${backend} (${device})`,
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
  const { plain, saving } = await checkpointOverhead(table, best);
  results.push({
    name: `epoch checkpoint after every epoch (${best}, ${OVERHEAD_EPOCHS} epochs)`,
    value: saving,
    unit: 'ms',
    baseline: plain,
    ratio: saving / plain,
    target: `overhead ≤ ${TARGET_OVERHEAD * 100}%`,
    pass: saving / plain - 1 <= TARGET_OVERHEAD,
    note: `overhead ${((saving / plain - 1) * 100).toFixed(1)}%; skipped backends: ${skipped.join('; ') || 'none'}`,
  });
  return results;
}

if (require.main === module) runStandalone(run);
