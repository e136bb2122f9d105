import * as arrow from 'apache-arrow';
import { trainOffThread } from '../activities/train-off-thread';
import { trainThreads } from '../activities/train-thread-pool';
import { setBackendLogger } from '../core/model/backend';
import { trainInProcess } from '../activities/train';
import type { TrainArgs } from '../core/model/train';
import { runStandalone, type BenchResult } from './result';
import { distinctRows, reportDistinct, seededRandom } from './random';
import { median } from './stats';

/** Rounds of (cold, warm) pairs, interleaved so load swings hit both alike. */
const ROUNDS = Number(process.env.QUIVER_BENCH_THREAD_ROUNDS ?? 10);
const ROWS = 12;
/** A warm thread should save most of a cold one's start (loading TF.js and, from source, tsx). */
const TARGET_RATIO = 0.5;

/** The small file users train on while exploring: 12 rows, 3 features, two balanced classes. */
function tinyTable(): arrow.Table {
  const random = seededRandom(7);
  const column = () => arrow.makeVector(Float64Array.from({ length: ROWS }, random));
  return new arrow.Table({
    x0: column(),
    x1: column(),
    x2: column(),
    label: arrow.vectorFromArray(
      Array.from({ length: ROWS }, (_, i) => (i % 2 ? 'a' : 'b')),
      new arrow.Utf8(),
    ),
  });
}

async function timed(train: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await train();
  return performance.now() - started;
}

/** The same training in-process, as activities/train.ts runs a GPU backend: the floor without a thread. */
async function inProcess(args: Omit<TrainArgs, 'onEpoch'>): Promise<void> {
  await trainInProcess(args);
}

/**
 * A one-epoch wasm training of a 12-row table through `trainOffThread`: on a cold thread (the pool
 * emptied first, so the call starts one) against a warm one (the thread the cold call left idle),
 * median of ROUNDS interleaved pairs; the same training in-process is printed for context.
 */
export async function run(): Promise<BenchResult[]> {
  setBackendLogger(() => undefined);
  const table = tinyTable();
  const distinctNote = reportDistinct('training data', table.numRows, distinctRows(table));
  const args: Omit<TrainArgs, 'onEpoch'> = {
    table,
    target: 'label',
    split: { holdout: 0.25, seed: 1 },
    params: { hiddenUnits: [8], epochs: 1, batchSize: 4, learningRate: 0.01, seed: 7 },
    backend: 'wasm',
  };
  const cold: number[] = [];
  const warm: number[] = [];
  const local: number[] = [];
  await inProcess(args); // loads the wasm backend in this thread once, as a running worker has
  for (let round = 0; round < ROUNDS; round++) {
    await trainThreads.close();
    cold.push(await timed(() => trainOffThread(args)));
    warm.push(await timed(() => trainOffThread(args)));
    local.push(await timed(() => inProcess(args)));
  }
  const started = trainThreads.stats().started;
  await trainThreads.close();
  const [c, w, l] = [median(cold), median(warm), median(local)];
  return [
    {
      name: `one-epoch training of ${ROWS} rows through trainOffThread (wasm): warm pool thread vs a new thread`,
      value: w,
      unit: 'ms',
      baseline: c,
      ratio: w / c,
      target: `≤ ${TARGET_RATIO}× a new thread`,
      pass: w / c <= TARGET_RATIO,
      note: `median of ${ROUNDS} interleaved pairs; ${started} threads started for ${2 * ROUNDS} trainings; same training in-process: ${l.toFixed(1)} ms (warm thread − in-process = ${(w - l).toFixed(1)} ms); ${distinctNote}`,
    },
  ];
}

if (require.main === module) runStandalone(run);
