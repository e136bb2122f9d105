import { WorkflowFailedError, type Client } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCancelRequested } from '../../activities/run-liveness';
import { pipelineStartOptions } from '../../client/run-start';
import type { QuiverActivities } from '../../activities';
import type {
  AliasMoveRequest,
  AliasMoveResult,
  AliasUndoRequest,
  AliasUndoResult,
} from '../../core/deployment';
import {
  PROGRESS_MEMO_KEY,
  type RunProgress,
  type StepInput,
  type StepName,
  type StepResult,
} from '../../core/run-types';
import { validateSpec } from '../../core/spec/load';
import { trainingPipeline } from '../../workflows';
import { eventually } from '../support/eventually';
import {
  completedDataSteps,
  standInRef as ref,
  standInResult as result,
  standInWorker,
  type StandInWorker,
} from '../support/stand-in-steps';

// The real pipeline workflow on the real dev server, with stand-in steps whose deploy plays each side of
// the race between a cancel and the alias move. The stand-in never heartbeats, so a cancel reaches it
// only through the server's record of the run (runCancelRequested, the real check the deploy makes).
const queue = `deploy-liveness-${process.pid}`;

/** What the stand-in deploy does once started: the test sets it per run. */
let deployPlays: (input: StepInput) => Promise<ReturnType<typeof result>> = () => {
  throw new Error('no deploy behaviour set');
};
/** The stand-in deploy's result: version 1 registered for alias production, with `summary` on top. */
const deployResult = (summary: StepResult['summary']) =>
  result(
    'deploy',
    { deployment: ref('deployment') },
    { model: 'm', version: 1, alias: 'production', ...summary },
  );
const aliasMoves: AliasMoveRequest[] = [];
const aliasUndos: AliasUndoRequest[] = [];
const deployStarted: string[] = [];
/** Each run's cancel flag as its deploy first read it, before the test hears the deploy started. */
const firstCheck = new Map<string, boolean | undefined>();

describe('the deploy moves the alias only while the run is live', () => {
  let client: Client;
  let stack: StandInWorker;

  beforeAll(async () => {
    stack = await standInWorker(queue, {
      ...completedDataSteps(),
      train: async () => result('train', { model: ref('model') }),
      validate: async () => result('validate', { metrics: ref('metrics') }),
      deploy: async (input: StepInput) => {
        firstCheck.set(input.run.runId, await runCancelRequested());
        deployStarted.push(input.run.runId);
        return deployPlays(input);
      },
      moveAlias: async (request: AliasMoveRequest): Promise<AliasMoveResult> => {
        aliasMoves.push(request);
        return { moved: request.move, aliasVersion: request.version, previous: null, note: 'stand-in' };
      },
      undoAliasMove: async (request: AliasUndoRequest): Promise<AliasUndoResult> => {
        aliasUndos.push(request);
        return { undone: true, aliasVersion: null };
      },
    } satisfies Pick<QuiverActivities, StepName | 'moveAlias' | 'undoAliasMove'>);
    client = stack.client;
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  async function start(name: string, execution?: 'local') {
    const spec = validateSpec({
      name,
      source: { uri: 'x.csv' },
      target: { column: 'y' },
      ...(execution ? { execution } : {}),
    });
    const workflowId = `${name}-${process.pid}-${Date.now()}`;
    const handle = await client.workflow.start(trainingPipeline, {
      ...pipelineStartOptions({ spec, taskQueues: { cpu: queue, gpu: queue } }, queue),
      workflowId,
    });
    await eventually(async () => (deployStarted.includes(workflowId) ? true : undefined), 'deploy started');
    return handle;
  }

  async function memo(workflowId: string): Promise<RunProgress> {
    const { memo } = await client.workflow.getHandle(workflowId).describe();
    return memo![PROGRESS_MEMO_KEY] as RunProgress;
  }

  it('a deploy that finds the run being cancelled moves nothing, and the run ends cancelled during deploy', async () => {
    let sawCancel: boolean | undefined;
    deployPlays = async () => {
      // The real check, against the real server: false (firstCheck) until the cancel below is recorded.
      await eventually(async () => ((await runCancelRequested()) ? true : undefined), 'cancel recorded');
      sawCancel = await runCancelRequested();
      return deployResult({ cancelRequested: true });
    };
    const handle = await start('live-cancel');
    await handle.cancel();
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect([firstCheck.get(handle.workflowId), sawCancel]).toEqual([false, true]);
    const progress = await memo(handle.workflowId);
    expect(progress.status).toBe('CANCELED');
    expect(progress.error).toBe('cancelled during step deploy');
    // The attempt the deploy reported along with the cancel counts, though this cancel sent no attempts.
    expect(progress.steps.find((s) => s.name === 'deploy')).toMatchObject({
      status: 'cancelled',
      attempts: 1,
    });
    expect(progress.model).toBeNull();
    // Neither the deploy nor the workflow moved the alias.
    expect(aliasMoves.filter((m) => m.runId === handle.workflowId)).toEqual([]);
  });

  it('a cancel that reaches the run after its deploy moved the alias is too late: the run completes and says so', async () => {
    let asked: boolean | undefined;
    let markMoved = () => {};
    const moved = new Promise<void>((resolve) => (markMoved = resolve));
    deployPlays = async (input) => {
      asked = input.moveAliasUnlessCancelled;
      // The alias moves here; the test cancels now, and the workflow asks this attempt to stop, which it
      // never hears (no heartbeat): it returns the move, as a deploy past its check does.
      markMoved();
      await eventually(async () => {
        const events = (await client.workflow.getHandle(input.run.runId).fetchHistory()).events ?? [];
        return events.some((e) => e.activityTaskCancelRequestedEventAttributes) ? true : undefined;
      }, 'the workflow asking the deploy to stop');
      return deployResult({ moved: true, aliasVersion: 1, note: 'production moved none → 1' });
    };
    const handle = await start('late-cancel');
    await moved;
    await handle.cancel();
    const outcome = await handle.result();
    expect(outcome.status).toBe('COMPLETED');
    expect([asked, firstCheck.get(handle.workflowId)]).toEqual([true, false]);
    const progress = await memo(handle.workflowId);
    expect(progress.model).toMatchObject({ version: 1, moved: true, aliasVersion: 1, cancelTooLate: true });
    expect(progress.steps.find((s) => s.name === 'deploy')?.status).toBe('completed');
    // The deploy moved it: the workflow ran no move of its own.
    expect(aliasMoves.filter((m) => m.runId === handle.workflowId)).toEqual([]);
  });

  it('a local run whose one workflow task the server discards for a cancel that crossed its deploy puts the alias back', async () => {
    deployPlays = async (input) => {
      // Past its check, the deploy has moved the alias; the cancel arrives before the task ends, so the
      // server refuses the run's completion and the worker replays it with the cancel first.
      await eventually(async () => ((await runCancelRequested()) ? true : undefined), 'cancel recorded');
      return deployResult({ moved: input.moveAliasUnlessCancelled === true, aliasVersion: 1 });
    };
    const handle = await start('local-crossed', 'local');
    await handle.cancel();
    const error = await handle.result().catch((e: unknown) => e);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.some((e) => e.workflowTaskFailedEventAttributes)).toBe(true); // the discarded task
    expect(aliasUndos).toContainEqual({
      model: 'local-crossed',
      alias: 'production',
      runId: handle.workflowId,
    });
    const progress = await memo(handle.workflowId);
    expect(progress.status).toBe('CANCELED');
    expect(progress.error).toBe(
      'run cancelled; its deploy had moved alias production: put back on no version (withdrawn)',
    );
  });
});
