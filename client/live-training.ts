import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { CheckpointRef } from '../core/checkpoint/types';
import type { RunProgress, RunStatus, StepState } from '../core/run-types';
import { TRAIN_PROGRESS_SIGNAL, type TrainingLive } from '../core/training-progress';
import type { Plan } from '../core/plan';
import { stableStringify } from '../core/hash';
import type { PipelineSpec } from '../core/spec/schema';
import { stepParams } from '../core/step-params';
import type { StepView } from './api';
import { payloadDecoder } from './payloads';
import { timestampMs, type ProtoTimestamp } from './proto-time';
import { STEP_ATTEMPTS_SIGNAL } from '../core/step-attempts';
import {
  attemptsMade,
  pendingStepActivity,
  retryAwaited,
  stepAttemptsMade,
  type PendingStepActivity,
} from './step-attempts';
import type { TrainHeartbeat } from '../activities/train-progress';

/** Decodes one payload (the Temporal client's data converter, or the read path's `decodePayload`). */
export type PayloadDecode = (payload: Payload) => unknown;

type PendingActivity = PendingStepActivity & {
  heartbeatDetails?: { payloads?: Payload[] | null } | null;
  lastHeartbeatTime?: ProtoTimestamp;
  /** When the activity's current (or, in a backoff, its last) attempt started. */
  lastStartedTime?: ProtoTimestamp;
};

/**
 * Whether the activity's latest heartbeat came before its current attempt started: the server keeps a
 * failed attempt's heartbeat until the next attempt sends its own, so just after a retry starts the
 * heartbeat (epoch, ETA) is the previous attempt's. Still the last epoch checkpoint `quiver cancel`
 * hands the run (see {@link heartbeatLive}); never live progress of the attempt running.
 */
export function heartbeatPredatesAttempt(activity: PendingActivity): boolean {
  const beat = timestampMs(activity.lastHeartbeatTime);
  const started = timestampMs(activity.lastStartedTime);
  return beat !== null && started !== null && beat < started;
}

/**
 * The training in flight as its attempt's latest heartbeat (sent every epoch and every second inside
 * long ones) describes it; null when no train attempt has heartbeated. Training reports progress
 * only this way, so the run's history does not grow with training time. Its `attempt` is the attempts
 * made (see attemptsMade): an attempt waiting out its backoff has not started, and the heartbeat the
 * server keeps meanwhile is its predecessor's.
 */
export async function heartbeatLive(
  decode: PayloadDecode,
  pendingActivities: PendingActivity[] | null | undefined,
  known?: TrainingLive,
): Promise<TrainingLive | null> {
  const pending = pendingStepActivity(pendingActivities, 'train');
  const payload = pending?.heartbeatDetails?.payloads?.[0];
  if (!pending || !payload) return null;
  const beat = (await decode(payload)) as TrainHeartbeat | undefined;
  if (!beat || typeof beat.epoch !== 'number') return null;
  const beatAt = timestampMs(pending.lastHeartbeatTime);
  return {
    backend: beat.backend ?? known?.backend ?? 'unknown',
    device: beat.device ?? known?.device ?? 'unknown',
    updatedAt:
      beatAt !== null ? new Date(beatAt).toISOString() : (known?.updatedAt ?? new Date().toISOString()),
    epoch: beat.epoch,
    epochs: beat.epochs,
    loss: beat.loss,
    accuracy: beat.accuracy,
    etaMs: beat.etaMs,
    checkpoint: beat.checkpoint ?? known?.checkpoint ?? null,
    checkpointEpoch: beat.checkpointEpoch ?? known?.checkpointEpoch ?? null,
    attempt: attemptsMade(pending),
  };
}

/**
 * Sets the train step's `live` from its attempt's latest heartbeat, while training runs: not while
 * its next attempt waits out a retry's backoff, nor once that attempt started but has not heartbeated
 * yet (the heartbeat is the failed attempt's, its epoch and ETA no longer live; withServerAttempts
 * says which attempt comes or runs, and when).
 */
export async function withLatestHeartbeat(
  decode: PayloadDecode,
  progress: RunProgress,
  pendingActivities: PendingActivity[] | null | undefined,
): Promise<RunProgress> {
  const train = progress.steps.find((s) => s.name === 'train');
  if (!train || train.status !== 'running') return progress;
  const activity = pendingStepActivity(pendingActivities, 'train');
  if (activity && (retryAwaited(activity) || heartbeatPredatesAttempt(activity))) return progress;
  const live = await heartbeatLive(decode, pendingActivities, train.live ?? undefined);
  if (!live) return progress;
  const steps = progress.steps.map((s): StepState => (s === train ? { ...s, live } : s));
  return { ...progress, steps };
}

