import * as arrow from 'apache-arrow';
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../errors';
import { withSchemaMetadata } from '../arrow-columns';
import { ensureBackend } from './backend';
import { assertFiniteTensors } from './numeric-safety';
import type { FittedFeatures } from '../features/types';
import type { Preprocessing } from './preprocess';

/** One epoch of training: mean training loss and accuracy over the epoch's batches. */
export interface EpochStats {
  epoch: number;
  loss: number;
  /** Null for regression, which has no accuracy. */
  accuracy: number | null;
  /** Loss and accuracy on the early-stopping validation rows, when early stopping is on. */
  valLoss?: number;
  valAccuracy?: number;
}

/** Schema-metadata keys of a model checkpoint (beside the lineage keys the store adds). */
export const MODEL_KEYS = {
  format: 'quiver.model.format',
  topology: 'quiver.model.topology',
  preprocessing: 'quiver.model.preprocessing',
  backend: 'quiver.model.backend',
  device: 'quiver.model.device',
  epoch: 'quiver.model.epoch',
  history: 'quiver.model.history',
} as const;

/** ModelInfo key (stored as `quiver.model.architecture`) naming what built the model (see modelArchitecture). */
export const ARCHITECTURE_KEY = 'architecture';

/** Written to `quiver.model.format`; bump when the table layout changes. */
export const MODEL_FORMAT = 'quiver-tfjs-layers/1';

/**
 * What is recorded beside the weights. `epoch` and `history` mark an epoch checkpoint that training
 * can resume from; any other key is stored as `quiver.model.<key>` (strings as is, the rest as JSON).
 */
export interface ModelInfo {
  backend: string;
  device: string;
  epoch?: number;
  history?: EpochStats[];
  [key: string]: unknown;
}

/** One optimizer state tensor as plain data (Adam: `iter`, then first and second moments). */
export interface OptimizerTensor {
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  values: Float32Array;
}

export interface DecodedModel {
  model: tf.LayersModel;
  preprocessing: Preprocessing;
  backend: string;
  device: string;
  /** Last completed epoch, for epoch checkpoints. */
  epoch?: number;
  history?: EpochStats[];
  /** Optimizer state, present in epoch checkpoints written with it. */
  optimizer?: OptimizerTensor[];
  /** Other `quiver.model.*` metadata, raw strings keyed without the prefix. */
  extra: Record<string, string>;
}

type ModelJSONInput = Parameters<typeof tf.models.modelFromJSON>[0];

const ROLE_WEIGHT = 'weight';
const ROLE_OPTIMIZER = 'optimizer';

const shapeType = new arrow.List(new arrow.Field('item', new arrow.Int32(), true));
const valuesType = new arrow.List(new arrow.Field('item', new arrow.Float32(), true));

interface TensorRow {
  name: string;
  role: string;
  dtype: string;
  shape: number[];
  values: Float32Array;
}

function withMetadata(table: arrow.Table, metadata: Map<string, string>): arrow.Table {
  return new arrow.Table(new arrow.Schema(table.schema.fields, metadata), table.batches);
}

function tensorTable(rows: TensorRow[], metadata: Map<string, string>): arrow.Table {
  const table = new arrow.Table({
    name: arrow.vectorFromArray(
      rows.map((r) => r.name),
      new arrow.Utf8(),
    ),
    role: arrow.vectorFromArray(
      rows.map((r) => r.role),
      new arrow.Utf8(),
    ),
    dtype: arrow.vectorFromArray(
      rows.map((r) => r.dtype),
      new arrow.Utf8(),
    ),
    shape: arrow.vectorFromArray(
      rows.map((r) => Int32Array.from(r.shape)),
      shapeType,
    ),
    values: arrow.vectorFromArray(
      rows.map((r) => r.values),
      valuesType,
    ),
  });
  return withMetadata(table, metadata);
}

/** Float32 copy of a tensor's values (int32 optimizer counters fit exactly below 2^24). */
function valuesOf(tensor: tf.Tensor): Float32Array {
  const data = tensor.dataSync();
  return data instanceof Float32Array
    ? Float32Array.from(data)
    : Float32Array.from(data as ArrayLike<number>);
}

/**
 * The model as an Arrow table: one row per weight tensor (`name`, `role`, `dtype`, `shape`
 * List<Int32>, `values` List<Float32>), then one row per optimizer tensor when `optimizer` is given.
 * Topology, preprocessing and the training backend/device go into the schema metadata.
 */
