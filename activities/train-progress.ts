import { Context } from '@temporalio/activity';
import type { CheckpointRef } from '../core/checkpoint/types';
import type { EpochStats } from '../core/model/codec';
import type { BatchProgress } from '../core/model/train';
import { TRAIN_PROGRESS_SIGNAL, type TrainingLive } from '../core/training-progress';

/** What training heartbeats; a retried attempt resumes from `checkpoint`, `status` shows the rest. */
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
}

/** The workflow hears from training every few seconds, and within a second of a saved epoch checkpoint. */
const SIGNAL_EVERY_MS = 5_000;
/** Floor between two signals even when checkpoints are saved every epoch: bounds the run's history. */
const MIN_SIGNAL_GAP_MS = 1_000;

export interface ReporterOptions {
  epochs: number;
  backend: string;
  device: string;
  /** Epoch the attempt starts after, and the checkpoint it resumed from. */
  startEpoch: number;
  checkpoint: CheckpointRef | null;
}

/**
 * Turns training progress into heartbeats (every epoch, and mid-epoch for long ones) and into
 * `trainProgress` signals to the run's workflow, which records epoch, loss, ETA and the latest epoch
 * checkpoint in its progress: so `status`, the UI, a cancelled run's memo and `resume` all know them.
 */
export class TrainingReporter {
  private readonly started = performance.now();
  private last: TrainHeartbeat;
  private signalledAt = -Infinity;
  private signals: Promise<void> = Promise.resolve();

  constructor(private readonly options: ReporterOptions) {
    this.last = {
      epoch: options.startEpoch,
      epochs: options.epochs,
      loss: null,
      accuracy: null,
      metrics: {},
      checkpoint: options.checkpoint,
      checkpointEpoch: options.checkpoint ? options.startEpoch : null,
      etaMs: null,
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
    heartbeat(this.last);
    this.maybeSignal(saved !== null);
  }

  /** Inside a long epoch: keeps the heartbeat alive and the ETA moving. */
  batchDone(progress: BatchProgress): void {
    const done = progress.epoch - 1 + progress.batch / progress.batches;
    this.last = {
      ...this.last,
      etaMs: this.eta(done),
      batch: { done: progress.batch, of: progress.batches },
    };
    heartbeat(this.last);
    this.maybeSignal(false);
  }

  /** The last heartbeat's details. */
  get details(): TrainHeartbeat {
    return this.last;
  }

  /** Waits (briefly) for signals in flight, so none outlives the attempt. */
  async flush(timeoutMs = 2_000): Promise<void> {
    await Promise.race([this.signals, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }

  private eta(epochsDone: number): number | null {
    const ran = epochsDone - this.options.startEpoch;
    if (ran <= 0) return null;
    const perEpoch = (performance.now() - this.started) / ran;
    return Math.max(0, Math.round(perEpoch * (this.options.epochs - epochsDone)));
  }

  private maybeSignal(force: boolean): void {
    const now = performance.now();
    if (now - this.signalledAt < (force ? MIN_SIGNAL_GAP_MS : SIGNAL_EVERY_MS)) return;
    this.signalledAt = now;
    const live: TrainingLive = {
      epoch: this.last.epoch,
      epochs: this.last.epochs,
      loss: this.last.loss,
      accuracy: this.last.accuracy,
      etaMs: this.last.etaMs,
      checkpoint: this.last.checkpoint,
      checkpointEpoch: this.last.checkpointEpoch,
      backend: this.options.backend,
      device: this.options.device,
      attempt: attempt(),
      updatedAt: new Date().toISOString(),
    };
    // One signal at a time, in order; a closed run (or no Temporal at all) just drops them.
    this.signals = this.signals.then(() => signalWorkflow(live)).catch(() => undefined);
  }
}

function heartbeat(details: TrainHeartbeat): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // Not inside an activity (in-process exploration): nothing to report to.
  }
}

function attempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

async function signalWorkflow(live: TrainingLive): Promise<void> {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return;
  }
  const workflowId = context.info.workflowExecution?.workflowId;
  if (!workflowId) return;
  await context.client.workflow
    .getHandle(workflowId, context.info.workflowExecution?.runId)
    .signal(TRAIN_PROGRESS_SIGNAL, live);
}

/**
 * The attempt's own stop signal: the activity's cancellation (a cancelled run, or a timeout the
 * worker heard of) or its start-to-close deadline passing here, whichever comes first, so a
 * timed-out attempt stops training even when no heartbeat response tells it so.
 */
export function attemptSignal(): AbortSignal | undefined {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return undefined;
  }
  const { startToCloseTimeoutMs } = context.info;
  if (!(startToCloseTimeoutMs > 0)) return context.cancellationSignal;
  return AbortSignal.any([context.cancellationSignal, AbortSignal.timeout(startToCloseTimeoutMs)]);
}
