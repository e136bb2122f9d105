import { Context } from '@temporalio/activity';
import type { CheckpointRef } from '../core/checkpoint/types';
import type { EpochStats } from '../core/model/codec';
import type { BatchProgress } from '../core/model/train';

/**
 * What training heartbeats; a retried attempt resumes from `checkpoint`, `status` shows the rest.
 * Heartbeats are training's only progress report: they live in the server's pending-activity state,
 * not in the run's event history, so a run's history stays the same size however long training lasts.
 */
export interface TrainHeartbeat {
  /** Epochs completed. */
  epoch: number;
  epochs: number;
  loss: number | null;
  accuracy: number | null;
  /** Every metric of the last epoch (validation loss/accuracy with early stopping). */
  metrics: Record<string, number | null>;
  /** The latest epoch checkpoint (weights + optimizer state), if one was saved yet, and its epoch. */
  checkpoint: CheckpointRef | null;
  checkpointEpoch: number | null;
  etaMs: number | null;
  /** Mid-epoch heartbeats: batches of the running epoch done, and in all. */
  batch?: { done: number; of: number };
  /** Backend and device training runs on (absent in heartbeats of older workers). */
  backend?: string;
  device?: string;
}

export interface ReporterOptions {
  epochs: number;
  backend: string;
  device: string;
  /** Epoch the attempt starts after, and the checkpoint it resumed from. */
  startEpoch: number;
  checkpoint: CheckpointRef | null;
  /** Clock for the ETA, in ms (default `performance.now`); tests simulate long trainings with it. */
  now?: () => number;
}

/**
 * Turns training progress into heartbeats (every epoch, and mid-epoch for long ones): `status` and
 * `--wait` read the latest one from the pending activity, a retried attempt resumes from its
 * checkpoint, and `quiver cancel` records it in the run before cancelling (see client/live-training).
 * Nothing here writes to the run's history: the SDK throttles heartbeats, and the server keeps only the last.
 */
/** How long a training runs before its progress heartbeats start (the liveness interval covers it). */
export const QUIET_START_MS = 1000;

export class TrainingReporter {
  private readonly now: () => number;
  private readonly started: number;
  private last: TrainHeartbeat;

  constructor(private readonly options: ReporterOptions) {
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
    this.last = {
      epoch: options.startEpoch,
      epochs: options.epochs,
      loss: null,
      accuracy: null,
      metrics: {},
      checkpoint: options.checkpoint,
      checkpointEpoch: options.checkpoint ? options.startEpoch : null,
      etaMs: null,
      backend: options.backend,
      device: options.device,
    };
  }

  /** After an epoch; `saved` is the epoch checkpoint written for it, if one was. */
  epochDone(event: EpochStats, saved: CheckpointRef | null): void {
    const { epoch, loss, accuracy, valLoss, valAccuracy } = event;
    const metrics: TrainHeartbeat['metrics'] = { loss, accuracy };
    if (valLoss !== undefined) metrics.valLoss = valLoss;
    if (valAccuracy !== undefined) metrics.valAccuracy = valAccuracy;
    this.last = {
      ...this.last,
      epoch,
      loss,
      accuracy,
      metrics,
      etaMs: this.eta(epoch),
      ...(saved ? { checkpoint: saved, checkpointEpoch: epoch } : {}),
    };
    delete this.last.batch;
    this.report();
  }

  /** Inside a long epoch: keeps the heartbeat alive and the ETA moving. */
  batchDone(progress: BatchProgress): void {
    const done = progress.epoch - 1 + progress.batch / progress.batches;
    this.last = {
      ...this.last,
      etaMs: this.eta(done),
      batch: { done: progress.batch, of: progress.batches },
    };
    this.report();
  }

  /**
   * Heartbeats the latest details, except in the training's first {@link QUIET_START_MS}: a training
   * that ends within it never sends one (each is an RPC and a server write; the caller's liveness
   * interval sends the latest details once that second has passed, see activities/train.ts).
   */
  private report(): void {
    if (this.now() - this.started >= QUIET_START_MS) heartbeat(this.last);
  }

  /** The last heartbeat's details. */
  get details(): TrainHeartbeat {
    return this.last;
  }

  private eta(epochsDone: number): number | null {
    const ran = epochsDone - this.options.startEpoch;
    if (ran <= 0) return null;
    const perEpoch = (this.now() - this.started) / ran;
    return Math.max(0, Math.round(perEpoch * (this.options.epochs - epochsDone)));
  }
}

function heartbeat(details: TrainHeartbeat): void {
  try {
    const context = Context.current();
    // A local activity (`execution: local`) cannot heartbeat: no live epochs for such a run.
    if (!context.info.isLocal) context.heartbeat(details);
  } catch {
    // Not inside an activity (in-process exploration): nothing to report to.
  }
}
