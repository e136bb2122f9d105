import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrainingReporter } from '../../activities/train-progress';
import { STEP_NAMES } from '../../core/run-types';
import { pipelineStartOptions } from '../../client/run-start';
import type { QuiverActivities } from '../../activities';
import type { AliasMoveRequest, AliasMoveResult } from '../../core/deployment';
import type { EpochEvent } from '../../core/model/train';
import type { StepInput, StepName, StepResult } from '../../core/run-types';
import { validateSpec } from '../../core/spec/load';
import { trainingPipeline } from '../../workflows';
import { standInRef, standInResult, standInWorker, type StandInWorker } from '../support/stand-in-steps';

// The real pipeline workflow on the real dev server, with stand-in step activities: training is
// simulated (a fake clock, an epoch every 5 s, an epoch checkpoint every epoch) so that 24 hours of
// it take a second. What is under test is the run's history, which must not grow with training time.
const SIMULATED_EPOCH_MS = 5_000;
const DAY_MS = 24 * 3600 * 1000;
const queue = `bounded-history-${process.pid}`;
const ref = standInRef;
const result = standInResult;

/** A training of `simulatedMs` that reports like the real one: every epoch, with a saved checkpoint. */
function simulatedTraining(simulatedMs: number) {
  return async (_input: StepInput): Promise<StepResult> => {
    const epochs = Math.max(1, Math.round(simulatedMs / SIMULATED_EPOCH_MS));
    let clock = 0;
    const reporter = new TrainingReporter({
      epochs,
      backend: 'simulated',
      device: 'none',
      startEpoch: 0,
      checkpoint: null,
      now: () => clock,
    });
    for (let epoch = 1; epoch <= epochs; epoch++) {
      clock += SIMULATED_EPOCH_MS;
      // The reporter reads the epoch's statistics only, never its model or checkpoint builder.
      const event = { epoch, loss: 1 / epoch, accuracy: 0.5 } as EpochEvent;
      reporter.epochDone(event, ref(`epoch${epoch}`));
      if (epoch % 2000 === 0) await new Promise((resolve) => setImmediate(resolve)); // let heartbeats out
    }
    return result('train', { model: ref('model') }, { epochs });
  };
}

describe('a run’s event history', () => {
  let client: Client;
  let stack: StandInWorker;
  let simulatedMs = 0;

  beforeAll(async () => {
    stack = await standInWorker(
      queue,
      {
        ingest: async () => result('ingest', { data: ref('data') }),
        sanity: async () => result('sanity', { profile: ref('profile') }),
        features: async () =>
          result('features', { data: ref('features-data'), transforms: ref('transforms') }),
        train: (input: StepInput) => simulatedTraining(simulatedMs)(input),
        validate: async () => result('validate', { metrics: ref('metrics') }),
        deploy: async () =>
          result('deploy', { model: ref('model') }, { model: 'm', version: 1, alias: 'production' }),
        // The deploy's second half: the workflow moves the alias once `deploy` registered the version.
        moveAlias: async (request: AliasMoveRequest): Promise<AliasMoveResult> => ({
          moved: request.move,
          aliasVersion: request.version,
          previous: null,
          note: 'stand-in',
        }),
      } satisfies Pick<QuiverActivities, StepName | 'moveAlias'>,
      { maxHeartbeatThrottleInterval: '1s', defaultHeartbeatThrottleInterval: '1s' },
    );
    client = stack.client;
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  /** A run's event count, and how many of QuiverStep's debounce timers fired in it (each adds at most 5 events). */
  async function eventsOfRun(trainingMs: number): Promise<{ events: number; timersFired: number }> {
    simulatedMs = trainingMs;
    const spec = validateSpec({ name: 'bounded', source: { uri: 'x.csv' }, target: { column: 'y' } });
    const workflowId = `bounded-${trainingMs}-${Date.now()}`;
    const handle = await client.workflow.start(trainingPipeline, {
      ...pipelineStartOptions({ spec, taskQueues: { cpu: queue, gpu: queue } }, queue),
      workflowId,
    });
    await handle.result();
    const events = (await handle.fetchHistory()).events ?? [];
    return { events: events.length, timersFired: events.filter((e) => e.timerFiredEventAttributes).length };
  }

  it('holds as many events after 24 simulated hours of training as after one epoch', async () => {
    const short = await eventsOfRun(SIMULATED_EPOCH_MS);
    const day = await eventsOfRun(DAY_MS);
    console.log(
      `history events: ${short.events} after one epoch, ${day.events} after 24 h (${DAY_MS / SIMULATED_EPOCH_MS} epochs); step timers fired: ${short.timersFired}, ${day.timersFired}`,
    );
    // A step that outlasts 2 s of real time fires QuiverStep's debounce timer (a loaded machine): at most
    // once per step (timer fired, a workflow task, the upsert), whatever the training's length.
    const withoutTimers = (run: typeof short) => run.events - 5 * run.timersFired;
    expect(withoutTimers(day)).toBeLessThanOrEqual(short.events);
    expect(day.events).toBeGreaterThanOrEqual(withoutTimers(short));
    expect(day.timersFired).toBeLessThanOrEqual(STEP_NAMES.length);
    // Far below Temporal's 10,240-event warning: the bound is the run's steps, not its duration.
    expect(day.events).toBeLessThanOrEqual(60 + 5 * STEP_NAMES.length);
  }, 180_000);
});
