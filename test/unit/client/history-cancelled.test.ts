import type { Payload } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import { describe, expect, it } from 'vitest';
import { progressFromHistory } from '../../../client/history-progress';

// Pure logic over a hand-built history: JSON payloads, decoded as the client's converter would.
const payload = (value: unknown): Payload => ({ data: Buffer.from(JSON.stringify(value)) });
const decode = async (p: Payload) => JSON.parse(Buffer.from(p.data!).toString()) as unknown;
const started = (execution?: 'local') => ({
  eventId: 1,
  workflowExecutionStartedEventAttributes: {
    input: { payloads: [payload({ spec: { name: 'p', ...(execution ? { execution } : {}) } })] },
  },
});
const statusOf = async (history: History, status: 'RUNNING' | 'CANCELED', step: string) =>
  (await progressFromHistory('run-1', history, decode, status)).steps.find((s) => s.name === step)!;

describe('progressFromHistory: a cancel reads as a cancel, never as a failure', () => {
  it('a local step whose marker records a cancelled failure is cancelled while the run closes', async () => {
    const history = {
      events: [
        started('local'),
        {
          eventId: 5,
          markerRecordedEventAttributes: {
            markerName: 'core_local_activity',
            details: { data: { payloads: [payload({ activity_type: 'train', attempt: 1 })] } },
            failure: { message: 'Local Activity cancelled', canceledFailureInfo: {} },
          },
        },
      ],
    } as unknown as History;
    expect(await statusOf(history, 'RUNNING', 'train')).toMatchObject({ status: 'cancelled', attempts: 1 });
  });

  it('a local step whose marker records an application failure is failed', async () => {
    const history = {
      events: [
        started('local'),
        {
          eventId: 5,
          markerRecordedEventAttributes: {
            markerName: 'core_local_activity',
            details: { data: { payloads: [payload({ activity_type: 'train', attempt: 2 })] } },
            failure: { message: 'boom', applicationFailureInfo: { type: 'Error' } },
          },
        },
      ],
    } as unknown as History;
    expect(await statusOf(history, 'RUNNING', 'train')).toMatchObject({ status: 'failed', error: 'boom' });
  });

  it('a cancelled activity is cancelled; a step still running when the run closed CANCELED is cancelled', async () => {
    const history = {
      events: [
        started(),
        { eventId: 5, activityTaskScheduledEventAttributes: { activityType: { name: 'ingest' } } },
        { eventId: 6, activityTaskCanceledEventAttributes: { scheduledEventId: 5 } },
        { eventId: 7, activityTaskScheduledEventAttributes: { activityType: { name: 'sanity' } } },
      ],
    } as unknown as History;
    expect(await statusOf(history, 'CANCELED', 'ingest')).toMatchObject({ status: 'cancelled' });
    expect(await statusOf(history, 'CANCELED', 'sanity')).toMatchObject({
      status: 'cancelled',
      error: 'run canceled',
    });
  });
});
