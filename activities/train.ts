import { msToNumber, type Duration } from '@temporalio/common';
import type { CheckpointRef } from '../core/checkpoint/types';
import type { QuiverConfig } from '../core/config';
import { initBackend } from '../core/model/backend';
import { historyToArrow, modelToArrowAsync, readModelTable } from '../core/model/codec';
import { trainClassifier, type EpochEvent } from '../core/model/train';
import type { StepInput, StepResult } from '../core/run-types';
import { heartbeat, lastHeartbeatDetails, runStepActivity, type StepContext } from './step';
import { attemptSignal, TrainingReporter, type TrainHeartbeat } from './train-progress';

export type { TrainHeartbeat } from './train-progress';

/** Fits the spec's MLP on the training split; writes the model (weights + preprocessing) and its history. */
export async function train(input: StepInput, config: QuiverConfig): Promise<StepResult> {
  const { spec } = input;
  const params = spec.train;
  const target = spec.target.column;
  return runStepActivity('train', input, config, async (ctx) => {
    // Alive from the start (reading data and a checkpoint can outlast a short heartbeatTimeout),
    // repeating the predecessor's details so the checkpoint a retry needs is never dropped.
    const previous = lastHeartbeatDetails<TrainHeartbeat>();
    heartbeat(previous);
    const table = await ctx.read('data');
    const features =
      params.features ?? table.schema.fields.map((f) => f.name).filter((name) => name !== target);
    // A retried attempt continues from its predecessor's heartbeat; a resumed run or a fallback to the
    // CPU queue from the checkpoint the workflow recorded.
    const from = previous?.checkpoint ?? input.resumeTraining ?? null;
    // The checkpoint is verified on read, so a damaged one fails loudly instead of seeding training.
    const resumeFrom = from ? await ctx.store.read(from) : undefined;
    const { backend, device } = await initBackend();
    const reporter = new TrainingReporter({
      epochs: params.epochs,
      backend,
      device,
      startEpoch: resumeFrom ? (readModelTable(resumeFrom).epoch ?? 0) : 0,
      checkpoint: from,
    });
    heartbeat(reporter.details);
    const trained = await trainClassifier({
      table,
      features,
      target,
      split: spec.split,
      params,
      task: spec.target.task,
      earlyStopping: params.earlyStopping,
      resumeFrom,
      onEpoch: epochCheckpointer(ctx, msToNumber(params.checkpointEvery as Duration), reporter),
      onProgress: (progress) => reporter.batchDone(progress),
      signal: attemptSignal(),
    });
    try {
      await ctx.write(
        'model',
        await modelToArrowAsync(trained.model, trained.preprocessing, {
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
        task: trained.task,
        backend: trained.backend,
        device: trained.device,
        epochs: trained.history.length,
        resumedFromEpoch: trained.resumedFromEpoch,
        ...(trained.stoppedEarlyAt !== null ? { stoppedEarlyAt: trained.stoppedEarlyAt } : {}),
        trainRows: trained.trainRows,
        loss: last?.loss ?? null,
        accuracy: last?.accuracy ?? null,
        ...(last?.valLoss !== undefined ? { valLoss: last.valLoss } : {}),
      },
    };
  });
}

/** Saves an epoch checkpoint at most every `intervalMs`, and reports every epoch (heartbeat, signal). */
function epochCheckpointer(ctx: StepContext, intervalMs: number, reporter: TrainingReporter) {
  let savedAt = performance.now();
  return async (event: EpochEvent) => {
    let saved: CheckpointRef | null = null;
    if (performance.now() - savedAt >= intervalMs) {
      saved = await ctx.writeIntermediate(`epoch-${event.epoch}`, await event.checkpoint());
      savedAt = performance.now();
    }
    reporter.epochDone(event, saved);
  };
}
