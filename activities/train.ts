import { msToNumber, type Duration } from '@temporalio/common';
import type { CheckpointRef } from '../core/checkpoint/types';
import type { QuiverConfig } from '../core/config';
import { historyToArrow, modelToArrow } from '../core/model/codec';
import { trainClassifier, type EpochEvent } from '../core/model/train';
import type { StepInput, StepResult } from '../core/run-types';
import {
  cancellationSignal,
  heartbeat,
  lastHeartbeatDetails,
  runStepActivity,
  type StepContext,
} from './step';

/** What training heartbeats after every epoch; a retried attempt resumes from `checkpoint`. */
export interface TrainHeartbeat {
  epoch: number;
  loss: number;
  accuracy: number;
  /** The latest epoch checkpoint (weights + optimizer state), if one was saved yet. */
  checkpoint: CheckpointRef | null;
}

/** Fits the spec's MLP on the training split; writes the model (weights + preprocessing) and its history. */
export async function train(input: StepInput, config: QuiverConfig): Promise<StepResult> {
  const { spec } = input;
  const params = spec.train;
  const target = spec.target.column;
  return runStepActivity('train', input, config, async (ctx) => {
    const table = await ctx.read('data');
    const features =
      params.features ?? table.schema.fields.map((f) => f.name).filter((name) => name !== target);
    const previous = lastHeartbeatDetails<TrainHeartbeat>();
    // The checkpoint is verified on read, so a damaged one fails loudly instead of seeding training.
    const resumeFrom = previous?.checkpoint ? await ctx.store.read(previous.checkpoint) : undefined;
    const trained = await trainClassifier({
      table,
      features,
      target,
      split: spec.split,
      params,
      resumeFrom,
      onEpoch: epochCheckpointer(
        ctx,
        msToNumber(params.checkpointEvery as Duration),
        previous?.checkpoint ?? null,
      ),
      signal: cancellationSignal(),
    });
    try {
      await ctx.write(
        'model',
        modelToArrow(trained.model, trained.preprocessing, {
          backend: trained.backend,
          device: trained.device,
        }),
      );
      await ctx.write('history', historyToArrow(trained.history));
    } finally {
      trained.model.dispose();
    }
    const last = trained.history[trained.history.length - 1];
    return {
      primary: 'model',
      summary: {
        backend: trained.backend,
        device: trained.device,
        epochs: trained.history.length,
        resumedFromEpoch: trained.resumedFromEpoch,
        trainRows: trained.trainRows,
        loss: last?.loss ?? null,
        accuracy: last?.accuracy ?? null,
      },
    };
  });
}

/** Saves an epoch checkpoint at most every `intervalMs`, and heartbeats the latest after every epoch. */
function epochCheckpointer(ctx: StepContext, intervalMs: number, initial: CheckpointRef | null) {
  let checkpoint = initial;
  let savedAt = performance.now();
  return async (event: EpochEvent) => {
    if (performance.now() - savedAt >= intervalMs) {
      checkpoint = await ctx.writeIntermediate(`epoch-${event.epoch}`, await event.checkpoint());
      savedAt = performance.now();
    }
    const details: TrainHeartbeat = {
      epoch: event.epoch,
      loss: event.loss,
      accuracy: event.accuracy,
      checkpoint,
    };
    heartbeat(details);
  };
}
