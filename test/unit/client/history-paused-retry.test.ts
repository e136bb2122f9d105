import type { Payload } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import { describe, expect, it } from 'vitest';
import { progressFromHistory } from '../../../client/history-progress';
import { settleClosedProgress } from '../../../client/live-training';
import { markPaused } from '../../../client/run-pause';

// Pure logic over a hand-built history: JSON payloads, decoded as the client's converter would.
const payload = (value: unknown): Payload => ({ data: Buffer.from(JSON.stringify(value)) });
const decode = async (p: Payload) => JSON.parse(Buffer.from(p.data!).toString()) as unknown;
const started = (execution?: 'local') => ({
  eventId: 1,
  workflowExecutionStartedEventAttributes: {
    input: { payloads: [payload({ spec: { name: 'p', ...(execution ? { execution } : {}) } })] },
  },
});
const marker = (eventId: number, step: string, attempt: number, outcome: 'completed' | 'failed') => ({
  eventId,
  markerRecordedEventAttributes: {
    markerName: 'core_local_activity',
    details: {
      data: { payloads: [payload({ activity_type: step, attempt })] },
      ...(outcome === 'completed'
        ? {
            result: {
              payloads: [
                payload({ outputs: {}, summary: {}, attempt, codeVersion: 'v', durationMs: 40 + eventId }),
              ],
            },
          }
        : {}),
    },
    ...(outcome === 'failed'
      ? { failure: { message: 'Activity timed out', timeoutFailureInfo: { timeoutType: 'START_TO_CLOSE' } } }
      : {}),
  },
});
const upsertStatus = (eventId: number, status: string) => ({
  eventId,
  upsertWorkflowSearchAttributesEventAttributes: {
    searchAttributes: { indexedFields: { QuiverStatus: payload(status) } },
  },
});
const retrySignal = (eventId: number) => ({
  eventId,
  workflowExecutionSignaledEventAttributes: { signalName: 'retry' },
});
const cancelRequested = (eventId: number) => ({
  eventId,
  workflowExecutionCancelRequestedEventAttributes: {},
});
const stepOf = async (events: unknown[], step: string) =>
  (await progressFromHistory('run-1', { events } as unknown as History, decode, 'RUNNING')).steps.find(
    (s) => s.name === step,
  )!;

// A local run whose train exhausted its retries: the failed marker, then the PAUSED upsert.
const pausedLocal = [
  started('local'),
  marker(5, 'ingest', 1, 'completed'),
  marker(6, 'sanity', 1, 'completed'),
  marker(7, 'features', 1, 'completed'),
  marker(8, 'train', 1, 'failed'),
  upsertStatus(9, 'PAUSED'),
];

describe('progressFromHistory: a paused step and its retry, as the workflow holds them', () => {
  it("a completed local step reads its duration from the step's own clock (its marker has no start)", async () => {
    expect(await stepOf(pausedLocal, 'ingest')).toMatchObject({ status: 'completed', durationMs: 45 });
    expect(await stepOf(pausedLocal, 'features')).toMatchObject({ status: 'completed', durationMs: 47 });
  });

  it('a local step that exhausted its retries reads paused while the run waits for a retry', async () => {
    expect(await stepOf(pausedLocal, 'train')).toMatchObject({
      status: 'paused',
      attempts: 1,
      error: 'Activity timed out',
    });
    // A waiter's view of it says the same and names the step.
    const progress = await progressFromHistory(
      'run-1',
      { events: pausedLocal } as unknown as History,
      decode,
      'RUNNING',
    );
    const view = markPaused(progress);
    expect(view.steps.find((s) => s.name === 'train')!.status).toBe('paused');
    expect(view.error).toMatch(/^step train paused after 1 attempt\(s\): Activity timed out/);
  });

  it('a retried local step reads running (attempts counting on), never failed, until its next marker', async () => {
    const retried = [...pausedLocal, retrySignal(10)];
    expect(await stepOf(retried, 'train')).toMatchObject({ status: 'running', attempts: 1, error: null });
    // The retried task's RUNNING upsert (a long task records its commands before it ends) says the same.
    expect(await stepOf([...retried, upsertStatus(11, 'RUNNING')], 'train')).toMatchObject({
      status: 'running',
      attempts: 1,
    });
    // Nor while a cancel is on its way to it.
    expect(await stepOf([...retried, cancelRequested(11)], 'train')).toMatchObject({
      status: 'running',
      attempts: 1,
    });
    // Later steps stay pending.
    expect((await stepOf(retried, 'validate')).status).toBe('pending');
    // The retried attempt's marker counts on from the paused one.
    expect(await stepOf([...retried, marker(12, 'train', 1, 'completed')], 'train')).toMatchObject({
      status: 'completed',
      attempts: 2,
    });
    expect(await stepOf([...retried, marker(12, 'train', 1, 'failed')], 'train')).toMatchObject({
      status: 'failed',
      attempts: 2,
    });
  });

  it('a retry signal with no step paused changes nothing (the workflow ignores it)', async () => {
    const events = [started('local'), marker(5, 'ingest', 1, 'completed'), retrySignal(6)];
    expect(await stepOf(events, 'ingest')).toMatchObject({ status: 'completed', attempts: 1 });
    expect(await stepOf(events, 'sanity')).toMatchObject({ status: 'running' });
  });

  it('an activities run: the failed activity paused, running again from the retry signal on', async () => {
    const events = [
      started(),
      { eventId: 5, activityTaskScheduledEventAttributes: { activityType: { name: 'ingest' } } },
      { eventId: 6, activityTaskStartedEventAttributes: { scheduledEventId: 5, attempt: 3 } },
      {
        eventId: 7,
        activityTaskFailedEventAttributes: { scheduledEventId: 5, failure: { message: 'boom' } },
      },
      upsertStatus(8, 'PAUSED'),
    ];
    expect(await stepOf(events, 'ingest')).toMatchObject({ status: 'paused', attempts: 3 });
    expect(await stepOf([...events, retrySignal(9)], 'ingest')).toMatchObject({
      status: 'running',
      attempts: 3,
    });
  });

  it('a closed run read from history: a step it left paused failed (terminated) or cancelled while paused', async () => {
    const progress = await progressFromHistory(
      'run-1',
      { events: pausedLocal } as unknown as History,
      decode,
      'TERMINATED',
    );
    expect(progress.steps.find((s) => s.name === 'train')).toMatchObject({
      status: 'failed',
      error: 'Activity timed out',
    });
    // Cancelled while paused: status settles it as such (settleClosedProgress), its error kept.
    const cancelled = await progressFromHistory(
      'run-1',
      { events: [...pausedLocal, cancelRequested(10)] } as unknown as History,
      decode,
      'CANCELED',
    );
    expect(
      settleClosedProgress(cancelled, 'CANCELED', null).steps.find((s) => s.name === 'train'),
    ).toMatchObject({ status: 'cancelled', error: 'cancelled while paused: Activity timed out' });
  });
});
