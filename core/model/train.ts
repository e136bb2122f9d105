import * as arrow from 'apache-arrow';
import * as tf from '@tensorflow/tfjs';
import { DataError, QuiverError } from '../errors';
import { initBackend, type BackendName } from './backend';
import { modelToArrowAsync, readModelTable, setModelWeights, type EpochStats } from './codec';
import { shouldStopEarly, type EarlyStoppingParams } from './early-stopping';
import { resolveTask, type TrainTask } from './task';
import {
  encodeLabels,
  encodeTargets,
  fitPreprocessing,
  labeledRows,
  resolveFeatures,
  transformFeatures,
  type Preprocessing,
} from './preprocess';
import { deriveSeed, seededPermutation, splitRows } from './split';

export interface SplitParams {
  holdout: number;
  seed: number;
}

export interface TrainParams {
  hiddenUnits: number[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

/** What `onProgress` receives while an epoch runs: how far into it training is. */
export interface BatchProgress {
  /** The epoch running now (1-based); `epoch - 1` epochs are complete. */
  epoch: number;
  /** Batches of this epoch done, and in all. */
  batch: number;
  batches: number;
}

/** What `onEpoch` receives after each epoch. */
export interface EpochEvent extends EpochStats {
  /** The model as trained so far (do not dispose it). Non-enumerable, like `checkpoint`. */
  model: tf.LayersModel;
  /** Builds an epoch checkpoint (weights + optimizer state + history) that `resumeFrom` accepts. */
  checkpoint: () => Promise<arrow.Table>;
}

export interface TrainArgs {
  table: arrow.Table;
  /** Feature columns; default: every column except the target. */
  features?: string[];
  target: string;
  split: SplitParams;
  params: TrainParams;
  /** Called after every epoch; awaited, so it may heartbeat or write a checkpoint. */
  onEpoch?: (event: EpochEvent) => void | Promise<void>;
  /** An epoch checkpoint from `EpochEvent.checkpoint()`: training continues after its epoch. */
  resumeFrom?: arrow.Table;
  /** Stops training between epochs (e.g. a Temporal activity's cancellation signal). */
  signal?: AbortSignal;
  /** Backend to force; default `QUIVER_TF_BACKEND` or the ladder. */
  backend?: string;
  /** `auto` (default) infers it from the target column (see resolveTask). */
  task?: TrainTask | 'auto';
  /** Stop when the monitored validation metric stops improving; the validation rows are not trained on. */
  earlyStopping?: EarlyStoppingParams;
  /** Called inside long epochs, at most every `progressEveryMs`: lets the caller heartbeat mid-epoch. */
  onProgress?: (progress: BatchProgress) => void;
  progressEveryMs?: number;
}

export interface TrainedModel {
  /** Ready for inference; the caller disposes it. */
  model: tf.LayersModel;
  preprocessing: Preprocessing;
  history: EpochStats[];
  backend: BackendName;
  device: string;
  /** Number of rows trained on. */
  trainRows: number;
  /** Number of rows held out for validation. */
  holdoutRows: number;
  /** Rows left out of both because their label is null. */
  droppedRows: number;
  /** The row indices themselves (into the input table, ascending). */
  split: DatasetSplit;
  /** Epoch the run resumed after (0 for a fresh run). */
  resumedFromEpoch: number;
  task: TrainTask;
  /** The epoch early stopping ended training after, or null when every epoch ran. */
  stoppedEarlyAt: number | null;
  /** Wall time of the epochs run by this call, in milliseconds. */
  trainMs: number;
}

export interface DatasetSplit {
  trainRows: Int32Array;
  holdoutRows: Int32Array;
  droppedRows: number;
}

/**
 * The deterministic train/holdout split of a table: rows with a null label are dropped first, then
 * the rest is split stratified by label. Validation calls this with the same data and params to
 * score exactly the rows training held out.
 */
export function splitDataset(
  table: arrow.Table,
  target: string,
  split: SplitParams,
  task: TrainTask = 'classification',
): DatasetSplit {
  const labeled = labeledRows(table, target);
  if (task === 'regression') {
    // Every target value is its own stratum for a numeric target: split at random instead.
    const { train, holdout } = splitRows(labeled.length, split.holdout, split.seed);
    return {
      trainRows: Int32Array.from(train, (i) => labeled[i]),
      holdoutRows: Int32Array.from(holdout, (i) => labeled[i]),
      droppedRows: table.numRows - labeled.length,
    };
  }
  const labels = table.getChild(target)!;
  const ids = new Map<string, number>();
  const strata = Int32Array.from(labeled, (row) => {
    const label = String(labels.get(row));
    let id = ids.get(label);
    if (id === undefined) ids.set(label, (id = ids.size));
    return id;
  });
  const { train, holdout } = splitRows(labeled.length, split.holdout, split.seed, strata);
  return {
    trainRows: Int32Array.from(train, (i) => labeled[i]),
    holdoutRows: Int32Array.from(holdout, (i) => labeled[i]),
    droppedRows: table.numRows - labeled.length,
  };
}

/** The holdout row indices `trainClassifier` left out for these data and split params. */
export function holdoutRows(
  table: arrow.Table,
  target: string,
  split: SplitParams,
  task: TrainTask = 'classification',
): Int32Array {
  return splitDataset(table, target, split, task).holdoutRows;
}

/**
 * The MLP: dense ReLU hidden layers and a softmax output, with fixed layer names (so weight names
 * are stable across processes) and glorot-uniform kernels seeded per layer from `seed`.
 */
export function buildClassifier(inputWidth: number, numClasses: number, params: TrainParams): tf.Sequential {
  return buildMlp(inputWidth, numClasses, 'softmax', params);
}

/** The same MLP with one linear output: a regressor of the scaled target. */
export function buildRegressor(inputWidth: number, params: TrainParams): tf.Sequential {
  return buildMlp(inputWidth, 1, 'linear', params);
}

function buildMlp(
  inputWidth: number,
  outputs: number,
  outputActivation: 'softmax' | 'linear',
  params: TrainParams,
): tf.Sequential {
  const model = tf.sequential({ name: 'quiver_mlp' });
  const sizes = [...params.hiddenUnits, outputs];
  sizes.forEach((units, i) => {
    const last = i === sizes.length - 1;
    model.add(
      tf.layers.dense({
        name: last ? 'output' : `hidden_${i + 1}`,
        units,
        activation: last ? outputActivation : 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(params.seed, i) }),
        biasInitializer: 'zeros',
        ...(i === 0 ? { inputShape: [inputWidth] } : {}),
      }),
    );
  });
  return model;
}

