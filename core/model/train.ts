import * as arrow from 'apache-arrow';
import * as tf from '@tensorflow/tfjs';
import { DataError, NonFiniteValueError, SpecError } from '../errors';
import type { ModelChoice } from '../spec/schema';
import { initBackend, type BackendName } from './backend';
import { assertFiniteBatch, preprocessedSource, type FeatureSource } from './batches';
import {
  ARCHITECTURE_KEY,
  modelToArrowAsync,
  readModelTable,
  setModelWeights,
  type EpochStats,
} from './codec';
import { shouldStopEarly, type EarlyStoppingParams } from './early-stopping';
import { buildModel, modelArchitecture } from './models';
import { BUILTIN_MODELS } from './models/builtins';
import {
  asResourceError,
  assertFiniteColumns,
  assertFiniteScaling,
  assertFiniteWeights,
} from './numeric-safety';
import { resolveTask, type TrainTask } from './task';
import { columnViews } from '../data/column-views';
import { recordCopies } from '../data/duplicates';
import {
  encodeLabels,
  encodeTargets,
  fitPreprocessing,
  labeledRows,
  resolveFeatures,
  type Preprocessing,
} from './preprocess';
import { deriveSeed, seededPermutation, splitRows } from './split';
import { groupFirstRows, mergeGroups } from './split-groups';
import { rowLocator, type RowLocator } from '../sources/row-lines';

export interface SplitParams {
  holdout: number;
  seed: number;
  /** A column whose rows stay on one side together (one customer's monthly rows): GroupShuffleSplit. */
  groupBy?: string;
  /** Accepts a row-wise split of data whose id column repeats (see assertSplitGrouping). */
  rowWise?: boolean;
}

export interface TrainParams {
  hiddenUnits: number[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** `train.model`: a built-in (default `mlp`) or `{ module }` (absolute path) building a layers model. */
  model?: ModelChoice;
  /** `train.classWeights`: `balanced` (n / (classes × count)) or a weight per class label (default 1). */
  classWeights?: 'balanced' | Record<string, number>;
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
  /** `mlp`, `logistic`, `linear` or `module:<code version>` (see modelArchitecture). */
  architecture: string;
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
 *
 * Exact copies of a row (every column equal, id-like columns aside) stay on the side of their first occurrence: the split
 * draws groups, not rows, as scikit-learn's GroupShuffleSplit does with a row hash as the group, so
 * a file exported twice cannot put a training row's twin in the holdout (deepchecks' train-test
 * leakage). Without copies the split is the plain one, row for row. With `split.groupBy`, rows
 * sharing that column's value are one group as well (a class is stratified by its group's first row).
 */
export function splitDataset(
  table: arrow.Table,
  target: string,
  split: SplitParams,
  task: TrainTask = 'classification',
): DatasetSplit {
  const labeled = labeledRows(table, target);
  // Copies of a record (ids aside: a row re-inserted under a fresh key) form one group.
  const exact = recordCopies(columnViews(table), table.numRows, new Set([target])).copyOf;
  if (task !== 'regression' && exact.size > 0) splitWholeClassGroups(table, target, labeled, exact);
  // split.groupBy: rows of one entity form one group too, joined with the copies (a copy can bridge two).
  const copyOf =
    split.groupBy === undefined ? exact : mergeGroups(exact, groupFirstRows(table, split.groupBy));
  // Copies share their first row's label, so the first rows of the labeled ones are split alone.
  const firsts = copyOf.size === 0 ? labeled : labeled.filter((row) => !copyOf.has(row));
  let train: Int32Array;
  let holdout: Int32Array;
  if (task === 'regression') {
    // Every target value is its own stratum for a numeric target: split at random instead.
    ({ train, holdout } = splitRows(firsts.length, split.holdout, split.seed));
  } else {
    const labels = table.getChild(target)!;
    const ids = new Map<string, number>();
    const strata = Int32Array.from(firsts, (row) => {
      const label = String(labels.get(row));
      let id = ids.get(label);
      if (id === undefined) ids.set(label, (id = ids.size));
      return id;
    });
    ({ train, holdout } = splitRows(firsts.length, split.holdout, split.seed, strata));
  }
  const trainRows = Int32Array.from(train, (i) => firsts[i]);
  const holdoutRows = Int32Array.from(holdout, (i) => firsts[i]);
  const droppedRows = table.numRows - labeled.length;
  if (copyOf.size === 0) return { trainRows, holdoutRows, droppedRows };
  const held = new Set(holdoutRows);
  const copies = labeled.filter((row) => copyOf.has(row));
  const join = (rows: Int32Array, extra: Int32Array) => {
    const all = new Int32Array(rows.length + extra.length);
    all.set(rows);
    all.set(extra, rows.length);
    return all.sort();
  };
  return {
    trainRows: join(
      trainRows,
      copies.filter((row) => !held.has(copyOf.get(row)!)),
    ),
    holdoutRows: join(
      holdoutRows,
      copies.filter((row) => held.has(copyOf.get(row)!)),
    ),
    droppedRows,
  };
}

