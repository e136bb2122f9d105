import { describe, expect, it } from 'vitest';
import type { Payload } from '@temporalio/common';
import type { RunView } from '../../../client/api';
import { formatRun, retryText, runStatusText } from '../../../client/format';
import { heartbeatLive, withLatestHeartbeat } from '../../../client/live-training';
import { plainProgress, renderProgress } from '../../../client/progress';
import { withServerAttempts, type PendingStepActivity } from '../../../client/step-attempts';
import { STEP_NAMES, type RunProgress, type StepName } from '../../../core/run-types';
import { emptyStep } from '../../../workflows/training-pipeline';

// DescribeWorkflowExecution's pending activities, hand-built: enums as the read path decodes them
// (names) or as @temporalio/client does (numbers), timestamps with int64 seconds.
const NOW = Date.now();
const at = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });

/** The heartbeat an attempt of training left: epoch 99 of 3000. */
const heartbeat = { epoch: 99, epochs: 3000, loss: 0.4, accuracy: 0.9, etaMs: 120_000 };

/** A step's pending activity on `attempt`, in `state` (1 scheduled, 2 started), with a heartbeat if training. */
function pending(
  step: StepName,
  attempt: number,
  state: number | string,
): PendingStepActivity & {
  heartbeatDetails?: { payloads: Payload[] };
} {
  return {
    activityType: { name: step },
    attempt,
    state,
    maximumAttempts: 3,
    ...(state === 1 || state === 'PENDING_ACTIVITY_STATE_SCHEDULED'
      ? {
          nextAttemptScheduleTime: at(NOW + 12_000),
          lastFailure: { message: 'activity StartToClose timeout' },
        }
      : {}),
    ...(step === 'train' ? { heartbeatDetails: { payloads: [{} as Payload] } } : {}),
  };
}
const decode = () => heartbeat;