function validateParams(params: TrainParams): void {
  const bad = (what: string) => new DataError(`train params: ${what}`);
  if (!Number.isInteger(params.epochs) || params.epochs < 1) throw bad(`epochs must be a positive integer`);
  if (!Number.isInteger(params.batchSize) || params.batchSize < 1)
    throw bad(`batchSize must be a positive integer`);
  if (!(params.learningRate > 0)) throw bad(`learningRate must be positive`);
  if (params.hiddenUnits.some((u) => !Number.isInteger(u) || u < 1))
    throw bad(`hiddenUnits must be positive integers`);
}

/** Copies the rows of `x`/`y` in `order` into fresh buffers: one epoch's shuffled training set. */
function permute(
  x: Float32Array,
  y: Int32Array | Float32Array,
  width: number,
  order: Int32Array,
): [Float32Array, Float32Array] {
  const xs = new Float32Array(x.length);
  const ys = new Float32Array(y.length);
  for (let i = 0; i < order.length; i++) {
    const src = order[i];
    xs.set(x.subarray(src * width, (src + 1) * width), i * width);
    ys[i] = y[src];
  }
  return [xs, ys];
}

/**
 * Trains a classifier on the table's training rows. Deterministic for a given backend: the split,
 * the initial weights and each epoch's batch order all derive from the seeds (tf.js's own shuffle,
 * which uses Math.random, is off). Preprocessing is fitted on the training rows only.
 */
