import { startBenchStack } from './stack';
import { newRunId } from '../client/api';
import fs from 'node:fs';
import path from 'node:path';
import { openStore } from '../core/checkpoint/store';
import { PROGRESS_MEMO_KEY, type RunProgress } from '../core/run-types';
import { sourceSha256 } from '../core/source';
import { validateSpec } from '../core/spec/load';
import type { PipelineSpec } from '../core/spec/schema';
import { runStandalone, type BenchResult } from './result';
import { hashString, reportDistinct, seededRandom } from './random';
import { median } from './stats';

const RUNS = Number(process.env.QUIVER_BENCH_RUNS_RESUME ?? 5);
const SIZES = { tiny: 10, '100k': 100_000, '1M': 1_000_000 } as const;
type Size = keyof typeof SIZES;
const RATIO_TARGET = 1.5;
const OVERHEAD_TARGET_MS = 1000;

/** `rows` rows of four numeric features and a three-class label that depends on them. */
function writeCsv(file: string, rows: number): number {
  const fd = fs.openSync(file, 'w');
  const next = seededRandom(7);
  const distinct = new Set<number>();
  const labels = ['alpha', 'beta', 'gamma'];
  let chunk = 'f0,f1,f2,f3,label\n';
  for (let i = 0; i < rows; i++) {
    const x = [next(), next(), next(), next()].map((v) => v * 10);
    const label = labels[rows < 100 ? i % 3 : Math.min(2, Math.floor((x[0] + x[1]) / 6.67))];
    const line = `${x.map((v) => v.toFixed(3)).join(',')},${label}`;
    distinct.add(hashString(line));
    chunk += `${line}\n`;
    if (chunk.length > 1 << 20) {
      fs.writeSync(fd, chunk);
      chunk = '';
    }
  }
  fs.writeSync(fd, chunk);
  fs.closeSync(fd);
  return distinct.size;
}

/** One epoch of a small MLP with large batches: training is not what this measures. */
function specFor(size: Size, csv: string): PipelineSpec {
  return validateSpec({
    name: `resume-${size.toLowerCase()}`,
    source: { uri: csv },
    target: { column: 'label' },
    sanity: { minRows: 1 },
    train: { epochs: 1, hiddenUnits: [4], batchSize: 8192 },
    // One epoch measures resume, not learning: the naive-baseline gate would fail the run.
    validate: { beatBaseline: false },
  });
}

/**
 * Checkpoint files and bytes under the store: a resume that reuses everything must leave both
 * unchanged. (The digest cache's small records under `.digests/` are not checkpoints.)
 */
function storeUsage(root: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.arrow')) continue;
    files++;
    bytes += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return { files, bytes };
}

/**
 * Resuming a completed run (every step reused): `plan` (which verifies every checkpoint's SHA-256 and
 * hashes the source file) + start + result, for 100k and 1M rows, against a baseline of Temporal's own
 * start-up measured in the same run: starting the same fully reused pipeline on a 10-row data set
 * with the plan made beforehand (no verification inside the timing).
 */