export function modelToArrow(
  model: tf.LayersModel,
  preprocessing: Preprocessing,
  info: ModelInfo,
  optimizer?: { name: string; tensor: tf.Tensor }[],
): arrow.Table {
  const rows: TensorRow[] = model.weights.map((w) => {
    const tensor = w.read();
    return {
      name: w.originalName,
      role: ROLE_WEIGHT,
      dtype: w.dtype,
      shape: [...tensor.shape],
      values: valuesOf(tensor),
    };
  });
  if (optimizer) {
    // Adam's own names carry process-unique suffixes (dense_1/kernel_3/m); name them after the weights.
    const trainable = model.trainableWeights.map((w) => w.originalName);
    const moments = optimizer.length - 1;
    optimizer.forEach(({ name, tensor }, i) => {
      let stable = name;
      if (i > 0 && moments === trainable.length * 2) {
        const k = (i - 1) % trainable.length;
        stable = `${trainable[k]}/${i - 1 < trainable.length ? 'm' : 'v'}`;
      }
      rows.push({
        name: stable,
        role: ROLE_OPTIMIZER,
        dtype: tensor.dtype,
        shape: [...tensor.shape],
        values: valuesOf(tensor),
      });
    });
  }

  const { backend, device, epoch, history, ...extra } = info;
  const metadata = new Map<string, string>([
    [MODEL_KEYS.format, MODEL_FORMAT],
    [MODEL_KEYS.topology, JSON.stringify(model.toJSON(null, false))],
    [MODEL_KEYS.preprocessing, JSON.stringify(preprocessing)],
    [MODEL_KEYS.backend, backend],
    [MODEL_KEYS.device, device],
  ]);
  if (epoch !== undefined) metadata.set(MODEL_KEYS.epoch, String(epoch));
  if (history !== undefined) metadata.set(MODEL_KEYS.history, JSON.stringify(history));
  for (const [key, value] of Object.entries(extra)) {
    if (value !== undefined)
      metadata.set(`quiver.model.${key}`, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return tensorTable(rows, metadata);
}

function requireMeta(table: arrow.Table, key: string): string {
  const value = table.schema.metadata.get(key);
  if (value === undefined)
    throw new DataError(`not a Quiver model checkpoint: schema metadata "${key}" is missing`);
  return value;
}

function readRows(table: arrow.Table): TensorRow[] {
  for (const name of ['name', 'dtype', 'shape', 'values']) {
    if (!table.getChild(name))
      throw new DataError(`not a Quiver model checkpoint: column "${name}" is missing`);
  }
  const names = table.getChild('name')!;
  const roles = table.getChild('role');
  const dtypes = table.getChild('dtype')!;
  const shapes = table.getChild('shape')!;
  const values = table.getChild('values')!;
  const rows: TensorRow[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const shape = Array.from(shapes.get(i) as Iterable<number>, Number);
    const v = values.get(i) as arrow.Vector | null;
    const data = v ? Float32Array.from(v.toArray() as ArrayLike<number>) : new Float32Array(0);
    const size = shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) {
      throw new DataError(
        `model tensor "${String(names.get(i))}" has ${data.length} values for shape [${shape}]`,
      );
    }
    rows.push({
      name: String(names.get(i)),
      role: roles ? String(roles.get(i)) : ROLE_WEIGHT,
      dtype: String(dtypes.get(i)),
      shape,
      values: data,
    });
  }
  return rows;
}

/** The model checkpoint's weights, optimizer state and metadata without building a tf.js model. */
export function readModelTable(table: arrow.Table): Omit<DecodedModel, 'model'> & {
  topology: object;
  weights: TensorRow[];
} {
  const metadata = table.schema.metadata;
  const topology = JSON.parse(requireMeta(table, MODEL_KEYS.topology)) as object;
  const preprocessing = JSON.parse(requireMeta(table, MODEL_KEYS.preprocessing)) as Preprocessing;
  const rows = readRows(table);
  const epoch = metadata.get(MODEL_KEYS.epoch);
  const history = metadata.get(MODEL_KEYS.history);
  const known = new Set<string>(Object.values(MODEL_KEYS));
  const extra: Record<string, string> = {};
  for (const [key, value] of metadata) {
    if (key.startsWith('quiver.model.') && !known.has(key)) extra[key.slice('quiver.model.'.length)] = value;
  }
  const optimizer = rows
    .filter((r) => r.role === ROLE_OPTIMIZER)
    .map((r) => ({
      name: r.name,
      dtype: r.dtype === 'int32' ? ('int32' as const) : ('float32' as const),
      shape: r.shape,
      values: r.values,
    }));
  return {
    topology,
    preprocessing,
    weights: rows.filter((r) => r.role === ROLE_WEIGHT),
    backend: metadata.get(MODEL_KEYS.backend) ?? 'unknown',
    device: metadata.get(MODEL_KEYS.device) ?? 'unknown',
    epoch: epoch === undefined ? undefined : Number(epoch),
    history: history === undefined ? undefined : (JSON.parse(history) as EpochStats[]),
    optimizer: optimizer.length > 0 ? optimizer : undefined,
    extra,
  };
}

/**
 * Loads `weights` into `model`, matched by weight name (`hidden_1/kernel`), checking shapes. A model
 * whose layers were named automatically (a user module's `dense_Dense3`: the counter differs per
 * process) is matched by position instead, when every name misses but counts and shapes agree.
 * Throws DataError when the checkpoint does not fit the model.
 */
export function setModelWeights(model: tf.LayersModel, weights: TensorRow[]): void {
  const byName = new Map(weights.map((w) => [w.name, w]));
  if (weights.length !== model.weights.length) {
    throw new DataError(
      `checkpoint has ${weights.length} weight tensors, the model has ${model.weights.length}`,
    );
  }
  const byPosition = model.weights.every((w) => !byName.has(w.originalName));
  const tensors: tf.Tensor[] = [];
  try {
    model.weights.forEach((w, i) => {
      const row = byPosition ? weights[i] : byName.get(w.originalName);
      if (!row) throw new DataError(`checkpoint has no weight "${w.originalName}"`);
      if (row.shape.length !== w.shape.length || row.shape.some((d, k) => d !== w.shape[k])) {
        throw new DataError(
          `weight "${w.originalName}" has shape [${row.shape}] in the checkpoint (as "${row.name}"), [${w.shape}] in the model`,
        );
      }
      tensors.push(tf.tensor(row.values, row.shape, 'float32'));
    });
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}

/**
 * modelToArrow after downloading every tensor asynchronously: WebGPU in Node has no synchronous
 * read, and a downloaded tensor keeps its values cached for the synchronous encoder.
 */
export async function modelToArrowAsync(
  model: tf.LayersModel,
  preprocessing: Preprocessing,
  info: ModelInfo,
  optimizer?: { name: string; tensor: tf.Tensor }[],
): Promise<arrow.Table> {
  await Promise.all([
    ...model.weights.map((w) => w.read().data()),
    ...(optimizer ?? []).map((o) => o.tensor.data()),
  ]);
  return modelToArrow(model, preprocessing, info, optimizer);
}

/** Rebuilds the model from its checkpoint table; predictions match the model that was written. */
export async function modelFromArrow(table: arrow.Table): Promise<DecodedModel> {
  const decoded = readModelTable(table);
  await ensureBackend();
  const { topology, weights, ...rest } = decoded;
  // A model with NaN weights answers nonsense for every input: it is never validated, deployed or served.
  assertFiniteTensors(weights, 'model checkpoint');
  let model: tf.LayersModel;
  try {
    model = await tf.models.modelFromJSON({ modelTopology: topology } as ModelJSONInput);
  } catch (err) {
    throw new DataError(`model topology in the checkpoint could not be rebuilt: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    setModelWeights(model, weights);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { model, ...rest };
}

/** Training history as an Arrow table: `epoch` (Int32), `loss` and `accuracy` (Float64). */
export function historyToArrow(history: EpochStats[]): arrow.Table {
  return new arrow.Table({
    epoch: arrow.vectorFromArray(Int32Array.from(history, (h) => h.epoch)),
    loss: arrow.vectorFromArray(Float64Array.from(history, (h) => h.loss)),
    accuracy: arrow.vectorFromArray(Float64Array.from(history, (h) => h.accuracy ?? NaN)),
    ...(history.some((h) => h.valLoss !== undefined)
      ? {
          val_loss: arrow.vectorFromArray(Float64Array.from(history, (h) => h.valLoss ?? NaN)),
          val_accuracy: arrow.vectorFromArray(Float64Array.from(history, (h) => h.valAccuracy ?? NaN)),
        }
      : {}),
  });
}

/** The inverse of historyToArrow. */
export function historyFromArrow(table: arrow.Table): EpochStats[] {
  const epoch = table.getChild('epoch');
  const loss = table.getChild('loss');
  const accuracy = table.getChild('accuracy');
  if (!epoch || !loss || !accuracy) throw new DataError('history table needs columns epoch, loss, accuracy');
  return Array.from({ length: table.numRows }, (_, i) => ({
    epoch: Number(epoch.get(i)),
    loss: Number(loss.get(i)),
    accuracy: Number.isNaN(Number(accuracy.get(i))) ? null : Number(accuracy.get(i)),
  }));
}

/**
 * `ModelInfo` key (stored as `quiver.model.features`) of the fitted features stage a model was trained
 * behind. Models trained without a `features:` section have none: their raw columns go straight to
 * the model's own input encoding, as they always did.
 */
export const MODEL_FEATURES_KEY = 'features';

/** The fitted features stage stored with a model (see MODEL_FEATURES_KEY), or null. */
export function modelFeatures(decoded: { extra: Record<string, string> }): FittedFeatures | null {
  const text = decoded.extra[MODEL_FEATURES_KEY];
  return text === undefined ? null : (JSON.parse(text) as FittedFeatures);
}

/**
 * `table` (a model checkpoint) with more `info` entries in its schema metadata, written as
 * modelToArrow writes them (`quiver.model.<key>`): for what is known only after training, such as
 * the fitted features stage, when the model was encoded elsewhere (the training thread).
 */
export function withModelInfo(table: arrow.Table, info: Record<string, unknown>): arrow.Table {
  return withSchemaMetadata(
    table,
    Object.entries(info).map(([key, value]) => [
      `quiver.model.${key}`,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  );
}
