import * as arrow from 'apache-arrow';
import { setBackendLogger } from '../core/model/backend';
import { trainClassifier } from '../core/model/train';
import { runStandalone, type BenchResult } from './result';

const ROWS = Number(process.env.QUIVER_BENCH_MEMORY_ROWS ?? 1_000_000);
const NUMERIC = 49;
const CATEGORIES = 5_000;
const BATCH = 256;
/** Batches trained before the run is cancelled: enough for the loop to reach its steady state. */
const BATCHES = Number(process.env.QUIVER_BENCH_MEMORY_BATCHES ?? 200);
/** Peak training RSS above the process baseline, as a multiple of the raw table's bytes. */
const TARGET_RATIO = 2;

/** ROWS × 50: 49 Float64 columns and one dictionary-encoded string column of CATEGORIES values. */
function wideTable(): arrow.Table {
  let seed = 42;
  const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const columns: Record<string, arrow.Vector> = {};
  for (let f = 0; f < NUMERIC; f++)
    columns[`x${f}`] = arrow.makeVector(Float64Array.from({ length: ROWS }, next));
  const names = Array.from({ length: CATEGORIES }, (_, k) => `store-${k}`);
  columns.store = arrow.vectorFromArray(
    Array.from({ length: ROWS }, () => names[Math.floor(next() * CATEGORIES)]),
    new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()),
  );
  const x0 = columns.x0;
  columns.label = arrow.vectorFromArray(
    Array.from({ length: ROWS }, (_, i) => ((x0.get(i) as number) > 0.5 ? 'high' : 'low')),
    new arrow.Utf8(),
  );
  return new arrow.Table(columns);
}

/** Bytes of every Arrow buffer of the table: what the raw data occupies in memory. */
function tableBytes(table: arrow.Table): number {
  let bytes = 0;
  const add = (data: arrow.Data) => {
    for (const buffer of [data.values, data.valueOffsets, data.nullBitmap, data.typeIds] as (
      ArrayBufferView | undefined
    )[])
      bytes += buffer?.byteLength ?? 0;
    data.children.forEach(add);
    if (data.dictionary) data.dictionary.data.forEach(add);
  };
  for (const batch of table.batches) add(batch.data);
  return bytes;
}

const mb = (bytes: number) => bytes / 2 ** 20;

/**
 * Peak resident memory while training on 1M rows × 50 columns with a 5,000-category column, against
 * the raw table's size measured in the same run. Batches are encoded as they are fed, so the encoded
 * matrix (rows × (49 + 5,000) float32) never exists; the run is cancelled after BATCHES batches, as a
 * cancelled activity would be, since memory reaches its steady state within the first batches.
 */
export async function run(): Promise<BenchResult[]> {
  setBackendLogger(() => undefined);
  const processBaseline = process.memoryUsage().rss;
  const table = wideTable();
  const raw = tableBytes(table);
  if (global.gc) global.gc();
  const afterTable = process.memoryUsage().rss;
  let peak = afterTable;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const abort = new AbortController();
  let batches = 0;
  const started = performance.now();
  try {
    await trainClassifier({
      table,
      target: 'label',
      split: { holdout: 0.2, seed: 1 },
      params: { hiddenUnits: [16], epochs: 1, batchSize: BATCH, learningRate: 0.01, seed: 7 },
      backend: process.env.QUIVER_TF_BACKEND ?? 'wasm',
      progressEveryMs: 0,
      onProgress: (progress) => {
        batches = progress.batch;
        if (progress.batch >= BATCHES) abort.abort();
      },
      signal: abort.signal,
    });
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  const seconds = (performance.now() - started) / 1000;
  const encodedMatrix = ROWS * 0.8 * (NUMERIC + CATEGORIES) * 4;
  const used = peak - processBaseline;
  return [
    {
      name: `training memory, ${ROWS / 1e6}M rows × 50 columns (one of ${CATEGORIES} categories), peak RSS above the process baseline`,
      value: mb(used),
      unit: 'MiB',
      baseline: mb(raw),
      ratio: used / raw,
      target: `≤ ${TARGET_RATIO}× the raw table`,
      pass: used / raw <= TARGET_RATIO,
      note: `raw table ${mb(raw).toFixed(0)} MiB; RSS: process ${mb(processBaseline).toFixed(0)} MiB, with table ${mb(afterTable).toFixed(0)} MiB, training peak ${mb(peak).toFixed(0)} MiB; ${batches} batches of ${BATCH} in ${seconds.toFixed(1)} s; a materialised encoded matrix would need ${(encodedMatrix / 2 ** 30).toFixed(1)} GiB`,
    },
  ];
}

if (require.main === module) runStandalone(run);
