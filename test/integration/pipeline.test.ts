import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../client/api';
import { openStore } from '../../core/checkpoint/store';
import { LINEAGE_KEYS } from '../../core/checkpoint/types';
import { ModelRegistry } from '../../core/registry';
import { progressQuery } from '../../workflows';
import { pollUntil } from '../support/durability';
import { startPipelineEnv, testWorkflowCode, type PipelineEnv } from '../support/pipeline-env';

let env: PipelineEnv;
/** Runs that closed, completed or failed: the replay test replays them all. */
const closedRuns: string[] = [];

beforeAll(async () => {
  env = await startPipelineEnv('pipeline');
});
afterAll(async () => {
  await env?.close();
});

function fileOf(uri: string): string {
  return uri.replace(/^file:\/\//, '');
}

describe('the iris pipeline on a real Temporal dev server', () => {
  let view: RunView;

  beforeAll(async () => {
    const runId = await env.client.start(env.spec());
    view = await env.client.wait(runId);
    closedRuns.push(runId);
  });

  it('completes all six steps in order, once each', () => {
    expect(view.status, view.error ?? '').toBe('COMPLETED');
    expect(view.steps.map((s) => [s.name, s.status, s.attempts])).toEqual([
      ['ingest', 'completed', 1],
      ['sanity', 'completed', 1],
      ['features', 'completed', 1],
      ['train', 'completed', 1],
      ['validate', 'completed', 1],
      ['deploy', 'completed', 1],
    ]);
    for (const step of view.steps) expect(step.durationMs).toBeGreaterThanOrEqual(0);
    expect(view.uiUrl).toContain(`/workflows/${view.runId}`);
  });

  it('reaches holdout accuracy of at least 0.9', () => {
    const validate = view.steps.find((s) => s.name === 'validate')!;
    expect(validate.summary.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(validate.summary.macroF1).toBeGreaterThan(0.85);
    expect(validate.summary.logLoss).toBeGreaterThan(0);
  });

  it('deploys a registry version and moves the alias to it', async () => {
    expect(view.model).toMatchObject({ name: 'iris', alias: 'production' });
    const registry = ModelRegistry.at(env.config.home);
    const production = await registry.resolve('iris', 'production');
    expect(production.version).toBe(view.model!.version);
    expect(production.model.sha256).toBe(view.steps.find((s) => s.name === 'train')!.checkpoint!.sha256);
  });

  it('writes one readable Arrow checkpoint per step, carrying lineage in the schema metadata', async () => {
    const store = openStore(env.config.store);
    const shaOf = (output: string) =>
      view.steps.flatMap((s) => Object.entries(s.outputs)).find(([name]) => name === output)![1].sha256;
    // Each step's lineage names exactly the checkpoints it read.
    const expectedInputs: Record<string, string[]> = {
      ingest: [],
      sanity: ['data'],
      features: ['data'],
      train: ['data'],
      validate: ['data', 'model'],
      deploy: ['metrics', 'model', 'profile'],
    };
    for (const step of view.steps) {
      const ref = step.checkpoint!;
      expect(ref.sha256).toMatch(/^[0-9a-f]{64}$/);
      // Any Arrow reader opens it: decode the raw file bytes without Quiver's store.
      const raw = tableFromIPC(fs.readFileSync(fileOf(ref.uri)));
      expect(raw.numRows).toBe(ref.rows);
      const meta = raw.schema.metadata;
      expect(meta.get(LINEAGE_KEYS.pipeline)).toBe('iris');
      expect(meta.get(LINEAGE_KEYS.runId)).toBe(view.runId);
      expect(meta.get(LINEAGE_KEYS.step)).toBe(step.name);
      expect(meta.get(LINEAGE_KEYS.stepCodeVersion)).toBe(step.stepCodeVersion);
      const lineage = await store.readLineage(ref);
      expect(lineage.inputs).toEqual(expectedInputs[step.name].map((name) => shaOf(name)));
    }
    expect(view.steps[0].checkpoint!.rows).toBe(150);
    expect(Object.keys(view.steps[3].outputs).sort()).toEqual(['history', 'model']);
  });

  it('answers the progress query with every step', async () => {
    const progress = await env.client.temporal.workflow.getHandle(view.runId).query(progressQuery);
    expect(progress.steps.map((s) => s.status)).toEqual([
      'completed',
      'completed',
      'completed',
      'completed',
      'completed',
      'completed',
    ]);
  });
});

describe('training placement', () => {
  it('a worker serving both queues gets train on the workflow queue (eager dispatch possible)', async () => {
    const { cpu, gpu } = env.config.taskQueues;
    const identities = async (taskQueue: string) =>
      (
        (
          await env.client.temporal.workflowService.describeTaskQueue({
            namespace: env.config.namespace,
            taskQueue: { name: taskQueue, kind: 1 },
            taskQueueType: 2,
          })
        ).pollers ?? []
      ).map((p) => p.identity);
    // The server lists a worker once it has polled: wait for this process on both queues.
    await pollUntil(
      'this worker polling both queues for steps',
      async () => [await identities(cpu), await identities(gpu)],
      ([c, g]) => c.length > 0 && JSON.stringify(c) === JSON.stringify(g),
      10_000,
    );
    const runId = await env.client.start(env.spec());
    const view = await env.client.wait(runId);
    closedRuns.push(runId);
    expect(view.status, view.error ?? '').toBe('COMPLETED');
    expect(view.steps[3].routing).toEqual({ queue: 'gpu', reason: null });
    const history = await env.client.temporal.workflow.getHandle(runId).fetchHistory();
    const scheduled = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes)
      .filter((a) => a?.activityType?.name === 'train');
    expect(scheduled.map((a) => a!.taskQueue?.name)).toEqual([cpu]);
  });
});

describe('failures', () => {
  it('a sanity failure stops the run before training and names the failed checks', async () => {
    const runId = await env.client.start(
      env.spec(['sanity.ranges.sepal_length.max=5', 'sanity.minRows=1000']),
    );
    const view = await env.client.wait(runId);
    closedRuns.push(runId);
    expect(view.status).toBe('FAILED');
    const [ingest, sanity, train] = view.steps;
    expect(sanity.status).toBe('failed');
    expect(sanity.attempts).toBe(1); // non-retryable: no second attempt
    expect(sanity.error).toContain('SanityCheckError');
    expect(sanity.error).toContain('numeric_range(sepal_length)');
    expect(sanity.error).toContain('min_rows(*)');
    expect(train.status).toBe('pending');
    // The report was written before failing, and the earlier checkpoint is intact.
    expect(sanity.outputs.report).toBeDefined();
    const store = openStore(env.config.store);
    const report = await store.read(sanity.outputs.report);
    expect(report.toArray().filter((r: { passed: boolean }) => !r.passed).length).toBe(2);
    await expect(store.verify(ingest.checkpoint!)).resolves.toBeUndefined();
  });

  it('a malformed CSV fails ingest once, naming the line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-badcsv-'));
    const csv = path.join(dir, 'bad.csv');
    fs.writeFileSync(csv, 'a,b,species\n1,2,x\n3,4,y\n5,6,7,z\n');
    const view = await env.client.wait(await env.client.start(env.spec([`source.uri=${csv}`])));
    expect(view.status).toBe('FAILED');
    expect(view.steps[0]).toMatchObject({ name: 'ingest', status: 'failed', attempts: 1 });
    expect(view.steps[0].error).toMatch(/DataError: .*line 4/);
  });

  it('a validation gate miss fails validate non-retryably and deploys nothing', async () => {
    const view = await env.client.wait(
      await env.client.start(
        env.spec(['train.epochs=1', 'train.hiddenUnits=[2]', 'validate.min.accuracy=0.99']),
      ),
    );
    expect(view.status).toBe('FAILED');
    const validate = view.steps[4];
    expect(validate).toMatchObject({ status: 'failed', attempts: 1 });
    expect(validate.error).toMatch(
      /ValidationGateError: validation gate failed: accuracy 0\.\d+ < min 0\.99/,
    );
    expect(view.steps[5].status).toBe('pending');
    expect(view.model).toBeNull();
  });
});

describe('determinism', () => {
  it('closed runs (completed and failed) replay from their histories without nondeterminism', async () => {
    expect(closedRuns.length).toBeGreaterThan(0);
    const histories = closedRuns.map((workflowId) => ({
      workflowId,
      history: env.client.temporal.workflow.getHandle(workflowId).fetchHistory(),
    }));
    const resolved = await Promise.all(
      histories.map(async (h) => ({ workflowId: h.workflowId, history: await h.history })),
    );
    const results = Worker.runReplayHistories(testWorkflowCode(), resolved);
    let replayed = 0;
    for await (const result of results) {
      expect(result.error, String(result.error)).toBeUndefined();
      replayed++;
    }
    expect(replayed).toBe(closedRuns.length);
  });
});