/**
 * Ungroups a copy group that holds every row of its class (survey straight-liners: all 8
 * 'undecided' rows identical): kept together, the class would always land wholly in training and
 * the holdout could never check it; split row by row, its copies are no leak of another record.
 * Mutates `copyOf`.
 */
function splitWholeClassGroups(
  table: arrow.Table,
  target: string,
  labeled: Int32Array | number[],
  copyOf: Map<number, number>,
): void {
  const labels = table.getChild(target)!;
  const firstsPerClass = new Map<string, number[]>();
  for (const row of labeled) {
    if (copyOf.has(row)) continue;
    const label = String(labels.get(row));
    const firsts = firstsPerClass.get(label);
    if (firsts) firsts.push(row);
    else firstsPerClass.set(label, [row]);
  }
  const whole = new Set<number>();
  for (const firsts of firstsPerClass.values()) if (firsts.length === 1) whole.add(firsts[0]);
  for (const [row, first] of copyOf) if (whole.has(first)) copyOf.delete(row);
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

/** The MLP classifier (softmax output) with fixed layer names and seeded kernels. */
export function buildClassifier(inputWidth: number, numClasses: number, params: TrainParams): tf.Sequential {
  return BUILTIN_MODELS.mlp({
    ...buildContext(params),
    inputWidth,
    outputs: numClasses,
    task: 'classification',
  });
}

/** The same MLP with one linear output: a regressor of the scaled target. */
export function buildRegressor(inputWidth: number, params: TrainParams): tf.Sequential {
  return BUILTIN_MODELS.mlp({ ...buildContext(params), inputWidth, outputs: 1, task: 'regression' });
}

function buildContext(params: TrainParams) {
  return { seed: params.seed, hiddenUnits: params.hiddenUnits, tf };
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
  assertFiniteColumns(table, features, fitRows, 'feature');
  assertFiniteColumns(table, [target], rowSplit.trainRows, 'target');
  const preprocessing = fitPreprocessing(table, features, target, fitRows, task);
  assertFiniteScaling(preprocessing, table, fitRows);
  // The one place training reads inputs: switch to featureColumnsSource for a features stage's output.
  const source: FeatureSource = preprocessedSource(table, preprocessing);
  const encodeTarget = (rows: Int32Array) =>
    task === 'regression'
      ? encodeTargets(table, preprocessing, rows)
      : Float32Array.from(encodeLabels(table, preprocessing, rows)); // losses want float labels
  const width = source.width;
  const choice = params.model ?? 'mlp';
  const architecture = modelArchitecture(choice);
  const classWeight = classWeights(params.classWeights, preprocessing, task, () => encodeTarget(fitRows));

  const model = await buildModel(choice, {
    inputWidth: width,
    outputs: task === 'regression' ? 1 : preprocessing.classes.length,
    task,
    seed: params.seed,
    hiddenUnits: params.hiddenUnits,
  });
  const optimizer = tf.train.adam(params.learningRate);
  const history: EpochStats[] = [];
  let ok = false;
  try {
    model.compile(
      task === 'regression'
        ? { optimizer, loss: 'meanSquaredError' }
        : { optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] },
    );
    if (args.resumeFrom)
      await restore(args.resumeFrom, model, optimizer, preprocessing, architecture, history);
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
      const order = seededPermutation(fitRows.length, deriveSeed(params.seed, epoch));
      const result = await model.fitDataset(
        epochBatches(source, encodeTarget, fitRows, order, params.batchSize, rowLocator(table)),
        {
          epochs: 1,
          batchesPerEpoch: batches,
          verbose: 0,
          ...(classWeight ? { classWeight } : {}),
          callbacks: [new WithinEpoch(model, epoch, batches, args)],
        },
      );
      // A cancelled or timed-out attempt stopped fit after a batch: it ends here, its epoch unsaved.
      args.signal?.throwIfAborted();
      const accuracy = result.history.acc ?? result.history.accuracy;
      const stats: EpochStats = {
        epoch,
        loss: Number(result.history.loss[0]),
        accuracy: accuracy ? Number(accuracy[0]) : null,
      };
      if (!Number.isFinite(stats.loss)) {
        throw new NonFiniteValueError(
          `epoch ${epoch}: the training loss is ${stats.loss}: training diverged; lower train.learningRate or scale the inputs`,
        );
      }
      await assertFiniteWeights(model, `after epoch ${epoch}`);
      if (validationRows)
        Object.assign(stats, await evaluateValidation(model, source, encodeTarget, validationRows, task));
      history.push(stats);
      if (args.onEpoch) {
        const checkpoint = async () => {
          const state = await optimizer.getWeights();
          try {
            return await modelToArrowAsync(
              model,
              preprocessing,
              {
                backend,
                device,
                epoch,
                history: history.map((h) => ({ ...h })),
                [ARCHITECTURE_KEY]: architecture,
              },
              state,
            );
          } finally {
            // getWeights makes a new scalar for the step count (the moments are the live variables).
            tf.dispose(state.filter((s) => s.name === 'iter').map((s) => s.tensor));
          }
        };
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
      architecture,
    };
  } catch (error) {
    throw asResourceError(error, { rows: fitRows.length, width, batchSize: params.batchSize });
  } finally {
    // The returned model is for inference: the optimizer state is only needed inside the loop.
    optimizer.dispose();
    if (!ok) model.dispose();
  }
}

