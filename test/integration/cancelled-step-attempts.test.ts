import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuiverActivities } from '../../activities';
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

// The real pipeline workflow on the real dev server (activities mode), with stand-in steps whose
// validate fails its first `failFirst` attempts, then works until cancelled. A cancelled activity's
// attempt never reaches the run's history: `quiver cancel` (QuiverClient.cancel) hands it to the run.
const queue = `cancelled-attempts-${process.pid}`;
/** Attempts of validate that fail (retryably) before one runs until cancelled: the test sets it per run. */
let failFirst = 0;
/** The runs whose validate attempt is running now, waiting for its cancel. */
const validating = new Set<string>();

/** A validate that heartbeats, as every real step does, until the cancel reaches it. */
async function validateUntilCancelled(): Promise<never> {
  const context = Context.current();
  if (context.info.attempt <= failFirst) throw new Error(`flaky attempt ${context.info.attempt}`);
  validating.add(context.info.workflowExecution?.workflowId ?? '');
  return heartbeatUntilCancelled(context);
}

describe('a cancelled step of a run of activities counts the attempt it was in', () => {
  let stack: StandInWorker;
  let client: QuiverClient;
  let home: string;

  beforeAll(async () => {
    stack = await standInWorker(queue, {
      ...completedDataSteps(),
      train: async () => result('train', { model: ref('model') }),
      validate: validateUntilCancelled,
      deploy: async () => result('deploy', { deployment: ref('deployment') }),
    } satisfies Pick<QuiverActivities, StepName>);
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-cancelled-attempts-'));
    client = await connectTestClient(loadConfig({ ...process.env, QUIVER_HOME: home }, {}));
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await stack?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  /** Starts a run, cancels it the way `quiver cancel` does once validate runs, and returns its status. */
  async function cancelledDuringValidate(name: string): Promise<RunView> {
    const spec = validateSpec({
      name,
      source: { uri: 'x.csv' },
      target: { column: 'y' },
      validate: { retry: { initialInterval: '100ms' } },
    });
    const workflowId = `${name}-${process.pid}-${Date.now()}`;
    const handle = await stack.client.workflow.start(trainingPipeline, {
      ...pipelineStartOptions({ spec, taskQueues: { cpu: queue, gpu: queue } }, queue),
      workflowId,
    });
    await eventually(async () => (validating.has(workflowId) ? true : undefined), 'validate running');
    await client.cancel(workflowId);
    await handle.result().catch(() => undefined);
    return client.status(workflowId);
  }

  const validateOf = (view: RunView) => view.steps.find((s) => s.name === 'validate')!;

  it('a validate cancelled in its first attempt shows 1 attempt, in the view and the table', async () => {
    failFirst = 0;
    const view = await cancelledDuringValidate('cancel-validate');
    expect(view.status).toBe('CANCELED');
    expect(view.error).toBe('cancelled during step validate');
    expect(validateOf(view)).toMatchObject({ status: 'cancelled', attempts: 1 });
    const row = formatRun(view)
      .split('\n')
      .find((line) => line.startsWith('validate '));
    expect(row).toMatch(/^validate +cancelled +1 /);
  });

  it('a validate cancelled in its second attempt (the first failed) shows 2 attempts', async () => {
    failFirst = 1;
    const view = await cancelledDuringValidate('cancel-validate-retried');
    expect(validateOf(view)).toMatchObject({ status: 'cancelled', attempts: 2 });
    expect(view.steps.filter((s) => s.status === 'completed').map((s) => s.attempts)).toEqual([1, 1, 1, 1]);
  });
});
