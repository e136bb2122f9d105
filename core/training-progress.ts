import type { CheckpointRef } from './checkpoint/types';

/**
 * Live state of a training in flight, as the train step's `live` field in RunProgress: read by
 * `status` from the train attempt's latest heartbeat (never written to the run's history), and
 * recorded in the run once, by a `trainProgress` signal, when `quiver cancel` stops it.
 */
export interface TrainingLive {
  /** Epochs completed so far, and planned in all. */
  epoch: number;
  epochs: number;
  /** Training loss and accuracy (null for regression) of the last completed epoch. */
  loss: number | null;
  accuracy: number | null;
  /** Estimated time to the last epoch from this attempt's pace (an upper bound with early stopping). */
  etaMs: number | null;
  /** Latest epoch checkpoint (weights + optimizer state) and its epoch: where a resume continues. */
  checkpoint: CheckpointRef | null;
  checkpointEpoch: number | null;
  /** Backend and device training runs on, e.g. `webgpu` · `llvmpipe (software)`. */
  backend: string;
  device: string;
  attempt: number;
  /** When the activity sent this, ISO 8601. */
  updatedAt: string;
}

/** Signal name under which `quiver cancel` hands a run its training's last heartbeat. */
export const TRAIN_PROGRESS_SIGNAL = 'trainProgress';

/** Which queue trained, and why it is not the GPU queue when it is not. */
export interface TrainRouting {
  queue: 'gpu' | 'cpu';
  reason: string | null;
}

/** A failure type: no GPU worker picked training up within `train.gpuWait` and `train.requireGpu` is set. */
export const NO_GPU_WORKER = 'NoGpuWorker';
