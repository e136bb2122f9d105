import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuiverClient, type RunView } from '../../client/api';
import { openStore } from '../../core/checkpoint/store';
import { CheckpointIntegrityError } from '../../core/errors';
import type { PlannedStep } from '../../core/plan';
import { pollUntil } from '../support/durability';
import { REPO, startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';

let env: PipelineEnv;
let dataFile: string;
let source: RunView;

/** Each test gets its own completed source run on its own copy of the data. */
async function completedRun(overrides: string[] = []): Promise<RunView> {
  const view = await env.client.wait(
    await env.client.start(env.spec([`source.uri=${dataFile}`, ...overrides])),
  );
  expect(view.status, view.error ?? '').toBe('COMPLETED');
  return view;
}

const actions = (steps: PlannedStep[]) => steps.map((s) => `${s.name}:${s.action}`);
const fileOf = (uri: string) => uri.replace(/^file:\/\//, '');

/** Polls `status` until `done` holds (20 s on an idle machine, longer on a busy one) and returns that view. */
function statusWhen(runId: string, done: (view: RunView) => boolean): Promise<RunView> {
  return pollUntil(`run ${runId} to reach the awaited state`, () => env.client.status(runId), done, 20_000);
}

/** Puts a file where the registry needs model `name`'s folder: deploy fails (retryably) until removed. */
function blockRegistry(name: string): string {
  const blocker = path.join(env.config.home, 'registry', name);
  fs.mkdirSync(path.dirname(blocker), { recursive: true });
  fs.writeFileSync(blocker, 'not a folder');
  return blocker;
}

beforeAll(async () => {
  env = await startPipelineEnv('resume');
  dataFile = path.join(env.config.home, 'iris.csv');
  fs.copyFileSync(path.join(REPO, 'data', 'iris.csv'), dataFile);
  source = await completedRun(['train.epochs=30']);
});
afterAll(async () => {
  await env?.close();
});

describe('resume', () => {
  it('plans to reuse every step of a completed run, and the resumed run recomputes nothing', async () => {
    const plan = await env.client.plan(source.runId);
    expect(plan.steps.map((s) => [s.name, s.action, s.reason])).toEqual(
      ['ingest', 'sanity', 'features', 'train', 'validate', 'deploy'].map((n) => [
        n,
        'reuse',
        'cache key matches',
      ]),
    );
    const resumed = await env.client.wait(await env.client.startPlanned(plan));
    expect(resumed.status).toBe('COMPLETED');
    expect(resumed.resumedFrom).toBe(source.runId);
    for (const [i, step] of resumed.steps.entries()) {
      expect(step).toMatchObject({ status: 'completed', attempts: 0, reusedFrom: source.runId });
      expect(step.checkpoint).toEqual(source.steps[i].checkpoint); // same bytes, nothing copied
    }
    // No new registry version, and the run says it deployed nothing: the deploy was reused.
    expect(resumed.model).toMatchObject({
      name: source.model!.name,
      version: source.model!.version,
      alias: source.model!.alias,
      reusedFrom: source.runId,
      moved: false,
      aliasVersion: source.model!.version,
    });
  });

  it('recomputes from the step whose params changed, and says which', async () => {
    const plan = await env.client.plan(source.runId, { overrides: ['train.epochs=31'] });
    expect(actions(plan.steps)).toEqual([
      'ingest:reuse',
      'sanity:reuse',
      'features:reuse',
      'train:run',
      'validate:run',
      'deploy:run',
    ]);
    expect(plan.steps[3].reason).toBe('params changed: train.epochs 30 → 31');
    expect(plan.steps[4].reason).toBe('input changed: train output');
    const resumed = await env.client.wait(await env.client.startPlanned(plan));
    expect(resumed.status).toBe('COMPLETED');
    expect(resumed.steps.map((s) => s.attempts)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(resumed.steps[3].checkpoint!.sha256).not.toBe(source.steps[3].checkpoint!.sha256);
    expect(resumed.model!.version).toBeGreaterThan(source.model!.version);
  });

  it('reports a corrupt or missing checkpoint, and recomputes instead of reading it', async () => {
    const run = await completedRun(['train.epochs=20']);
    // A first plan, once the files have settled, records their digests; the corruption below must
    // still be caught by the plan that trusts them (the rewrite changes the file's ctime).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(actions((await env.client.plan(run.runId)).steps).every((a) => a.endsWith(':reuse'))).toBe(true);
    const report = fileOf(run.steps[1].checkpoint!.uri);
    const bytes = fs.readFileSync(report);
    bytes[bytes.length >> 1] ^= 0xff;
    fs.writeFileSync(report, bytes);
    fs.rmSync(fileOf(run.steps[4].checkpoint!.uri));

    const plan = await env.client.plan(run.runId);
    expect(actions(plan.steps)).toEqual([
      'ingest:reuse',
      'sanity:run',
      'features:run',
      'train:run',
      'validate:run',
      'deploy:run',
    ]);
    expect(plan.steps[1].reason).toMatch(/^checkpoint corrupt \(sha256 mismatch\): report/);
    const rehashed = await env.client.plan(run.runId, { verify: true });
    expect(rehashed.steps).toEqual(plan.steps);
    await expect(openStore(env.config.store).read(run.steps[1].checkpoint!)).rejects.toBeInstanceOf(
      CheckpointIntegrityError,
    );
    const resumed = await env.client.wait(await env.client.startPlanned(plan));
    expect(resumed.status).toBe('COMPLETED');
    expect(resumed.steps.map((s) => s.reusedFrom)).toEqual([run.runId, null, null, null, null, null]);
    await openStore(env.config.store).verify(resumed.steps[1].checkpoint!);
  });

  it('notices a changed source file', async () => {
    const file = path.join(env.config.home, 'edited.csv');
    fs.copyFileSync(dataFile, file);
    const run = await env.client.wait(
      await env.client.start(env.spec([`source.uri=${file}`, 'train.epochs=10'])),
    );
    fs.appendFileSync(file, '5.0,3.4,1.5,0.2,setosa\n');
    const plan = await env.client.plan(run.runId);
    expect(plan.steps[0].action).toBe('run');
    expect(plan.steps[0].reason).toMatch(
      /^input changed: source file; params changed: sourceSha256 [0-9a-f]{12} → [0-9a-f]{12}$/,
    );
  });
});

describe('replay', () => {
  it('recomputes from a step with new params, upstream pinned even when the source changed on disk', async () => {
    const file = path.join(env.config.home, 'pinned.csv');
    fs.copyFileSync(dataFile, file);
    const run = await env.client.wait(
      await env.client.start(env.spec([`source.uri=${file}`, 'train.epochs=10'])),
    );
    fs.writeFileSync(file, 'garbage\n');
    const plan = await env.client.plan(run.runId, { from: 'train', overrides: ['train.epochs=25'] });
    expect(plan.steps.map((s) => [s.name, s.action, s.reason])).toEqual([
      ['ingest', 'reuse', `pinned to ${run.runId}`],
      ['sanity', 'reuse', `pinned to ${run.runId}`],
      ['features', 'reuse', `pinned to ${run.runId}`],
      ['train', 'run', 'replay from train'],
      ['validate', 'run', 'replay from train'],
      ['deploy', 'run', 'replay from train'],
    ]);
    const replayed = await env.client.wait(await env.client.startPlanned(plan));
    expect(replayed.status, replayed.error ?? '').toBe('COMPLETED');
    expect(replayed.steps[0].checkpoint).toEqual(run.steps[0].checkpoint);
    expect(replayed.steps[3].summary.epochs).toBe(25);
    expect(replayed.spec.train.epochs).toBe(25);
  });

  it('refuses an unknown step', async () => {
    await expect(env.client.plan(source.runId, { from: 'polish' as never })).rejects.toThrow(
      /--from must be one of/,
    );
  });
});

describe('retry in place and cancel', () => {
  it('pauses on a step that exhausted retryable attempts, and `retry` finishes the same run', async () => {
    const blocker = blockRegistry('blocked');
    const runId = await env.client.start(
      env.spec([
        `source.uri=${dataFile}`,
        'train.epochs=5',
        'validate.min={}',
        'deploy.model=blocked',
        'deploy.retry={maximumAttempts: 2, initialInterval: 100ms}',
      ]),
    );
    let view = await statusWhen(runId, (v) => v.status === 'PAUSED');
    expect(view.status).toBe('PAUSED');
    expect(view.steps[5]).toMatchObject({ status: 'paused', attempts: 2 });
    expect(view.steps[5].error).toMatch(/EEXIST|ENOTDIR|not a directory|file already exists/);
    expect(view.steps.slice(0, 4).map((s) => s.status)).toEqual([
      'completed',
      'completed',
      'completed',
      'completed',
    ]);

    fs.rmSync(blocker);
    await env.client.retry(runId);
    view = await env.client.wait(runId);
    expect(view.status).toBe('COMPLETED');
    expect(view.runId).toBe(runId);
    expect(view.steps.map((s) => s.attempts)).toEqual([1, 1, 1, 1, 1, 3]);
    expect(view.model).toMatchObject({ name: 'blocked', version: 1 });
  });

  it('retry refuses a run that is not paused', async () => {
    await expect(env.client.retry(source.runId)).rejects.toThrow(/is COMPLETED, not PAUSED/);
  });

  it('cancel stops a run cleanly; resume continues from its checkpoints', async () => {
    const runId = await env.client.start(
      env.spec([`source.uri=${dataFile}`, 'train.epochs=400', 'train.heartbeatTimeout=5s']),
    );
    // Cancelled once training has reported an epoch: `cancel` records that heartbeat in the run.
    let view = await statusWhen(runId, (v) => v.steps[3].status === 'running' && Boolean(v.steps[3].live));
    await env.client.cancel(runId);
    view = await env.client.wait(runId);
    expect(view.status).toBe('CANCELED');
    // The attempt that ran counts, though it was cancelled (it read 0).
    expect(view.steps[3]).toMatchObject({ status: 'cancelled', attempts: 1 });
    expect(view.steps.map((s) => s.status).slice(0, 2)).toEqual(['completed', 'completed']);
    for (const step of view.steps.slice(0, 2)) await openStore(env.config.store).verify(step.checkpoint!);
    const plan = await env.client.plan(runId, { overrides: ['train.epochs=5'] });
    expect(actions(plan.steps)).toEqual([
      'ingest:reuse',
      'sanity:reuse',
      'features:reuse',
      'train:run',
      'validate:run',
      'deploy:run',
    ]);
    expect(plan.steps[3].reason).toBe(`not completed in ${runId}`);
  });

  it('a paused run that gets no retry fails after its pauseTimeout', async () => {
    blockRegistry('stuck');
    const runId = await env.client.start(
      env.spec([
        `source.uri=${dataFile}`,
        'train.epochs=5',
        'validate.min={}',
        'deploy.model=stuck',
        'deploy.retry={maximumAttempts: 1}',
        'deploy.pauseTimeout=2s',
      ]),
    );
    // The close itself (client.wait would return at the pause), then its status.
    await env.client.temporal.workflow
      .getHandle(runId)
      .result()
      .catch(() => undefined);
    const view = await env.client.status(runId);
    expect(view.status).toBe('FAILED');
    expect(view.steps[5]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(view.error).toContain('paused 2s with no retry');
  });

  it('a terminated run resumes from the checkpoints it had written', async () => {
    const runId = await env.client.start(env.spec([`source.uri=${dataFile}`, 'train.epochs=400']));
    let view = await statusWhen(runId, (v) => v.steps[3].status === 'running');
    await env.client.temporal.workflow.getHandle(runId).terminate('test');
    view = await env.client.status(runId);
    expect(view.status).toBe('TERMINATED');
    // Rebuilt from the history: the training attempt was cut off with the run.
    expect(view.steps.map((s) => s.status)).toEqual([
      'completed',
      'completed',
      'completed',
      'failed',
      'pending',
      'pending',
    ]);
    expect(view.steps[3]).toMatchObject({ status: 'failed', error: 'terminated: test' });
    expect(view.error).toBe('terminated: test');
    const plan = await env.client.plan(runId, { overrides: ['train.epochs=5', 'validate.min={}'] });
    expect(actions(plan.steps)).toEqual([
      'ingest:reuse',
      'sanity:reuse',
      'features:reuse',
      'train:run',
      'validate:run',
      'deploy:run',
    ]);
    const resumed = await env.client.wait(await env.client.startPlanned(plan));
    expect(resumed.status).toBe('COMPLETED');
  });

  it('status of a terminated run needs no worker: it is read from the history', async () => {
    // A run on task queues no worker polls: nothing could answer a progress query.
    const stranded = await QuiverClient.connect({
      address: env.address,
      namespace: env.config.namespace,
      uiUrl: 'http://localhost',
      taskQueues: { cpu: `nobody-${process.pid}-cpu`, gpu: `nobody-${process.pid}-gpu` },
      store: env.config.store,
    });
    try {
      const runId = await stranded.start(env.spec([`source.uri=${dataFile}`]));
      await stranded.temporal.workflow.getHandle(runId).terminate('operator stop');
      const view = await stranded.status(runId);
      expect(view).toMatchObject({ runId, status: 'TERMINATED', error: 'terminated: operator stop' });
      expect(view.spec.source.uri).toBe(dataFile);
      expect(view.steps.every((s) => s.status === 'pending')).toBe(true);
    } finally {
      await stranded.close();
    }
  });
});
