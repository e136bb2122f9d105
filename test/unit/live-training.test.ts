import { describe, expect, it } from 'vitest';
import type { RunView } from '../../client/api';
import { etaText, formatRun, formatTraining } from '../../client/format';
import { trainingResumePoint } from '../../client/live-training';
import type { CheckpointRef } from '../../core/checkpoint/types';
import type { Plan } from '../../core/plan';
import { STEP_NAMES, type StepState } from '../../core/run-types';
import { validateSpec } from '../../core/spec/load';

const spec = validateSpec({ name: 'iris', source: { uri: 'iris.csv' }, target: { column: 'species' } });
const checkpoint: CheckpointRef = { uri: 'file:///x', sha256: 'ab'.repeat(32), rows: 12, bytes: 4096 };

function view(train: Partial<StepState>): RunView {
  const steps = STEP_NAMES.map(
    (name) =>
      ({ name, status: name === 'ingest' || name === 'sanity' ? 'completed' : 'pending' }) as StepState,
  );
  Object.assign(steps[3], train);
  return { runId: 'r1', spec, steps, status: 'CANCELED' } as RunView;
}

const live = {
  epoch: 12,
  epochs: 60,
  loss: 0.43125,
  accuracy: 0.9,
  etaMs: 80_000,
  checkpoint,
  checkpointEpoch: 10,
  backend: 'webgpu',
  device: 'llvmpipe (software)',
  attempt: 1,
  // Reported just now: the ETA shown is the report's (see etaText for an older report).
  updatedAt: new Date().toISOString(),
};

const reuseDataSteps: Plan = {
  steps: STEP_NAMES.map((name) => ({
    name,
    action: name === 'ingest' || name === 'sanity' ? 'reuse' : 'run',
    reason: '',
  })),
  reuse: {},
};

describe('trainingResumePoint', () => {
  it("continues an unfinished training from the run's recorded epoch checkpoint", () => {
    expect(trainingResumePoint(view({ status: 'failed', live }), reuseDataSteps, spec)).toEqual({
      checkpoint,
      epoch: 10,
    });
  });

  it('starts over when the data is recomputed, the train params changed, or nothing was saved', () => {
    const source = view({ status: 'failed', live });
    const newData: Plan = {
      ...reuseDataSteps,
      steps: reuseDataSteps.steps.map((s) => ({ ...s, action: 'run' })),
    };
    expect(trainingResumePoint(source, newData, spec)).toBeNull();
    const otherParams = validateSpec({ ...spec, train: { ...spec.train, hiddenUnits: [8] } });
    expect(trainingResumePoint(source, reuseDataSteps, otherParams)).toBeNull();
    const unsaved = view({ status: 'failed', live: { ...live, checkpoint: null, checkpointEpoch: null } });
    expect(trainingResumePoint(unsaved, reuseDataSteps, spec)).toBeNull();
    expect(trainingResumePoint(view({ status: 'completed', live }), reuseDataSteps, spec)).toBeNull();
  });
});

describe('formatTraining', () => {
  it('shows epoch, loss, ETA, backend and device while training runs, and the fallback reason', () => {
    const lines = formatTraining(
      view({
        status: 'running',
        live,
        routing: { queue: 'cpu', reason: 'no GPU worker …: fell back to quiver-cpu' },
      }),
    );
    expect(lines).toEqual([
      'train: no GPU worker …: fell back to quiver-cpu',
      'training: epoch 12/60 · loss 0.4313 · ETA 1m 20s · webgpu · llvmpipe (software) · attempt 1',
      `last epoch checkpoint: epoch 10 ${'ab'.repeat(6)} (12 rows, 4.0 KiB)`,
    ]);
    expect(formatTraining(view({ status: 'completed', live }))).toEqual([]);
  });
});

describe('etaText', () => {
  const at = Date.parse('2026-12-02T10:00:00.000Z');
  const reported = { ...live, etaMs: 80_000, updatedAt: new Date(at).toISOString() };

  it('counts the time left down from the last report, which may be up to a minute old', () => {
    expect(etaText(reported, at)).toBe(' · ETA 1m 20s');
    expect(etaText(reported, at + 30_000)).toBe(' · ETA 50s');
  });

  it('says how long it has had no report once the ETA has passed, never a frozen ETA', () => {
    expect(etaText(reported, at + 125_000)).toBe(' · no report for 2m 5s');
    expect(etaText({ ...reported, etaMs: null }, at + 125_000)).toBe('');
    // A long training whose reports stopped: past the longest gap between reports, no countdown.
    const long = { ...reported, etaMs: 2 * 3600_000 };
    expect(etaText(long, at + 59_000)).toBe(' · ETA 1h 59m');
    expect(etaText(long, at + 90_000)).toBe(' · no report for 1m 30s');
  });
});

describe('formatRun of a training', () => {
  const rowOf = (text: string, step: string) =>
    text
      .split('\n')
      .find((line) => line.startsWith(`${step} `))
      ?.split(/\s{2,}/);
  const base = { attempts: 0, durationMs: null, checkpoint: null, summary: {}, stepCodeVersion: null };
  /** Every step with the fields the table reads (the view() above gives only names and statuses). */
  const fullView = (train: Partial<StepState>, status: RunView['status']): RunView => {
    const v = view(train);
    return { ...v, status, steps: v.steps.map((step) => ({ ...base, ...step })) };
  };

  it('shows the attempt running and its epoch and ETA in the table, not 0 attempts', () => {
    const running = fullView({ status: 'running', live }, 'RUNNING');
    expect(rowOf(formatRun(running), 'train')).toEqual([
      'train',
      'running',
      '1',
      '-',
      '-',
      '-',
      'epoch 12/60 · ETA 1m 20s',
    ]);
    const stalled = { ...running, workerWarnings: ['no worker polls quiver-gpu'] };
    expect(rowOf(formatRun(stalled), 'train')?.at(-1)).toBe('epoch 12/60');
  });

  it('counts the attempt a cancel cut short', () => {
    const cancelled = fullView({ status: 'cancelled', durationMs: 6420, live, error: null }, 'CANCELED');
    expect(rowOf(formatRun(cancelled), 'train')?.slice(0, 4)).toEqual(['train', 'cancelled', '1', '6.42 s']);
    // A step that never ran stays at 0; a completed one keeps the count the run recorded.
    expect(rowOf(formatRun(cancelled), 'validate')?.slice(0, 3)).toEqual(['validate', 'pending', '0']);
    const completed = fullView(
      { status: 'completed', attempts: 2, live: { ...live, attempt: 1 } },
      'COMPLETED',
    );
    expect(rowOf(formatRun(completed), 'train')?.slice(0, 3)).toEqual(['train', 'completed', '2']);
  });
});