export async function run(): Promise<BenchResult[]> {
  const { home, config, client, close } = await startBenchStack('resume');
  const store = openStore(config.store);
  try {
    /** Waits for a run to close; returns its id. */
    const result = async (runId: string): Promise<string> => {
      await client.temporal.workflow.getHandle(runId).result();
      return runId;
    };
    /** A closed run's final progress: the memo holds it (the result is only the outcome). */
    const recordedProgress = async (runId: string): Promise<RunProgress> =>
      (await client.temporal.workflow.getHandle(runId).describe()).memo?.[PROGRESS_MEMO_KEY] as RunProgress;
    const sources = {} as Record<Size, { runId: string; csv: string; progress: RunProgress }>;
    for (const size of Object.keys(SIZES) as Size[]) {
      const csv = path.join(home, `${size}.csv`);
      reportDistinct(`resume data, ${size}`, SIZES[size], writeCsv(csv, SIZES[size]));
      const runId = await client.start(specFor(size, csv));
      const progress = await recordedProgress(await result(runId));
      sources[size] = { runId, csv, progress };
    }

    const unchanged: string[] = [];
    /** Runs `body` (which starts a fully reused run and awaits it) and checks it wrote nothing. */
    const timedResume = async (label: string, body: () => Promise<string>): Promise<number> => {
      const before = storeUsage(store.root);
      const t0 = performance.now();
      const runId = await body();
      const elapsed = performance.now() - t0;
      const progress = await recordedProgress(runId);
      const after = storeUsage(store.root);
      const notReused = progress.steps.filter((s) => !s.reusedFrom || s.attempts !== 0);
      if (progress.status !== 'COMPLETED' || notReused.length)
        throw new Error(`${label}: expected every step reused, got ${JSON.stringify(progress.steps)}`);
      if (after.files !== before.files || after.bytes !== before.bytes)
        throw new Error(
          `${label}: a fully reused resume wrote to the store: ${before.files} files / ${before.bytes} bytes ` +
            `before, ${after.files} / ${after.bytes} after`,
        );
      unchanged.push(label);
      return elapsed;
    };
    const resume = (size: Size) => async () => {
      const planStart = performance.now();
      const plan = await client.plan(sources[size].runId);
      planMs[size].push(performance.now() - planStart);
      return result(await client.startPlanned(plan));
    };
    const tinyPlan = await client.plan(sources.tiny.runId);
    const baseline = async () =>
      result(
        await client.start(tinyPlan.spec, [], newRunId(tinyPlan.spec.name), {
          reuse: tinyPlan.reuse,
          resumedFrom: tinyPlan.sourceRun,
        }),
      );

    const planMs: Record<Size, number[]> = { tiny: [], '100k': [], '1M': [] };
    const times = {
      baseline: [] as number[],
      tiny: [] as number[],
      '100k': [] as number[],
      '1M': [] as number[],
    };
    // One untimed round first (code-version hashing, JIT, the server's caches); then interleaved rounds.
    for (let i = -1; i < RUNS; i++) {
      const round = {
        baseline: await timedResume(`baseline #${i}`, baseline),
        tiny: await timedResume(`tiny #${i}`, resume('tiny')),
        '100k': await timedResume(`100k #${i}`, resume('100k')),
        '1M': await timedResume(`1M #${i}`, resume('1M')),
      };
      if (i < 0) for (const size of Object.keys(planMs) as Size[]) planMs[size] = [];
      else for (const [key, ms] of Object.entries(round)) times[key as keyof typeof times].push(ms);
    }

    // What a full rehash (`--verify`) would add to the 1M plan, which trusts the digest cache instead.
    const data1M = sources['1M'].progress.steps[0].checkpoint!;
    const csvMs: number[] = [];
    const verifyMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      let t = performance.now();
      await sourceSha256(sources['1M'].csv);
      csvMs.push(performance.now() - t);
      t = performance.now();
      await store.verify(data1M);
      verifyMs.push(performance.now() - t);
    }

    const base = median(times.baseline);
    const r100k = median(times['100k']);
    const r1M = median(times['1M']);
    const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
    const csvBytes = fs.statSync(sources['1M'].csv).size;
    const store1 = storeUsage(store.root);
    const storeNote = `store unchanged by all ${unchanged.length} resumes (${store1.files} files, ${mb(store1.bytes)})`;
    const breakdown =
      `1M plan median ${median(planMs['1M']).toFixed(1)} ms with the digest cache; a full rehash (--verify) ` +
      `would add source CSV sha256 (${mb(csvBytes)}) ~${median(csvMs).toFixed(1)} ms and data checkpoint ` +
      `verify (${mb(data1M.bytes)}) ~${median(verifyMs).toFixed(1)} ms; ` +
      `100k plan ${median(planMs['100k']).toFixed(1)} ms, tiny plan ${median(planMs.tiny).toFixed(1)} ms`;
    const overhead = (size: '100k' | '1M', value: number): BenchResult => ({
      name: `resume, ${size} rows, all steps reused (plan + start + result, median)`,
      value,
      unit: 'ms',
      baseline: base,
      ratio: value / base,
      target: `< baseline + ${OVERHEAD_TARGET_MS} ms`,
      pass: value - base < OVERHEAD_TARGET_MS,
      note:
        `${(value - base).toFixed(1)} ms over the baseline (start + result of the fully reused 10-row pipeline, ` +
        `plan made beforehand; a 10-row resume with its plan: ${median(times.tiny).toFixed(1)} ms); ${storeNote}`,
    });
    return [
      overhead('1M', r1M),
      overhead('100k', r100k),
      {
        name: 'resume time 1M rows / 100k rows',
        value: r1M,
        unit: 'ms',
        baseline: r100k,
        ratio: r1M / r100k,
        target: `ratio ≤ ${RATIO_TARGET}`,
        pass: r1M / r100k <= RATIO_TARGET,
        note: `${breakdown}; ${RUNS} resumes per size after one untimed round`,
      },
    ];
  } finally {
    await close();
  }
}

if (require.main === module) runStandalone(run);