/** What an open local run's running training says instead of epochs it cannot report. */
export const LOCAL_TRAINING_NOTE =
  'a local run reports no live epochs: attempts and metrics show when training ends';

/**
 * The running training of an open `execution: local` run (callers pass open runs only), noted as
 * such: it trains inside the run's workflow task as a local activity, which has no heartbeat, so
 * there is no epoch, ETA or attempt to show until it ends (never a made-up epoch 0). Other runs and
 * steps are returned as they are.
 */
export function withLocalTrainingNote(progress: RunProgress): RunProgress & { steps: StepView[] } {
  if (progress.spec.execution === 'local')
    return {
      ...progress,
      steps: progress.steps.map((step) =>
        step.name === 'train' && step.status === 'running' && !step.live
          ? { ...step, note: LOCAL_TRAINING_NOTE }
          : step,
      ),
    };
  return progress;
}

/**
 * Before `quiver cancel`: hands the run what the server knows of the step it is about to stop, in
 * one signal at most. A training's latest heartbeat (`trainProgress`), so the cancelled run records
 * its last epoch checkpoint and `resume` continues from it (one event per cancel, where training used
 * to signal every few seconds), with the attempts made as its attempt (during a retry's backoff, the
 * failed attempt's heartbeat: the attempt to come never started); for any other step, or a training
 * that has not reported yet, the attempts its activity made (`stepAttempts`), which the run would
 * otherwise count as 0.
 */
export async function recordRunningStep(client: Client, runId: string): Promise<void> {
  const handle = client.workflow.getHandle(runId);
  const description = await handle.describe();
  if (description.status.name !== 'RUNNING') return;
  const pending = description.raw.pendingActivities;
  const live = await heartbeatLive(payloadDecoder(client), pending);
  if (live) return handle.signal(TRAIN_PROGRESS_SIGNAL, live);
  const attempts = stepAttemptsMade(pending);
  if (attempts) await handle.signal(STEP_ATTEMPTS_SIGNAL, attempts);
}

/**
 * Where `quiver resume` continues an unfinished training: the source run's latest epoch checkpoint,
 * when its data steps are reused and the training params are unchanged (else the weights would not
 * fit, or would be for other data). Null when training must start over.
 */
export function trainingResumePoint(
  source: RunProgress,
  plan: Plan,
  spec: PipelineSpec,
): { checkpoint: CheckpointRef; epoch: number } | null {
  const train = source.steps.find((s) => s.name === 'train');
  const checkpoint = train?.live?.checkpoint;
  if (!train || !checkpoint || train.status === 'completed') return null;
  const reused = (name: string) => plan.steps.find((s) => s.name === name)?.action === 'reuse';
  if (!reused('ingest') || !reused('sanity')) return null;
  if (stableStringify(stepParams('train', spec)) !== stableStringify(stepParams('train', source.spec)))
    return null;
  return { checkpoint, epoch: train.live?.checkpointEpoch ?? 0 };
}

/**
 * A closed run's steps as they ended: live training state is history once a run closes (a completed
 * train keeps none; an unfinished one keeps its epoch checkpoint for `resume` but no ETA), and in a
 * cancelled run the step that was running (or failed by the cancellation) says `cancelled` and when.
 */
export function settleClosedProgress(
  progress: RunProgress,
  status: RunStatus,
  closedAt: string | null,
): RunProgress {
  const steps = progress.steps.map((step): StepState => {
    let settled = step;
    if (step.live) {
      if (step.status === 'completed') {
        settled = { ...step };
        delete settled.live;
      } else settled = { ...step, live: { ...step.live, etaMs: null } };
    }
    const cancelledHere =
      status === 'CANCELED' &&
      (step.status === 'running' ||
        step.status === 'cancelled' ||
        (step.status === 'failed' && (!step.error?.trim() || /failed:\s*$|cancel/i.test(step.error))));
    if (cancelledHere)
      settled = { ...settled, status: 'cancelled', error: `cancelled${closedAt ? ` at ${closedAt}` : ''}` };
    // Cancelled while paused on this step: it is cancelled now, and the error it paused on still says why.
    else if (status === 'CANCELED' && step.status === 'paused')
      settled = {
        ...settled,
        status: 'cancelled',
        error: `cancelled${closedAt ? ` at ${closedAt}` : ''} while paused${step.error ? `: ${step.error}` : ''}`,
      };
    return settled;
  });
  return { ...progress, steps };
}
