import { describe, expect, it } from 'vitest';
import type { RunView } from '../../../client/api';
import { formatRun } from '../../../client/format';
import { LOCAL_TRAINING_NOTE, withLocalTrainingNote } from '../../../client/live-training';
import { renderProgress } from '../../../client/progress';
import { stepAttemptsMade } from '../../../client/step-attempts';
import { STEP_NAMES, type RunProgress } from '../../../core/run-types';
import { emptyStep } from '../../../workflows/training-pipeline';

/** An open run whose first three steps completed and whose training runs, as `status` reads it. */
function training(execution: 'local' | 'activities'): RunProgress {
  const steps = STEP_NAMES.map(emptyStep);
  for (const s of steps.slice(0, 3)) Object.assign(s, { status: 'completed', attempts: 1 });
  steps[3].status = 'running';
  return {
    runId: 'quiver-iris-1',
    pipeline: 'iris',
    status: 'RUNNING',
    resumedFrom: null,
    spec: { execution } as RunProgress['spec'],
    steps,
    model: null,
    error: null,
  };
}
const view = (progress: RunProgress): RunView => ({
  ...progress,
  uiUrl: 'http://ui',
  startedAt: null,
  closedAt: null,
});

describe("an open local run's training", () => {
  it('is noted as reporting no live epochs, in the table and the live display; never given an epoch', () => {
    const noted = view(withLocalTrainingNote(training('local')));
    const train = noted.steps[3];
    expect(train).toMatchObject({ status: 'running', note: LOCAL_TRAINING_NOTE });
    expect(train.live).toBeUndefined();
    const row = formatRun(noted)
      .split('\n')
      .find((line) => line.startsWith('train '));
    expect(row).toMatch(/^train +running +0 +- +- +- +a local run reports no live epochs: /);
    expect(formatRun(noted)).not.toContain('training: epoch');
    expect(renderProgress(noted).split('\n')[4]).toBe(`  ▶ train    running…  (${LOCAL_TRAINING_NOTE})`);
    // JSON: the note, no `live` made up.
    expect(JSON.parse(JSON.stringify(noted)).steps[3]).not.toHaveProperty('live');
  });

  it('a run of activities, or a local run past training, is left as it is', () => {
    const activities = training('activities');
    expect(withLocalTrainingNote(activities)).toBe(activities);
    const later = training('local');
    Object.assign(later.steps[3], { status: 'completed', attempts: 1 });
    later.steps[4].status = 'running';
    expect(withLocalTrainingNote(later).steps.map((s) => ('note' in s ? s.name : null))).toEqual(
      STEP_NAMES.map(() => null),
    );
  });
});

describe('the attempts of the step `quiver cancel` stops, from the server’s pending activity', () => {
  const validate = (attempt: number, state: number | string) => ({
    activityType: { name: 'validate' },
    attempt,
    state,
  });

  it('counts the attempt in flight once started or being cancelled', () => {
    expect(stepAttemptsMade([validate(1, 2)])).toEqual({ step: 'validate', attempts: 1 });
    expect(stepAttemptsMade([validate(3, 3)])).toEqual({ step: 'validate', attempts: 3 });
    expect(stepAttemptsMade([validate(2, 'PENDING_ACTIVITY_STATE_STARTED')])).toEqual({
      step: 'validate',
      attempts: 2,
    });
  });

  it('does not count an attempt still waiting to start (retry backoff, no worker)', () => {
    expect(stepAttemptsMade([validate(2, 1)])).toEqual({ step: 'validate', attempts: 1 });
    expect(stepAttemptsMade([validate(1, 'PENDING_ACTIVITY_STATE_SCHEDULED')])).toBeNull();
  });

  it('reads step activities only', () => {
    expect(stepAttemptsMade([{ activityType: { name: 'moveAlias' }, attempt: 1, state: 2 }])).toBeNull();
    expect(stepAttemptsMade([])).toBeNull();
    expect(stepAttemptsMade(undefined)).toBeNull();
  });
});
