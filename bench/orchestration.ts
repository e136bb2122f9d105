import { startBenchStack } from './stack';
import { newRunId } from '../client/api';
import fs from 'node:fs';
import path from 'node:path';
import { createActivities } from '../activities';
import type { CheckpointRef } from '../core/checkpoint/types';
import { STEP_NAMES, type StepInput } from '../core/run-types';
import { validateSpec } from '../core/spec/load';
import { runStandalone, type BenchResult } from './result';

const RUNS = Number(process.env.QUIVER_BENCH_RUNS ?? 20);
const WARMUPS = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A 12-row data set and a one-epoch model: the steps' own work is tiny, so what remains is orchestration. */
function tinySpec(dir: string) {
  const rows = ['x,y,label'];
  for (let i = 0; i < 12; i++) rows.push(`${i},${(i * 7) % 5},${i % 2 ? 'odd' : 'even'}`);
  const csv = path.join(dir, 'tiny.csv');
  fs.writeFileSync(csv, `${rows.join('\n')}\n`);
  return validateSpec({
    name: 'tiny',
    source: { uri: csv },
    target: { column: 'label' },
    split: { holdout: 0.25 },
    sanity: { minRows: 1 },
    train: { epochs: 1, hiddenUnits: [2], batchSize: 12 },
  });
}

/**
 * Per-step orchestration overhead: the five-step pipeline through Temporal versus the same five
 * activities called in-process, median over RUNS runs each, on a fresh dev server.
 */
export async function run(): Promise<BenchResult[]> {
  const { home, config, client, close } = await startBenchStack('orch');
  const spec = tinySpec(home);
  try {
    const activities = createActivities(config);
    const inProcess: number[] = [];
    const orchestrated: number[] = [];
    // Three warm-ups of each path first: webpack bundle, TF.js backend, JIT, the server's caches.
    for (let i = -WARMUPS; i < RUNS; i++) {
      const t0 = performance.now();
      await runInProcess(activities, spec, `inproc-${i}`);
      const t1 = performance.now();
      const runId = await client.start(spec, [], newRunId('tiny'));
      await client.temporal.workflow.getHandle(runId).result(); // throws if the run failed
      const t2 = performance.now();
      if (i >= 0) {
        inProcess.push(t1 - t0);
        orchestrated.push(t2 - t1);
      }
    }
    const perStep = (median(orchestrated) - median(inProcess)) / STEP_NAMES.length;
    return [
      {
        name: 'orchestration overhead per step (median)',
        value: perStep,
        unit: 'ms',
        baseline: median(inProcess) / STEP_NAMES.length,
        ratio: median(orchestrated) / median(inProcess),
        target: '≤ 20 ms per step',
        pass: perStep <= 20,
        note: `pipeline median ${median(orchestrated).toFixed(1)} ms through Temporal (start → result) vs ${median(inProcess).toFixed(1)} ms in-process, ${RUNS} runs; ratio = Temporal/in-process`,
      },
    ];
  } finally {
    await close();
  }
}

async function runInProcess(
  activities: ReturnType<typeof createActivities>,
  spec: ReturnType<typeof tinySpec>,
  runId: string,
): Promise<void> {
  const run = { runId, pipeline: spec.name };
  const call = (step: (typeof STEP_NAMES)[number], inputs: Record<string, CheckpointRef>) => {
    const input: StepInput = { run, spec, inputs };
    return activities[step](input);
  };
  const data = (await call('ingest', {})).outputs.data;
  await call('sanity', { data });
  await call('features', { data });
  const model = (await call('train', { data })).outputs.model;
  const metrics = (await call('validate', { data, model })).outputs.metrics;
  await call('deploy', { model, metrics });
}

if (require.main === module) runStandalone(run);
