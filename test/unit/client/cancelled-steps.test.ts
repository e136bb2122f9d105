import { describe, expect, it } from 'vitest';
import { settleClosedProgress } from '../../../client/live-training';
import { STEP_NAMES, type RunProgress } from '../../../core/run-types';
import { emptyStep } from '../../../workflows/training-pipeline';

/** A run's progress as its memo records it when it closed: ingest and sanity done, train as given. */
function progress(train: Partial<RunProgress['steps'][number]>): RunProgress {
  const steps = STEP_NAMES.map(emptyStep);
  for (const s of steps.slice(0, 2)) s.status = 'completed';
  Object.assign(steps[STEP_NAMES.indexOf('train')], train);
  return {
    runId: 'r',
    pipeline: 'p',
    status: 'PAUSED',
    resumedFrom: null,
    spec: {} as RunProgress['spec'],
    steps,
    model: null,
    error: null,
  };
}
const trainOf = (p: RunProgress) => p.steps.find((s) => s.name === 'train')!;

describe('a closed run settles the step it stopped on', () => {
  it('a run cancelled while paused shows that step cancelled, keeping the error it paused on', () => {
    const settled = settleClosedProgress(
      progress({ status: 'paused', attempts: 2, error: 'DiskFullError: no space left' }),
      'CANCELED',
      '2026-11-30T22:00:00.000Z',
    );
    expect(trainOf(settled).status).toBe('cancelled');
    expect(trainOf(settled).error).toBe(
      'cancelled at 2026-11-30T22:00:00.000Z while paused: DiskFullError: no space left',
    );
    expect(settled.steps.slice(0, 2).map((s) => s.status)).toEqual(['completed', 'completed']);
  });

  it('a paused step of a run that failed otherwise (pause timeout) is left as recorded', () => {
    const settled = settleClosedProgress(
      progress({ status: 'failed', error: 'x (paused 7d with no retry)' }),
      'FAILED',
      null,
    );
    expect(trainOf(settled).status).toBe('failed');
  });
});
