import { Float64, Table, Utf8, makeData, makeVector, tableToIPC, type Vector } from 'apache-arrow';
import type { Preprocessing } from '../model/preprocess';
import { FileObjectStore } from '../object-store/file';
import type { ObjectStore } from '../object-store/types';
import { ownValue, columnRecord } from '../own-keys';

/** One logged prediction: the instance as sent, what the model answered, and which model answered. */
export interface LoggedPrediction {
  time: string;
  model: string;
  alias: string;
  version: number;
  instance: Record<string, unknown>;
  /** The class label (logged as text), or a regression value (logged as a Float64 column). */
  prediction: string | number | boolean;
  /** The predicted class's probability; null for regression. */
  probability: number | null;
  /** `<request uuid>/<instance index>`: what `:feedback` names to label this prediction. */
  requestId: string;
}

export interface PredictionLogOptions {
  /** Directory of the log (one subdirectory per model); or give `objects` and `prefix`. */
  dir?: string;
  /** The shared-state store to log into (`s3://…/predictions/<model>/` with an S3 store). */
  objects?: ObjectStore;
  /** Key prefix under `objects`; default `predictions`. */
  prefix?: string;
  /** A file is written at least this often while predictions come in. */
  flushIntervalMs?: number;
  /** …and whenever this many predictions of one model version are waiting. */
  maxRowsPerFile?: number;
  /** Files kept per model; the oldest are deleted beyond it. */
  maxFilesPerModel?: number;
}

// Frequent small flushes: each one encodes on the serving event loop, so small ones keep latency flat.
const DEFAULTS = {
  flushIntervalMs: 1_000,
  maxRowsPerFile: 50_000,
  maxFilesPerModel: 5_000,
  prefix: 'predictions',
};

interface Buffer {
  model: string;
  version: number;
  prep: Preprocessing;
  rows: LoggedPrediction[];
}

/**
 * Logs every prediction to Arrow IPC files under `<dir>/<model>/` (or `<prefix>/<model>/` of a store),
 * one column per feature (typed as the model's preprocessing reads it) so a file reads like training
 * data (a drift reference). Files rotate by time and size, are written atomically (temp + rename on
 * disk, one PUT on S3), and the oldest are pruned.
 */
export class PredictionLog {
  private readonly options: Required<Omit<PredictionLogOptions, 'dir' | 'objects'>>;
  private readonly objects: ObjectStore;
  private readonly prefix: string;
  private readonly buffers = new Map<string, Buffer>();
  private readonly timer: NodeJS.Timeout;
  private sequence = 0;
  private writing: Promise<void> = Promise.resolve();
  /** Rows written to files so far. */
  written = 0;
  /** The last background write failure, if any (reported by `/readyz`). */
  lastError: string | null = null;

