import { describe, expect, it } from 'vitest';
import type { Payload } from '@temporalio/common';
import type { RunView } from '../../../client/api';
import { formatRun } from '../../../client/format';
import { heartbeatLive, heartbeatPredatesAttempt, withLatestHeartbeat } from '../../../client/live-training';
import { renderProgress } from '../../../client/progress';
import { withServerAttempts } from '../../../client/step-attempts';
import { STEP_NAMES, type RunProgress } from '../../../core/run-types';
import { emptyStep } from '../../../workflows/training-pipeline';

// DescribeWorkflowExecution's pending training, hand-built: timestamps with int64 seconds.
const NOW = Date.now();
const at = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
const checkpoint = { uri: 'file:///c', sha256: 'abc', rows: 1, bytes: 1 };
/** The failed attempt's last heartbeat: epoch 180 of 3000, with its epoch checkpoint. */
const beat = {
  epoch: 180,
  epochs: 3000,
  loss: 0.4,
  accuracy: 0.9,
  etaMs: 43_000,
  checkpoint,
  checkpointEpoch: 180,
};
const decode = () => beat;

/** Training's attempt 2, started at NOW, whose server-kept heartbeat is from `heartbeatAt`. */
function attempt2(heartbeatAt: number, state: number | string = 2) {
  return [
    {
      activityType: { name: 'train' },
      attempt: 2,
      state,
      maximumAttempts: 3,
      lastStartedTime: at(NOW),
      lastHeartbeatTime: at(heartbeatAt),
      heartbeatDetails: { payloads: [{} as Payload] },
    },
  ];
}

function trainRunning(): RunProgress {
  const steps = STEP_NAMES.map(emptyStep);
  for (const s of steps.slice(0, 3)) Object.assign(s, { status: 'completed', attempts: 1 });
  steps[3].status = 'running';
  return {
    runId: 'quiver-iris-1',
    pipeline: 'iris',
    status: 'RUNNING',
    resumedFrom: null,
    spec: { execution: 'activities' } as RunProgress['spec'],
    steps,
    model: null,
    error: null,
  };
}
const status = async (activities: ReturnType<typeof attempt2>): Promise<RunView> => ({
  ...withServerAttempts(await withLatestHeartbeat(decode, trainRunning(), activities), activities),
  uiUrl: 'http://ui',
  startedAt: null,
  closedAt: null,
});

describe("a training retry's first moments: the previous attempt's heartbeat is not live", () => {
  it('no live epoch before the new attempt heartbeats: its attempt counted, no epoch or ETA shown', async () => {
    for (const state of [2, 'PENDING_ACTIVITY_STATE_STARTED']) {
      const v = await status(attempt2(NOW - 5_000, state));
      expect(v.steps[3].live ?? null).toBeNull();
      expect(v.steps[3]).toMatchObject({ status: 'running', attempts: 2 });
      expect(formatRun(v)).not.toMatch(/epoch 180|ETA/);
      expect(renderProgress(v).split('\n')[4]).toMatch(/^ {2}▶ train {4}running… \(attempt 2\)$/);
    }
  });

  it("live again from the new attempt's own heartbeat on", async () => {
    const v = await status(attempt2(NOW + 1_000));
    expect(v.steps[3]).toMatchObject({ attempts: 2, live: { epoch: 180, attempt: 2 } });
  });

  it("still hands `quiver cancel` that heartbeat's epoch checkpoint (resume continues from it)", async () => {
    const activities = attempt2(NOW - 5_000);
    expect(heartbeatPredatesAttempt(activities[0])).toBe(true);
    expect(await heartbeatLive(decode, activities)).toMatchObject({ checkpoint, checkpointEpoch: 180 });
  });

  it('can tell only with both times: a heartbeat or start the server did not report keeps it live', () => {
    expect(heartbeatPredatesAttempt({ lastHeartbeatTime: at(NOW - 5_000) })).toBe(false);
    expect(heartbeatPredatesAttempt({ lastStartedTime: at(NOW) })).toBe(false);
  });
});