export async function trainClassifier(args: TrainArgs): Promise<TrainedModel> {
  const { table, target, split, params } = args;
  validateParams(params);
  const { backend, device } = await initBackend(args.backend);
  const features = resolveFeatures(table, target, args.features);
  const task = resolveTask(table, target, args.task ?? 'auto');
  const rowSplit = splitDataset(table, target, split, task);
  const { fitRows, validationRows } = carveValidation(rowSplit.trainRows, split.seed, args.earlyStopping);
  const preprocessing = fitPreprocessing(table, features, target, fitRows, task);
  const encode = (rows: Int32Array) =>
    task === 'regression'
      ? encodeTargets(table, preprocessing, rows)
      : encodeLabels(table, preprocessing, rows);
  const x = transformFeatures(table, preprocessing, fitRows);
  const y = encode(fitRows);
  const width = preprocessing.inputWidth;

  const model =
    task === 'regression'
      ? buildRegressor(width, params)
      : buildClassifier(width, preprocessing.classes.length, params);
  const optimizer = tf.train.adam(params.learningRate);
  model.compile(
    task === 'regression'
      ? { optimizer, loss: 'meanSquaredError' }
      : { optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] },
  );
  const validation = validationRows
    ? {
        x: tf.tensor2d(transformFeatures(table, preprocessing, validationRows), [
          validationRows.length,
          width,
        ]),
        y: tf.tensor1d(Float32Array.from(encode(validationRows))), // losses want float labels
      }
    : undefined;

  const history: EpochStats[] = [];
  let ok = false;
  try {
    if (args.resumeFrom) await restore(args.resumeFrom, model, optimizer, preprocessing, history);
    const resumedFromEpoch = history.length;
    let stoppedEarlyAt: number | null = null;
    const batches = Math.ceil(fitRows.length / params.batchSize);

    const started = performance.now();
    for (let epoch = resumedFromEpoch + 1; epoch <= params.epochs; epoch++) {
      if (args.earlyStopping && shouldStopEarly(history, args.earlyStopping)) {
        stoppedEarlyAt = history.length;
        break;
      }
      args.signal?.throwIfAborted();
      const [xs, ys] = permute(
        x,
        y,
        width,
        seededPermutation(fitRows.length, deriveSeed(params.seed, epoch)),
      );
      const xt = tf.tensor2d(xs, [fitRows.length, width]);
      const yt = tf.tensor1d(ys);
      let result: tf.History;
      try {
        result = await model.fit(xt, yt, {
          epochs: 1,
          batchSize: params.batchSize,
          shuffle: false,
          verbose: 0,
          yieldEvery: 'never',
          callbacks: [new WithinEpoch(model, epoch, batches, args)],
        });
      } finally {
        tf.dispose([xt, yt]);
      }
      // A cancelled or timed-out attempt stopped fit after a batch: it ends here, its epoch unsaved.
      args.signal?.throwIfAborted();
      const accuracy = result.history.acc ?? result.history.accuracy;
      const stats: EpochStats = {
        epoch,
        loss: Number(result.history.loss[0]),
        accuracy: accuracy ? Number(accuracy[0]) : null,
      };
      if (!Number.isFinite(stats.loss)) {
        throw new QuiverError(
          `training diverged at epoch ${epoch} (loss ${stats.loss}); try a lower learningRate`,
        );
      }
      if (validation) Object.assign(stats, await evaluateValidation(model, validation, task));
      history.push(stats);
      if (args.onEpoch) {
        const checkpoint = async () =>
          modelToArrowAsync(
            model,
            preprocessing,
            { backend, device, epoch, history: history.map((h) => ({ ...h })) },
            await optimizer.getWeights(),
          );
        await args.onEpoch(epochEvent(stats, model, checkpoint));
      }
      // A macrotask turn per epoch: heartbeats, cancellation and this process's workflow tasks get served.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const trainMs = performance.now() - started;
    ok = true;
    return {
      model,
      preprocessing,
      history,
      backend,
      device,
      trainRows: fitRows.length,
      holdoutRows: rowSplit.holdoutRows.length,
      droppedRows: rowSplit.droppedRows,
      split: rowSplit,
      resumedFromEpoch,
      trainMs,
      task,
      stoppedEarlyAt,
    };
  } finally {
    // The returned model is for inference: the optimizer state is only needed inside the loop.
    optimizer.dispose();
    if (validation) tf.dispose([validation.x, validation.y]);
    if (!ok) model.dispose();
  }
}

