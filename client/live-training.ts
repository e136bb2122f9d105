import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { CheckpointRef } from '../core/checkpoint/types';
import type { RunProgress, RunStatus, StepState } from '../core/run-types';
import type { TrainingLive } from '../core/training-progress';
import type { Plan } from '../core/plan';
import { stableStringify } from '../core/hash';
import type { PipelineSpec } from '../core/spec/schema';
import { stepParams } from '../core/step-params';
import type { TrainHeartbeat } from '../activities/train-progress';

type PendingActivity = {
  activityType?: { name?: string | null } | null;
  attempt?: number | null;
  heartbeatDetails?: { payloads?: Payload[] | null } | null;
};

/**
 * Freshens the train step's `live` from its attempt's latest heartbeat (sent every epoch and every
 * second inside long ones), which is newer than what the workflow last heard by signal.
 */
export async function withLatestHeartbeat(
  client: Client,
  progress: RunProgress,
  pendingActivities: PendingActivity[] | null | undefined,
): Promise<RunProgress> {
  const train = progress.steps.find((s) => s.name === 'train');
  const pending = (pendingActivities ?? []).find((a) => a.activityType?.name === 'train');
  const payload = pending?.heartbeatDetails?.payloads?.[0];
  if (!train || train.status !== 'running' || !payload) return progress;
  const { payloadCodecs, payloadConverter } = client.workflow.options.loadedDataConverter;
  let decoded = payload;
  for (const codec of [...payloadCodecs].reverse()) [decoded] = await codec.decode([decoded]);
  const beat = payloadConverter.fromPayload<TrainHeartbeat>(decoded);
  if (!beat || typeof beat.epoch !== 'number') return progress;
  const known = train.live;
  const live: TrainingLive = {
    backend: known?.backend ?? 'unknown',
    device: known?.device ?? 'unknown',
    updatedAt: known?.updatedAt ?? new Date().toISOString(),
    epoch: beat.epoch,
    epochs: beat.epochs,
    loss: beat.loss,
    accuracy: beat.accuracy,
    etaMs: beat.etaMs,
    checkpoint: beat.checkpoint ?? known?.checkpoint ?? null,
    checkpointEpoch: beat.checkpointEpoch ?? known?.checkpointEpoch ?? null,
    attempt: pending?.attempt ?? known?.attempt ?? 1,
  };
  const steps = progress.steps.map((s): StepState => (s === train ? { ...s, live } : s));
  return { ...progress, steps };
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
        (step.status === 'failed' && (!step.error?.trim() || /failed:\s*$|cancel/i.test(step.error))));
    if (cancelledHere)
      settled = { ...settled, status: 'cancelled', error: `cancelled${closedAt ? ` at ${closedAt}` : ''}` };
    return settled;
  });
  return { ...progress, steps };
}