/**
 * One epoch's batches, encoded as they are fed (never the whole matrix): rows in the seeded `order`,
 * `batchSize` at a time, each checked for non-finite inputs. fitDataset disposes each batch's tensors.
 */
function epochBatches(
  source: FeatureSource,
  encodeTarget: (rows: Int32Array) => Float32Array,
  fitRows: Int32Array,
  order: Int32Array,
  batchSize: number,
  locator: RowLocator,
): tf.data.Dataset<tf.TensorContainer> {
  return tf.data.generator(function* () {
    for (let start = 0; start < order.length; start += batchSize) {
      const slice = order.subarray(start, Math.min(start + batchSize, order.length));
      const rows = Int32Array.from(slice, (i) => fitRows[i]);
      const x = source.batch(rows);
      assertFiniteBatch(x, rows, source, locator);
      // Targets as a column [rows, 1]: fitDataset does not expand 1-D targets as fit does (MSE would broadcast).
      yield {
        xs: tf.tensor2d(x, [rows.length, source.width]),
        ys: tf.tensor2d(encodeTarget(rows), [rows.length, 1]),
      };
    }
  });
}

/**
 * `train.classWeights` as tf.js wants it (class index → weight): `balanced` weighs each class by
 * n / (classes × count), as scikit-learn's `class_weight='balanced'`; a map names labels (others 1).
 */
export function classWeights(
  spec: TrainParams['classWeights'],
  prep: Preprocessing,
  task: TrainTask,
  labels: () => Float32Array,
): Record<number, number> | undefined {
  if (spec === undefined) return undefined;
  if (task !== 'classification')
    throw new SpecError('train.classWeights: class weights need a classification target');
  const classes = prep.classes.length;
  if (spec === 'balanced') {
    const ys = labels();
    const counts = new Float64Array(classes);
    for (const y of ys) counts[y]++;
    return Object.fromEntries(
      Array.from(counts, (count, k) => [k, count > 0 ? ys.length / (classes * count) : 1]),
    );
  }
  const unknown = Object.keys(spec).filter((label) => !prep.classes.includes(label));
  if (unknown.length > 0)
    throw new SpecError(
      `train.classWeights: unknown class label(s) ${unknown.map((l) => `'${l}'`).join(', ')} (classes: ${prep.classes.map((c) => `'${c}'`).join(', ')})`,
    );
  return Object.fromEntries(prep.classes.map((label, k) => [k, spec[label] ?? 1]));
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

/** Rows per evaluation chunk of the early-stopping validation rows (bounded memory). */
const EVAL_CHUNK = 4096;

/**
 * Validation loss (and accuracy for classification), evaluated chunk by chunk and averaged by rows;
 * read asynchronously (WebGPU has no sync read).
 */
async function evaluateValidation(
  model: tf.LayersModel,
  source: FeatureSource,
  encodeTarget: (rows: Int32Array) => Float32Array,
  rows: Int32Array,
  task: TrainTask,
): Promise<Pick<EpochStats, 'valLoss' | 'valAccuracy'>> {
  const sums = [0, 0];
  for (let start = 0; start < rows.length; start += EVAL_CHUNK) {
    const chunk = rows.subarray(start, Math.min(start + EVAL_CHUNK, rows.length));
    const x = tf.tensor2d(source.batch(chunk), [chunk.length, source.width]);
    const y = tf.tensor2d(encodeTarget(chunk), [chunk.length, 1]);
    const scalars = [model.evaluate(x, y, { batchSize: 1024 })].flat() as tf.Scalar[];
    try {
      const values = await Promise.all(scalars.map(async (t) => (await t.data())[0]));
      values.forEach((v, i) => (sums[i] += v * chunk.length));
    } finally {
      tf.dispose([x, y, ...scalars]);
    }
  }
  const valLoss = sums[0] / rows.length;
  return task === 'regression' ? { valLoss } : { valLoss, valAccuracy: sums[1] / rows.length };
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
  architecture: string,
  history: EpochStats[],
): Promise<void> {
  const saved = readModelTable(checkpoint);
  if (saved.epoch === undefined || saved.history === undefined) {
    throw new DataError('resumeFrom is a final model, not an epoch checkpoint (no epoch/history metadata)');
  }
  // Checkpoints from before train.model existed are MLPs.
  const savedArchitecture = saved.extra[ARCHITECTURE_KEY] ?? 'mlp';
  if (savedArchitecture !== architecture) {
    throw new DataError(
      `resumeFrom holds a ${savedArchitecture} model; this training builds ${architecture}`,
    );
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
