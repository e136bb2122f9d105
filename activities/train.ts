import { msToNumber, type Duration } from '@temporalio/common';
import type { CheckpointRef } from '../core/checkpoint/types';
import type { QuiverConfig } from '../core/config';
import { initBackend, type BackendName } from '../core/model/backend';
import { fittedFromArrow } from '../core/features/fitted-table';
import {
  ARCHITECTURE_KEY,
  historyToArrow,
  MODEL_FEATURES_KEY,
  modelToArrowAsync,
  readModelTable,
  withModelInfo,
} from '../core/model/codec';
import { modelArchitecture } from '../core/model/models';
import { trainClassifier, type TrainArgs } from '../core/model/train';
import { chooseTask } from '../core/model/task';
import type { StepInput, StepResult } from '../core/run-types';
import {
  cancellationSignal,
  heartbeat,
  lastHeartbeatDetails,
  runStepActivity,
  type StepContext,
} from './step';
import { TEXT_RULES_KEY, trainingTextRules } from '../core/serving/text-rules';
import { TrainingReporter, type TrainHeartbeat } from './train-progress';
import { trainOffThread, trainsOffThread, type ThreadEpochEvent } from './train-off-thread';

export type { TrainHeartbeat } from './train-progress';

/** Fits the spec's model (`train.model`) on the training split; writes the model (weights + preprocessing) and its history. */
export async function train(input: StepInput, config: QuiverConfig): Promise<StepResult> {
  const { spec } = input;
  const params = spec.train;
  const target = spec.target.column;
  // Training heartbeats on its progress, but nothing reports while data loads, the backend starts or
  // the training thread loads TF.js (seconds on a busy machine): the latest details repeat every
  // second meanwhile, so heartbeatTimeout detects a dead worker rather than a slow start.
  let latest: (() => TrainHeartbeat | undefined) | undefined;
  const liveness = setInterval(() => latest && heartbeat(latest()), LIVENESS_HEARTBEAT_MS);
  liveness.unref();
  return runStepActivity('train', input, config, async (ctx) => {
    // The liveness interval repeats the predecessor's details until this attempt reports its own, so
    // the checkpoint a retry needs is never dropped. No heartbeat at the start: the first one is an RPC
    // and a server write of its own, and the heartbeat timer already runs from the attempt's start.
    const previous = lastHeartbeatDetails<TrainHeartbeat>();
    latest = () => previous;
    const table = await ctx.read('data');
    // The features stage's fitted transforms travel with the model, so validate and serve re-apply them.
    const fitted = input.inputs.transforms ? fittedFromArrow(await ctx.read('transforms')) : null;
    // A features stage already applied the keep-list (a kept text column is now its one-hot columns).
    const features =
      fitted?.features ??
      params.features ??
      table.schema.fields.map((f) => f.name).filter((name) => name !== target);
    // A retried attempt continues from its predecessor's heartbeat; a resumed run or a fallback to the
    // CPU queue from the checkpoint the workflow recorded.
    const from = previous?.checkpoint ?? input.resumeTraining ?? null;
    // The checkpoint is verified on read, so a damaged one fails loudly instead of seeding training.
    let resumeFrom = from ? await ctx.store.read(from) : undefined;
    // An epoch checkpoint of another model (a model module edited since) cannot continue: start afresh.
    if (
      resumeFrom &&
      (readModelTable(resumeFrom).extra[ARCHITECTURE_KEY] ?? 'mlp') !== modelArchitecture(params.model)
    )
      resumeFrom = undefined;
    const { backend, device } = await initBackend();
    const reporter = new TrainingReporter({
      epochs: params.epochs,
      backend,
      device,
      startEpoch: resumeFrom ? (readModelTable(resumeFrom).epoch ?? 0) : 0,
      checkpoint: from,
    });
    latest = () => reporter.details;
    const trained = await trainModelTable(backend, {
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
      signal: cancellationSignal(),
    });
    // The fitted features stage joins the model's metadata, so validate and serve re-apply it; so do
    // the text rules ingest read with, so serving trims and reads null tokens as training did.
    const textRules = trainingTextRules(spec.source, table);
    await ctx.writeAll([
      [
        'model',
        withModelInfo(trained.modelTable, {
          ...(fitted ? { [MODEL_FEATURES_KEY]: fitted } : {}),
          ...(textRules ? { [TEXT_RULES_KEY]: textRules } : {}),
        }),
      ],
      ['history', historyToArrow(trained.history)],
    ]);
    const last = trained.history[trained.history.length - 1];
    return {
      primary: 'model',
      summary: {
        task: trained.task,
        // Why: an `auto` task flipping to regression on class codes must be visible in status.
        taskReason: chooseTask(table, target, spec.target.task).reason,
        model: trained.architecture,
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
  }).finally(() => clearInterval(liveness));
}

/** How often training's latest heartbeat repeats while nothing new is reported; the SDK throttles. */
const LIVENESS_HEARTBEAT_MS = 1000;

/**
 * Trains off the worker's event loop when the backend is CPU-bound (see trainsOffThread), in-process
 * otherwise; either way returns the model as its Arrow table.
 */
async function trainModelTable(
  backend: BackendName,
  args: Omit<TrainArgs, 'onEpoch'> & { onEpoch: (event: ThreadEpochEvent) => Promise<void> },
) {
  if (trainsOffThread(backend)) return trainOffThread({ ...args, backend });
  return trainInProcess(args);
}

/** `trainClassifier` on this thread, the model returned as its Arrow table (and disposed). */
export async function trainInProcess(args: TrainArgs) {
  const { model, ...trained } = await trainClassifier(args);
  try {
    const info = {
      backend: trained.backend,
      device: trained.device,
      [ARCHITECTURE_KEY]: trained.architecture,
    };
    return { ...trained, modelTable: await modelToArrowAsync(model, trained.preprocessing, info) };
  } finally {
    model.dispose();
  }
}

/** Saves an epoch checkpoint at most every `intervalMs`, and reports every epoch (heartbeat, signal). */
function epochCheckpointer(ctx: StepContext, intervalMs: number, reporter: TrainingReporter) {
  let savedAt = performance.now();
  return async (event: ThreadEpochEvent) => {
    let saved: CheckpointRef | null = null;
    if (performance.now() - savedAt >= intervalMs) {
      saved = await ctx.writeIntermediate(`epoch-${event.epoch}`, await event.checkpoint());
      savedAt = performance.now();
    }
    reporter.epochDone(event, saved);
  };
}
