import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  TimeoutFailure,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { createActivities } from '../activities';
import type { CheckpointRef } from '../core/checkpoint/types';
import type { StepInput, StepResult, StepState } from '../core/run-types';
import { NO_GPU_WORKER } from '../core/training-progress';

type Activities = ReturnType<typeof createActivities>;

/** The spec fields that steer where training runs. */
export interface TrainPlacement {
  gpuWait: string;
  requireGpu: boolean;
}

/**
 * The train activity, routed: scheduled on the GPU queue with `gpuWait` as its schedule-to-start
 * timeout; if no GPU worker picks it up in time it runs on the CPU queue (recorded in
 * `state.routing`), or, with `requireGpu`, fails with NoGpuWorker. When the run's GPU queue is its
 * CPU queue (the same workers serve both, see the client's trainingSharesWorkflowQueue), it runs
 * there at once. Every call continues from the latest epoch checkpoint the run knows of (its own
 * training's, else the resumed run's).
 */
export function routedTraining(
  options: ActivityOptions,
  queues: { cpu: string; gpu: string },
  placement: TrainPlacement,
  state: StepState,
  resumedRunCheckpoint: CheckpointRef | undefined,
): (input: StepInput) => Promise<StepResult> {
  const onGpu = proxyActivities<Activities>({
    ...options,
    taskQueue: queues.gpu,
    scheduleToStartTimeout: placement.gpuWait as Duration,
  }).train;
  const onCpu = proxyActivities<Activities>({ ...options, taskQueue: queues.cpu }).train;
  // A GPU attempt that trained, then lost its worker, left its epoch checkpoint in its last heartbeat.
  let gpuCheckpoint: CheckpointRef | null = null;
  const resumable = (input: StepInput): StepInput => ({
    ...input,
    resumeTraining: state.live?.checkpoint ?? gpuCheckpoint ?? resumedRunCheckpoint ?? null,
  });
  // The client found the same workers on both queues (one process, as `quiver up` starts it): training
  // goes on the workflow's queue, where the server can hand it over eagerly.
  if (queues.gpu === queues.cpu) {
    return (input) => {
      state.routing = { queue: 'gpu', reason: null };
      return onCpu(resumable(input));
    };
  }
  return async (input) => {
    if (state.routing?.queue !== 'cpu') {
      state.routing = { queue: 'gpu', reason: null };
      try {
        return await onGpu(resumable(input));
      } catch (error) {
        if (!isScheduleToStartTimeout(error)) throw error;
        gpuCheckpoint = lastHeartbeatCheckpoint(error);
        const waited = `no GPU worker started training on ${queues.gpu} within train.gpuWait (${placement.gpuWait})`;
        if (placement.requireGpu) {
          throw ApplicationFailure.create({
            message: `${waited}, and train.requireGpu is set`,
            type: NO_GPU_WORKER,
            nonRetryable: true,
          });
        }
        state.routing = { queue: 'cpu', reason: `${waited}: fell back to ${queues.cpu}` };
      }
    }
    return onCpu(resumable(input));
  };
}

function isScheduleToStartTimeout(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = (e as Error).cause) {
    if (e instanceof TimeoutFailure) return e.timeoutType === 'SCHEDULE_TO_START';
    if (!(e instanceof ActivityFailure)) return false;
  }
  return false;
}

/** The epoch checkpoint in a timed-out train activity's last heartbeat (see TrainHeartbeat), if any. */
function lastHeartbeatCheckpoint(error: unknown): CheckpointRef | null {
  const timeout = error instanceof ActivityFailure ? error.cause : undefined;
  const beat = timeout instanceof TimeoutFailure ? timeout.lastHeartbeatDetails : undefined;
  const checkpoint = (beat as { checkpoint?: CheckpointRef | null } | undefined)?.checkpoint;
  return checkpoint ?? null;
}

/** The failure routedTraining throws when a GPU was required and none came. */
export function isNoGpuWorker(error: unknown): boolean {
  return error instanceof ApplicationFailure && error.type === NO_GPU_WORKER;
}
