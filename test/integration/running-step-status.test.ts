import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuiverActivities } from '../../activities';
import type { TrainHeartbeat } from '../../activities/train-progress';
import type { QuiverClient, RunView } from '../../client/api';
import { formatRun } from '../../client/format';
import { pipelineStartOptions } from '../../client/run-start';
import { loadConfig } from '../../core/config';
import type { StepName } from '../../core/run-types';
import { validateSpec } from '../../core/spec/load';
import { trainingPipeline } from '../../workflows';
import { eventually } from '../support/eventually';
import { connectTestClient } from '../support/pipeline-env';
import {
  completedDataSteps,
  heartbeatUntilCancelled,
  standInRef as ref,
  standInResult as result,
  standInWorker,
  type StandInWorker,
} from '../support/stand-in-steps';

// `status` of an open run of activities on the real dev server (the real pipeline workflow, stand-in
// steps), read through the progress query (the client polls the stand-in queue): the running step's
// attempts as the server counts them, a step waiting out a retry's backoff, a cancel not yet through.
const queue = `running-step-status-${process.pid}`;

/** Per run (workflow id): the step that runs until cancelled, after `fail` attempts of it failed. */
const holds = new Map<string, { step: StepName; fail: number }>();
/** `step:workflowId` of each step attempt running now, until its cancel. */
const running = new Set<string>();
/** Runs whose deploy holds (a slow deploy) until the test releases it, and the releases. */
const releases = new Map<string, () => void>();

/** What a training attempt heartbeats: epoch 7 of 100, a minute to go. */
const beat = (attempt: number): TrainHeartbeat => ({
  epoch: 7,
  epochs: 100,
  loss: 0.5,
  accuracy: 0.8,
  metrics: {},
  checkpoint: null,
  checkpointEpoch: null,
  etaMs: 60_000,
  backend: 'stand-in',
  device: `attempt ${attempt}`,
});

/**
 * A stand-in step: completes at once, unless the run holds it: then its first attempts fail as the run
 * says, and the next heartbeats until its cancel reaches it.
 */
function standIn(step: StepName, outputs: Record<string, ReturnType<typeof ref>>) {
  return async () => {
    const context = Context.current();
    const { attempt } = context.info;
    const runId = context.info.workflowExecution?.workflowId ?? '';
    const hold = holds.get(runId);
    if (hold?.step !== step) return result(step, outputs);
    const details = step === 'train' ? beat(attempt) : undefined;
    context.heartbeat(details);
    if (attempt <= hold.fail) {
      // Long enough for the heartbeat to reach the server: the next attempt's backoff shows it.
      await new Promise((resolve) => setTimeout(resolve, 300));
      throw new Error(`flaky attempt ${attempt}`);
    }
    running.add(`${step}:${runId}`);
    return heartbeatUntilCancelled(context, details);
  };
}

