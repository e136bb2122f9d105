import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as arrow from 'apache-arrow';
import { openStore } from '../core/checkpoint/store';
import type { Lineage } from '../core/checkpoint/types';
import { runStandalone, type BenchResult } from './result';
import { distinctRows, reportDistinct, seededRandom } from './random';
import { median } from './stats';

const ROWS = Number(process.env.QUIVER_BENCH_CHECKPOINT_ROWS ?? 5_000_000);
const COLUMNS = 10;
// Five, not three: with both cores busy the checkpoint side is the one a stray process slows, so one
// unlucky run must not decide the median.
const RUNS = Number(process.env.QUIVER_BENCH_RUNS_CHECKPOINT ?? 5);
const TARGET = 0.8;

const lineage: Lineage = {
  pipeline: 'bench',
  runId: 'bench-run',
  step: 'ingest',
  output: 'data',
  stepCodeVersion: 'bench',
  paramsHash: '0'.repeat(64),
  inputs: [],
  createdAt: '2024-01-01T00:00:00.000Z',
};

/** ROWS × COLUMNS Float64 columns of deterministic pseudo-random values. */
function makeTable(): arrow.Table {
  const random = seededRandom(42);
  const columns: Record<string, arrow.Vector> = {};
  for (let c = 0; c < COLUMNS; c++) {
    const values = new Float64Array(ROWS);
    for (let i = 0; i < ROWS; i++) values[i] = random();
    columns[`x${c}`] = arrow.makeVector(values);
  }
  return new arrow.Table(columns);
}

/**
 * A full garbage collection before each measurement, so neither side pays for the other's 400 MB of
 * garbage (big ArrayBuffers are only released by GC).
 */
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  collectGarbage();
  const started = performance.now();
  await fn();
  return (performance.now() - started) / 1000;
}

/** The plain-I/O baseline: the same bytes written with writeFile + fsync, read back with readFile. */
async function plainWrite(file: string, bytes: Buffer): Promise<void> {
  await fs.writeFile(file, bytes);
  const handle = await fs.open(file, 'r+');
  await handle.sync();
  await handle.close();
}

/**
 * Checkpoint write and read throughput versus plain file I/O of the same bytes, runs interleaved
 * so both see the same disk and page-cache conditions.
 */
export async function run(): Promise<BenchResult[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'quiver-bench-checkpoint-'));
  try {
    const table = makeTable();
    const distinct = reportDistinct('checkpoint data', table.numRows, distinctRows(table));
    const store = openStore(path.join(dir, 'store'));
    const plainFile = path.join(dir, 'plain.bin');
    const ref = await store.write(table, lineage);
    const bytes = await fs.readFile(store.path(ref));
    const times = {
      plainWrite: [] as number[],
      plainRead: [] as number[],
      write: [] as number[],
      read: [] as number[],
    };
    const plain = async () => {
      await fs.rm(plainFile, { force: true });
      times.plainWrite.push(await timed(() => plainWrite(plainFile, bytes)));
      times.plainRead.push(await timed(() => fs.readFile(plainFile)));
    };
    const checkpoint = async () => {
      await fs.rm(store.path(ref), { force: true });
      times.write.push(await timed(() => store.write(table, lineage)));
      times.read.push(await timed(() => store.read(ref)));
    };
    // Alternating which side goes first keeps the disk's moods from favouring either.
    for (let i = 0; i < RUNS; i++) {
      for (const side of i % 2 ? [checkpoint, plain] : [plain, checkpoint]) await side();
    }
    const mb = ref.bytes / 1e6;
    const result = (name: string, seconds: number[], baseline: number[], plain: string): BenchResult => {
      const value = mb / median(seconds);
      const base = mb / median(baseline);
      return {
        name,
        value,
        unit: 'MB/s',
        baseline: base,
        ratio: value / base,
        target: `ratio ≥ ${TARGET}`,
        pass: value / base >= TARGET,
        note: `${distinct}; ${ROWS} rows × ${COLUMNS} Float64 (${mb.toFixed(0)} MB), median of ${RUNS}; baseline = ${plain} of the same bytes`,
      };
    };
    const total = (a: number[], b: number[]) => a.map((t, i) => t + b[i]);
    return [
      result('checkpoint write', times.write, times.plainWrite, 'writeFile + fsync'),
      result('checkpoint read', times.read, times.plainRead, 'readFile'),
      result(
        'checkpoint write+read',
        total(times.write, times.read),
        total(times.plainWrite, times.plainRead),
        'writeFile + fsync, then readFile',
      ),
    ];
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module) runStandalone(run);