/** Early stopping monitors rows carved (seeded) out of the training rows; without it all rows train. */
function carveValidation(
  trainRows: Int32Array,
  seed: number,
  earlyStopping: EarlyStoppingParams | undefined,
): { fitRows: Int32Array; validationRows: Int32Array | undefined } {
  if (!earlyStopping) return { fitRows: trainRows, validationRows: undefined };
  const { train, holdout } = splitRows(
    trainRows.length,
    earlyStopping.validationFraction,
    deriveSeed(seed, VALIDATION_STREAM),
  );
  if (holdout.length === 0 || train.length === 0)
    throw new DataError('train.earlyStopping.validationFraction leaves no validation or no training rows');
  return {
    fitRows: Int32Array.from(train, (i) => trainRows[i]).sort(),
    validationRows: Int32Array.from(holdout, (i) => trainRows[i]).sort(),
  };
}

/** Seed stream of the early-stopping validation split (distinct from layer and epoch streams). */
const VALIDATION_STREAM = 7919;

/** Validation loss (and accuracy for classification), read asynchronously (WebGPU has no sync read). */
async function evaluateValidation(
  model: tf.LayersModel,
  validation: { x: tf.Tensor; y: tf.Tensor },
  task: TrainTask,
): Promise<Pick<EpochStats, 'valLoss' | 'valAccuracy'>> {
  const scalars = [model.evaluate(validation.x, validation.y, { batchSize: 1024 })].flat() as tf.Scalar[];
  try {
    const values = await Promise.all(scalars.map(async (t) => (await t.data())[0]));
    return task === 'regression' ? { valLoss: values[0] } : { valLoss: values[0], valAccuracy: values[1] };
  } finally {
    tf.dispose(scalars);
  }
}

/**
 * Runs inside `fit` after every batch: gives the event loop a turn every few milliseconds (heartbeats,
 * cancellation and timers keep flowing during a long epoch), reports progress, and stops `fit` once
 * the signal fires. Loss tensors are left alone: reading them would sync the GPU every batch.
 */
class WithinEpoch extends tf.Callback {
  private lastYield = performance.now();
  private lastReport = performance.now();

  constructor(
    private readonly net: tf.LayersModel,
    private readonly epoch: number,
    private readonly batches: number,
    private readonly args: TrainArgs,
  ) {
    super();
  }

  override async onBatchEnd(batch: number): Promise<void> {
    const now = performance.now();
    if (now - this.lastYield < YIELD_EVERY_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.lastYield = performance.now();
    if (this.args.signal?.aborted) this.net.stopTraining = true;
    if (this.args.onProgress && now - this.lastReport >= (this.args.progressEveryMs ?? 1000)) {
      this.lastReport = now;
      this.args.onProgress({ epoch: this.epoch, batch: batch + 1, batches: this.batches });
    }
  }
}

/** How long a batch loop may hold the event loop before it yields. */
const YIELD_EVERY_MS = 50;

/**
 * The event with `model` and `checkpoint` non-enumerable: passing the event straight to a heartbeat
 * (JSON) sends only `{ epoch, loss, accuracy }`.
 */
function epochEvent(
  stats: EpochStats,
  model: tf.LayersModel,
  checkpoint: () => Promise<arrow.Table>,
): EpochEvent {
  const event = { ...stats } as EpochEvent;
  Object.defineProperty(event, 'model', { value: model, enumerable: false });
  Object.defineProperty(event, 'checkpoint', { value: checkpoint, enumerable: false });
  return event;
}

/** Loads an epoch checkpoint into a freshly built model and optimizer; fills `history`. */
async function restore(
  checkpoint: arrow.Table,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  preprocessing: Preprocessing,
  history: EpochStats[],
): Promise<void> {
  const saved = readModelTable(checkpoint);
  if (saved.epoch === undefined || saved.history === undefined) {
    throw new DataError('resumeFrom is a final model, not an epoch checkpoint (no epoch/history metadata)');
  }
  if (JSON.stringify(saved.preprocessing) !== JSON.stringify(preprocessing)) {
    throw new DataError(
      'resumeFrom was trained on different data or features: its preprocessing does not match',
    );
  }
  setModelWeights(model, saved.weights);
  if (saved.optimizer) {
    const tensors = saved.optimizer.map((t) => ({
      name: t.name,
      tensor: tf.tensor(t.values, t.shape, t.dtype),
    }));
    try {
      await optimizer.setWeights(tensors);
    } finally {
      // setWeights makes variables of its own; these inputs are no longer needed.
      tf.dispose(tensors.map((t) => t.tensor));
    }
  }
  history.push(...saved.history.slice(0, saved.epoch));
}
