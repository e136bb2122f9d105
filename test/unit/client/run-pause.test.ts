import type { History } from '@temporalio/common/lib/proto-utils';
import { describe, expect, it } from 'vitest';
import { markPaused, pausedInHistory } from '../../../client/run-pause';
import { STEP_NAMES, type RunProgress } from '../../../core/run-types';
import { emptyStep } from '../../../workflows/training-pipeline';

/** A json/plain payload, as the server stores search attribute values. */
function keyword(value: string) {
  return {
    metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from('Keyword') },
    data: Buffer.from(JSON.stringify(value)),
  };
}
const status = (value: string) => ({
  upsertWorkflowSearchAttributesEventAttributes: {
    searchAttributes: { indexedFields: { QuiverStatus: keyword(value) } },
  },
});
const step = (value: string) => ({
  upsertWorkflowSearchAttributesEventAttributes: {
    searchAttributes: { indexedFields: { QuiverStep: keyword(value) } },
  },
});
const signal = (signalName: string) => ({ workflowExecutionSignaledEventAttributes: { signalName } });
const history = (...events: object[]) => ({ events }) as unknown as History;

describe('pausedInHistory (what client.wait confirms before returning a paused run)', () => {
  it('is paused when the last QuiverStatus upsert says PAUSED, whatever other attributes followed', () => {
    expect(pausedInHistory(history(step('train'), status('PAUSED'), step('train')))).toBe(true);
  });

  it('is not paused once a retry was signalled (or a cancel requested) after the pause, even before a worker handled it', () => {
    expect(pausedInHistory(history(status('PAUSED'), signal('retry')))).toBe(false);
    expect(pausedInHistory(history(status('PAUSED'), signal('trainProgress')))).toBe(true);
    const cancelRequested = { workflowExecutionCancelRequestedEventAttributes: {} };
    expect(pausedInHistory(history(status('PAUSED'), cancelRequested))).toBe(false);
  });

  it('is not paused when running again after a retry, or never paused', () => {
    expect(pausedInHistory(history(status('PAUSED'), signal('retry'), status('RUNNING')))).toBe(false);
    expect(pausedInHistory(history(step('sanity')))).toBe(false);
    expect(pausedInHistory(history(signal('retry'), status('PAUSED')))).toBe(true);
  });
});

describe('markPaused', () => {
  it('marks the failed step paused and names it, its attempts, its error and the retry command', () => {
    const steps = STEP_NAMES.map(emptyStep);
    Object.assign(
      steps.find((s) => s.name === 'ingest')!,
      { status: 'completed', attempts: 1 },
    );
    Object.assign(
      steps.find((s) => s.name === 'train')!,
      {
        status: 'failed',
        attempts: 3,
        error: 'disk full',
      },
    );
    const progress = {
      runId: 'quiver-iris-7',
      status: 'RUNNING',
      steps,
      error: null,
    } as unknown as RunProgress;
    const paused = markPaused(progress);
    expect(paused.status).toBe('PAUSED');
    expect(paused.steps.find((s) => s.name === 'train')!.status).toBe('paused');
    expect(paused.error).toBe(
      'step train paused after 3 attempt(s): disk full (fix the cause, then `quiver retry quiver-iris-7`)',
    );
  });
});