describe('status of an open run of activities', () => {
  let stack: StandInWorker;
  let client: QuiverClient;
  let home: string;

  beforeAll(async () => {
    stack = await standInWorker(queue, {
      ...completedDataSteps(),
      train: standIn('train', { model: ref('model') }),
      validate: standIn('validate', { metrics: ref('metrics') }),
      // A slow deploy (only the last test's run gets there): it holds until the test releases it, and the
      // run stays open with its cancel pending meanwhile (the workflow waits for the deploy's word).
      deploy: async () => {
        const runId = Context.current().info.workflowExecution?.workflowId ?? '';
        running.add(`deploy:${runId}`);
        await new Promise<void>((resolve) => releases.set(runId, resolve));
        return result('deploy', { deployment: ref('deployment') }, { cancelRequested: true });
      },
    } satisfies Pick<QuiverActivities, StepName>);
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-running-step-status-'));
    const config = loadConfig({ ...process.env, QUIVER_HOME: home }, {});
    client = await connectTestClient({ ...config, taskQueues: { cpu: queue, gpu: queue } });
  }, 120_000);

  afterAll(async () => {
    for (const release of releases.values()) release();
    await client?.close();
    await stack?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  /** Starts a run with `sections` of spec on the stand-in queue, holding `hold`'s step (see standIn). */
  async function start(
    name: string,
    sections: Record<string, unknown>,
    hold?: { step: StepName; fail: number },
  ): Promise<string> {
    const spec = validateSpec({ name, source: { uri: 'x.csv' }, target: { column: 'y' }, ...sections });
    const workflowId = `${name}-${process.pid}-${Date.now()}`;
    if (hold) holds.set(workflowId, hold);
    await stack.client.workflow.start(trainingPipeline, {
      ...pipelineStartOptions({ spec, taskQueues: { cpu: queue, gpu: queue } }, queue),
      workflowId,
    });
    return workflowId;
  }

  /** The step's pending activity, once the server says it is in `state` on `attempt`. */
  async function pendingAt(runId: string, step: StepName, attempt: number, state: number): Promise<void> {
    await eventually(async () => {
      const { raw } = await stack.client.workflow.getHandle(runId).describe();
      const activity = raw.pendingActivities?.find((a) => a.activityType?.name === step);
      return activity?.attempt === attempt && activity.state === state ? true : undefined;
    }, `${step} attempt ${attempt} in state ${state}`);
  }

  /** Cancels the run the way `quiver cancel` does and returns its status once it closed. */
  async function cancelled(runId: string): Promise<RunView> {
    await client.cancel(runId);
    await stack.client.workflow
      .getHandle(runId)
      .result()
      .catch(() => undefined);
    return client.status(runId);
  }

  const row = (view: RunView, step: StepName) =>
    formatRun(view)
      .split('\n')
      .find((line) => line.startsWith(`${step} `));
  const stepOf = (view: RunView, step: StepName) => view.steps.find((s) => s.name === step)!;

  it('a training in its first attempt has made 1 attempt, in the table and in --json', async () => {
    const runId = await start('status-train-running', {}, { step: 'train', fail: 0 });
    await eventually(async () => (running.has(`train:${runId}`) ? true : undefined), 'train running');
    const view = await eventually(async () => {
      const v = await client.status(runId);
      return stepOf(v, 'train').live ? v : undefined;
    }, 'a live epoch');
    expect(view.progressFrom).toBe('query');
    expect(stepOf(view, 'train')).toMatchObject({
      status: 'running',
      attempts: 1,
      live: { epoch: 7, attempt: 1 },
    });
    expect(JSON.parse(JSON.stringify(view)).steps[3].attempts).toBe(1);
    expect(row(view, 'train')).toMatch(/^train +running +1 .* epoch 7\/100 · ETA /);
    expect(stepOf(await cancelled(runId), 'train')).toMatchObject({ status: 'cancelled', attempts: 1 });
  });

  it("a validate retrying shows the server's attempt, and its cancel counts the same", async () => {
    const runId = await start(
      'status-validate-retried',
      { validate: { retry: { initialInterval: '100ms' } } },
      { step: 'validate', fail: 2 },
    );
    await eventually(async () => (running.has(`validate:${runId}`) ? true : undefined), 'validate running');
    const view = await client.status(runId);
    expect(stepOf(view, 'validate')).toMatchObject({ status: 'running', attempts: 3 });
    expect(row(view, 'validate')).toMatch(/^validate +running +3 /);
    expect(stepOf(await cancelled(runId), 'validate')).toMatchObject({ status: 'cancelled', attempts: 3 });
  });

  it('a training waiting out a retry backoff shows no live epoch and the retry to come; its cancel counts 1 attempt', async () => {
    const runId = await start(
      'status-train-backoff',
      { train: { retry: { maximumAttempts: 3, initialInterval: '30s' } } },
      { step: 'train', fail: 1 },
    );
    await pendingAt(runId, 'train', 2, 1); // attempt 2 SCHEDULED: attempt 1 failed, its heartbeat stays
    const view = await client.status(runId);
    const train = stepOf(view, 'train');
    expect(train).toMatchObject({
      status: 'running',
      attempts: 1,
      retry: { attempt: 2, maximumAttempts: 3 },
    });
    expect(train.live ?? null).toBeNull(); // attempt 1's epoch is not a live one
    expect(train.retry?.lastFailure).toContain('flaky attempt 1');
    expect(Date.parse(train.retry?.at ?? '')).toBeGreaterThan(Date.now());
    expect(row(view, 'train')).toMatch(/^train +running +1 .* retrying in \d+s \(attempt 2 of 3\)$/);
    expect(formatRun(view)).not.toMatch(/epoch 7|ETA/);
    const closed = await cancelled(runId);
    expect(stepOf(closed, 'train')).toMatchObject({ status: 'cancelled', attempts: 1 });
    expect(row(closed, 'train')).toMatch(/^train +cancelled +1 /);
  });

  it('a run whose cancel waits on a slow deploy says the cancel was requested, in text and --json', async () => {
    const runId = await start('status-cancel-pending', {});
    await eventually(async () => (running.has(`deploy:${runId}`) ? true : undefined), 'deploy running');
    const before = await client.status(runId);
    expect(before).toMatchObject({ status: 'RUNNING', cancelRequested: false });
    expect(formatRun(before).split('\n')[0]).toMatch(/ status RUNNING$/);
    await client.cancel(runId);
    const pending = await client.status(runId);
    expect(pending).toMatchObject({ status: 'RUNNING', cancelRequested: true });
    expect(JSON.parse(JSON.stringify(pending)).cancelRequested).toBe(true);
    expect(formatRun(pending).split('\n')[0]).toMatch(/ status RUNNING \(cancel requested\)$/);
    releases.get(runId)!();
    const closed = await stack.client.workflow
      .getHandle(runId)
      .result()
      .catch(() => undefined)
      .then(() => client.status(runId));
    expect(closed.status).toBe('CANCELED');
    expect(formatRun(closed)).not.toContain('cancel requested');
  });
});