/** An open run of `execution` whose steps before `step` completed and whose `step` runs. */
function running(step: StepName, execution: 'local' | 'activities' = 'activities'): RunProgress {
  const steps = STEP_NAMES.map(emptyStep);
  const index = STEP_NAMES.indexOf(step);
  for (const s of steps.slice(0, index)) Object.assign(s, { status: 'completed', attempts: 1 });
  steps[index].status = 'running';
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
const view = (progress: RunProgress, extra: Partial<RunView> = {}): RunView => ({
  ...progress,
  uiUrl: 'http://ui',
  startedAt: null,
  closedAt: null,
  ...extra,
});
const row = (v: RunView, step: StepName) =>
  formatRun(v)
    .split('\n')
    .find((line) => line.startsWith(`${step} `));

describe("a training's heartbeat while its next attempt waits out a retry backoff", () => {
  it('is labelled with the attempts made, never the attempt that has not started', async () => {
    expect(await heartbeatLive(decode, [pending('train', 2, 1)])).toMatchObject({ epoch: 99, attempt: 1 });
    expect(
      await heartbeatLive(decode, [pending('train', 2, 'PENDING_ACTIVITY_STATE_SCHEDULED')]),
    ).toMatchObject({ attempt: 1 });
    expect(await heartbeatLive(decode, [pending('train', 2, 2)])).toMatchObject({ attempt: 2 });
  });

  it('is not shown as live: no epoch, no ETA, the retry to come instead', async () => {
    const activities = [pending('train', 2, 1)];
    const progress = withServerAttempts(
      await withLatestHeartbeat(decode, running('train'), activities),
      activities,
    );
    const train = progress.steps[3];
    expect(train.live ?? null).toBeNull();
    expect(train).toMatchObject({
      status: 'running',
      attempts: 1,
      retry: {
        attempt: 2,
        maximumAttempts: 3,
        at: new Date(NOW + 12_000).toISOString(),
        lastFailure: 'activity StartToClose timeout',
      },
    });
    const v = view(progress);
    expect(row(v, 'train')).toMatch(/^train +running +1 +.* retrying (in \d+s|now) \(attempt 2 of 3\)$/);
    expect(formatRun(v)).not.toMatch(/epoch 99|ETA|training:/);
    expect(renderProgress(v).split('\n')[4]).toMatch(
      /^ {2}▶ train {4}retrying (in \d+s|now) \(attempt 2 of 3\)$/,
    );
  });

  it('a started attempt is live again, counted as the attempt it is', async () => {
    const activities = [pending('train', 2, 2)];
    const progress = withServerAttempts(
      await withLatestHeartbeat(decode, running('train'), activities),
      activities,
    );
    expect(progress.steps[3]).toMatchObject({ attempts: 2, live: { epoch: 99, attempt: 2 } });
    expect(progress.steps[3]).not.toHaveProperty('retry');
  });
});

describe("a running step's attempts, from the server's pending activity", () => {
  it('count the attempt in flight once started, the same in the table and --json', async () => {
    const ingest = withServerAttempts(running('ingest'), [
      pending('ingest', 3, 'PENDING_ACTIVITY_STATE_STARTED'),
    ]);
    expect(JSON.parse(JSON.stringify(ingest)).steps[0]).toMatchObject({ status: 'running', attempts: 3 });
    expect(row(view(ingest), 'ingest')).toMatch(/^ingest +running +3 /);
    const activities = [pending('train', 1, 2)];
    const train = withServerAttempts(
      await withLatestHeartbeat(decode, running('train'), activities),
      activities,
    );
    expect(JSON.parse(JSON.stringify(train)).steps[3]).toMatchObject({ attempts: 1, live: { attempt: 1 } });
    expect(row(view(train), 'train')).toMatch(/^train +running +1 /);
  });

  it('add to the attempts the run recorded before (a step paused, then retried by `quiver retry`)', () => {
    const progress = running('validate');
    progress.steps[4].attempts = 3;
    expect(withServerAttempts(progress, [pending('validate', 1, 2)]).steps[4].attempts).toBe(4);
    expect(withServerAttempts(progress, [pending('validate', 1, 1)]).steps[4]).toMatchObject({ attempts: 3 });
    // Waiting for a worker on its first attempt is no retry.
    expect(withServerAttempts(progress, [pending('validate', 1, 1)]).steps[4]).not.toHaveProperty('retry');
  });

  it('leave a local run, a step with no pending activity and other steps’ activities alone', () => {
    const local = running('train', 'local');
    expect(withServerAttempts(local, [pending('train', 2, 2)])).toBe(local);
    const deploy = running('deploy');
    expect(
      withServerAttempts(deploy, [{ activityType: { name: 'moveAlias' }, attempt: 2, state: 2 }]).steps[5],
    ).toMatchObject({ status: 'running', attempts: 0 });
    expect(withServerAttempts(deploy, undefined).steps[5].attempts).toBe(0);
  });
});

describe('the retry to come, in words', () => {
  const retry = {
    attempt: 2,
    maximumAttempts: 3,
    at: new Date(NOW + 12_000).toISOString(),
    lastFailure: null,
  };

  it('counts down to the backoff end, then says it is due', () => {
    expect(retryText(retry, NOW)).toBe('retrying in 12s (attempt 2 of 3)');
    expect(retryText(retry, NOW + 13_000)).toBe('retrying now (attempt 2 of 3)');
    expect(retryText({ ...retry, at: null, maximumAttempts: null }, NOW)).toBe('retrying now (attempt 2)');
  });

  it('is written once per retry in plain progress (CI, pipes)', () => {
    const lines: string[] = [];
    const report = plainProgress('quiver-iris-1', (line) => lines.push(line));
    const progress = running('ingest');
    const backoff = view({
      ...progress,
      steps: progress.steps.map((s, i) => (i === 0 ? { ...s, retry } : s)),
    });
    report.update(backoff);
    report.update(backoff);
    expect(lines.filter((line) => line.includes('retrying'))).toEqual([
      expect.stringMatching(/^ {2}↻ ingest {3}retrying (in \d+s|now) \(attempt 2 of 3\)$/),
    ]);
  });
});

describe('a run whose cancel the server holds but has not closed it yet', () => {
  it('says so beside its status, in the table and the live display', () => {
    const pendingCancel = view(running('deploy'), { cancelRequested: true });
    expect(runStatusText(pendingCancel)).toBe('RUNNING (cancel requested)');
    expect(formatRun(pendingCancel).split('\n')[0]).toBe(
      'run quiver-iris-1  pipeline iris  status RUNNING (cancel requested)',
    );
    expect(renderProgress(pendingCancel).split('\n')[0]).toBe(
      'quiver-iris-1 · iris · RUNNING (cancel requested)',
    );
    expect(formatRun(view(running('deploy'), { cancelRequested: false })).split('\n')[0]).toMatch(
      / status RUNNING$/,
    );
  });
});

describe('formatRun: the step the run error came from', () => {
  it('reads paused, cancelled or failed as the step is, pointing at the error below', () => {
    for (const status of ['paused', 'cancelled', 'failed'] as const) {
      const progress = running('train');
      Object.assign(progress.steps[STEP_NAMES.indexOf('train')], { status, error: 'Activity timed out' });
      const v = view({ ...progress, error: 'step train: Activity timed out' });
      expect(row(v, 'train')).toMatch(new RegExp(`${status}: see the error below`));
    }
  });
});