  constructor(options: PredictionLogOptions) {
    const { dir, objects, ...rest } = options;
    this.options = { ...DEFAULTS, ...rest };
    if (!dir && !objects) throw new Error('PredictionLog needs a dir or an object store');
    this.objects = dir ? new FileObjectStore(dir) : objects!;
    // A directory of its own holds model folders at its top; a shared store keeps them under a prefix.
    this.prefix = dir ? '' : `${this.options.prefix}/`;
    this.timer = setInterval(() => void this.flushQuietly(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Queues one prediction; it reaches a file at the next flush. */
  append(prep: Preprocessing, entry: LoggedPrediction): void {
    const key = `${entry.model}@${entry.version}`;
    let buffer = this.buffers.get(key);
    if (!buffer) {
      buffer = { model: entry.model, version: entry.version, prep, rows: [] };
      this.buffers.set(key, buffer);
    }
    buffer.rows.push(entry);
    if (buffer.rows.length >= this.options.maxRowsPerFile) void this.flushQuietly();
  }

  /** A background flush: a failed write (full disk) costs those log rows, never the serving process. */
  private async flushQuietly(): Promise<void> {
    try {
      await this.flush();
    } catch (error) {
      this.lastError = (error as Error).message;
    }
  }

  /** Writes every waiting prediction to new files; resolves once they are on disk. */
  flush(): Promise<void> {
    const buffers = [...this.buffers.values()].filter((b) => b.rows.length > 0);
    this.buffers.clear();
    const done = this.writing.then(async () => {
      for (const buffer of buffers) await this.writeFile(buffer);
    });
    // The chain goes on after a failed write; the caller of this flush still sees the failure.
    this.writing = done.catch(() => undefined);
    return done;
  }

  /** Flushes and stops the timer. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async writeFile(buffer: Buffer): Promise<void> {
    const dir = `${this.prefix}${buffer.model}/`;
    const stamp = new Date().toISOString().replace(/[-:.]/g, '');
    const name = `${stamp}-${String(this.sequence++).padStart(6, '0')}-v${buffer.version}.arrow`;
    await this.objects.put(`${dir}${name}`, Buffer.from(tableToIPC(predictionTable(buffer), 'file')));
    this.written += buffer.rows.length;
    const files = (await this.objects.list(dir)).filter((f) => f.key.endsWith('.arrow'));
    for (const old of files.slice(0, Math.max(0, files.length - this.options.maxFilesPerModel)))
      await this.objects.delete(old.key);
  }
}

/** Feature columns first (as in training data), then `prediction`, `probability` and who answered. */
function predictionTable(buffer: Buffer): Table {
  const { rows, prep } = buffer;
  const columns = columnRecord<Vector>();
  for (const feature of prep.features) {
    const values = rows.map((r) => ownValue(r.instance, feature.name));
    columns[feature.name] =
      feature.kind === 'categorical'
        ? utf8Vector(values.map((v) => (typeof v === 'string' ? v : null)))
        : float64Vector(
            values.map((v) => (typeof v === 'number' || typeof v === 'boolean' ? Number(v) : null)),
          );
  }
  // A regressor's predictions stay numbers, so the monitor's residuals read them as logged.
  columns.prediction =
    prep.task === 'regression'
      ? float64Vector(rows.map((r) => (typeof r.prediction === 'number' ? r.prediction : null)))
      : utf8Vector(rows.map((r) => String(r.prediction)));
  columns.probability = float64Vector(rows.map((r) => r.probability));
  columns.model = utf8Vector(rows.map((r) => r.model));
  columns.alias = utf8Vector(rows.map((r) => r.alias));
  columns.version = float64Vector(rows.map((r) => r.version));
  columns.time = utf8Vector(rows.map((r) => r.time));
  columns.request_id = utf8Vector(rows.map((r) => r.requestId));
  return new Table(columns);
}

// Columns straight from typed arrays: apache-arrow's generic vectorFromArray (builders) was several
// times slower, and a flush runs on the serving event loop.

/** Validity bitmap (bit set = valid) and null count, or no bitmap when nothing is null. */
function validity(values: unknown[]): { nullBitmap?: Uint8Array; nullCount: number } {
  let nullCount = 0;
  for (const v of values) if (v === null) nullCount++;
  if (nullCount === 0) return { nullCount };
  const nullBitmap = new Uint8Array((values.length + 7) >> 3);
  values.forEach((v, i) => {
    if (v !== null) nullBitmap[i >> 3] |= 1 << (i & 7);
  });
  return { nullBitmap, nullCount };
}

function float64Vector(values: (number | null)[]): Vector<Float64> {
  const data = Float64Array.from(values, (v) => v ?? 0);
  return makeVector(makeData({ type: new Float64(), length: values.length, data, ...validity(values) }));
}

const encoder = new TextEncoder();

function utf8Vector(values: (string | null)[]): Vector<Utf8> {
  const valueOffsets = new Int32Array(values.length + 1);
  const encoded = values.map((v) => (v === null ? new Uint8Array(0) : encoder.encode(v)));
  encoded.forEach((bytes, i) => (valueOffsets[i + 1] = valueOffsets[i] + bytes.length));
  const data = new Uint8Array(valueOffsets[values.length]);
  encoded.forEach((bytes, i) => data.set(bytes, valueOffsets[i]));
  return makeVector(
    makeData({ type: new Utf8(), length: values.length, data, valueOffsets, ...validity(values) }),
  );
}
