import { DataType, type Table, type Vector } from 'apache-arrow';
import type { CheckpointStore } from '../core/checkpoint/store';
import type { CheckpointRef } from '../core/checkpoint/types';
import { STEP_NAMES, type StepName } from '../core/run-types';
import { sha256 } from '../core/hash';
import type { RunView } from './api';

/** Summary statistics of one checkpoint column, enough to see whether two runs' data differ. */
export interface ColumnSummary {
  type: string;
  nulls: number;
  /** Numeric columns only. */
  min?: number | null;
  max?: number | null;
  mean?: number | null;
  /** String and dictionary columns only. */
  distinct?: number;
  /**
   * String and dictionary columns: rows per value (`{setosa: 50, …}`), so a renamed or shifted
   * category shows even when the distinct count stays; above {@link MAX_LISTED_VALUES} values only
   * `valueCountsSha256` (a digest of every count) is kept.
   */
  valueCounts?: Record<string, number>;
  valueCountsSha256?: string;
}

/** Distinct values up to which a column's value counts are listed in full. */
export const MAX_LISTED_VALUES = 50;

/** One step output across the compared runs: references, row counts, schema and column statistics. */
export interface CheckpointComparison {
  step: StepName;
  output: string;
  sha256: (string | null)[];
  /** True when every run has the same checkpoint (same SHA-256): nothing else to look at. */
  identical: boolean;
  /**
   * Different files whose schema, row counts and column statistics all match: typically the same
   * data written by another run (lineage metadata differs, so the SHA-256 does too).
   */
  sameStatistics: boolean;
  rows: (number | null)[];
  /** Columns each run has that the first run lacks, and the reverse; type changes by column. */
  schema: {
    added: string[][];
    removed: string[][];
    typeChanged: { column: string; types: (string | null)[] }[];
  };
  /** Per column, each run's summary (null where the run lacks the column); only columns that differ. */
  columns: { column: string; summaries: (ColumnSummary | null)[] }[];
}

/** `quiver runs compare`: params, metrics, durations and checkpoints of several runs side by side. */
export interface RunComparison {
  runs: { runId: string; pipeline: string; status: string; startedAt: string | null }[];
  /** Every spec field (flattened, `train.epochs`) whose value differs between the runs. */
  params: { path: string; values: unknown[] }[];
  /** Every numeric or string step summary value (`validate.accuracy`), per run. */
  metrics: { name: string; values: (string | number | boolean | null)[] }[];
  durations: { step: StepName; values: (number | null)[] }[];
  checkpoints: CheckpointComparison[];
}

/** Compares runs (the first is the baseline for schema changes); reads their checkpoints through `store`. */
export async function compareRuns(views: RunView[], store: CheckpointStore): Promise<RunComparison> {
  return {
    runs: views.map((v) => ({
      runId: v.runId,
      pipeline: v.pipeline,
      status: v.status,
      startedAt: v.startedAt,
    })),
    params: differingParams(views),
    metrics: metricsOf(views),
    durations: STEP_NAMES.map((step) => ({
      step,
      values: views.map((v) => v.steps.find((s) => s.name === step)?.durationMs ?? null),
    })),
    checkpoints: await compareCheckpoints(views, store),
  };
}

function differingParams(views: RunView[]): RunComparison['params'] {
  const flat = views.map((v) => flatten(v.spec as unknown as Record<string, unknown>));
  const paths = [...new Set(flat.flatMap((f) => [...f.keys()]))].sort();
  return paths
    .map((path) => ({ path, values: flat.map((f) => f.get(path) ?? null) }))
    .filter((p) => new Set(p.values.map((v) => JSON.stringify(v))).size > 1);
}

/** `{train: {epochs: 60}}` → `train.epochs → 60`; arrays are values, not paths. */
function flatten(value: Record<string, unknown>, prefix = '', out = new Map<string, unknown>()) {
  for (const [key, child] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (child && typeof child === 'object' && !Array.isArray(child))
      flatten(child as Record<string, unknown>, path, out);
    else out.set(path, child);
  }
  return out;
}

function metricsOf(views: RunView[]): RunComparison['metrics'] {
  const names: string[] = [];
  const values = new Map<string, RunComparison['metrics'][number]['values']>();
  views.forEach((view, i) => {
    for (const step of view.steps) {
      // Each transform of the features stage compares as its own unit: code, cache key, reuse, time.
      const transforms = (step.transforms ?? []).flatMap((t) =>
        Object.entries({
          code: t.codeVersion,
          cacheKey: t.cacheKey.slice(0, 12),
          reused: t.reused,
          ms: t.durationMs,
        }).map(([key, value]) => [`[${t.index}] ${t.name}.${key}`, value] as const),
      );
      for (const [key, value] of [...Object.entries(step.summary), ...transforms]) {
        const name = key.startsWith('[') ? `${step.name}${key}` : `${step.name}.${key}`;
        if (!values.has(name)) {
          names.push(name);
          values.set(
            name,
            views.map(() => null),
          );
        }
        values.get(name)![i] = value;
      }
    }
  });
  return names.map((name) => ({ name, values: values.get(name)! }));
}

async function compareCheckpoints(views: RunView[], store: CheckpointStore): Promise<CheckpointComparison[]> {
  const comparisons: CheckpointComparison[] = [];
  for (const step of STEP_NAMES) {
    const states = views.map((v) => v.steps.find((s) => s.name === step));
    const outputs = [...new Set(states.flatMap((s) => Object.keys(s?.outputs ?? {})))].sort();
    for (const output of outputs) {
      const refs = states.map((s) => s?.outputs[output] ?? null);
      comparisons.push(await compareOutput(step, output, refs, store));
    }
  }
  return comparisons;
}

async function compareOutput(
  step: StepName,
  output: string,
  refs: (CheckpointRef | null)[],
  store: CheckpointStore,
): Promise<CheckpointComparison> {
  const sha256 = refs.map((r) => r?.sha256 ?? null);
  const identical = sha256.every((sha) => sha !== null && sha === sha256[0]);
  const comparison: CheckpointComparison = {
    step,
    output,
    sha256,
    identical,
    sameStatistics: identical,
    rows: refs.map((r) => r?.rows ?? null),
    schema: { added: refs.map(() => []), removed: refs.map(() => []), typeChanged: [] },
    columns: [],
  };
  if (identical) return comparison;
  // Each distinct checkpoint is read (and verified) once, even when several runs share it.
  const tables = new Map<string, Promise<Table | null>>();
  const read = (ref: CheckpointRef | null) => {
    if (!ref) return Promise.resolve(null);
    if (!tables.has(ref.sha256))
      tables.set(
        ref.sha256,
        store.read(ref).catch(() => null), // a missing or corrupt checkpoint shows as absent
      );
    return tables.get(ref.sha256)!;
  };
  const loaded = await Promise.all(refs.map(read));
  const fields = loaded.map((t) => new Map(t?.schema.fields.map((f) => [f.name, String(f.type)]) ?? []));
  const base = fields[0];
  comparison.schema.added = fields.map((f) => [...f.keys()].filter((c) => !base.has(c)));
  comparison.schema.removed = fields.map((f) => [...base.keys()].filter((c) => !f.has(c)));
  const columns = [...new Set(fields.flatMap((f) => [...f.keys()]))];
  for (const column of columns) {
    const types = fields.map((f) => f.get(column) ?? null);
    if (new Set(types.filter((t) => t !== null)).size > 1)
      comparison.schema.typeChanged.push({ column, types });
    const summaries = loaded.map((table) => {
      const vector = table?.getChild(column);
      return vector ? summarizeColumn(vector) : null;
    });
    if (new Set(summaries.map((s) => JSON.stringify(s))).size > 1)
      comparison.columns.push({ column, summaries });
  }
  comparison.sameStatistics =
    loaded.every((t) => t !== null) &&
    new Set(comparison.rows).size === 1 &&
    comparison.schema.added.every((c) => c.length === 0) &&
    comparison.schema.removed.every((c) => c.length === 0) &&
    comparison.schema.typeChanged.length === 0 &&
    comparison.columns.length === 0;
  return comparison;
}

/** Nulls for every column; min/max/mean for numbers; distinct values and their counts for strings. */
export function summarizeColumn(vector: Vector): ColumnSummary {
  const summary: ColumnSummary = { type: String(vector.type), nulls: vector.nullCount };
  if (DataType.isFloat(vector.type) || DataType.isInt(vector.type)) {
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let count = 0;
    for (let i = 0; i < vector.length; i++) {
      const raw = vector.get(i) as number | bigint | null;
      if (raw === null) continue;
      const value = Number(raw);
      if (value < min) min = value;
      if (value > max) max = value;
      sum += value;
      count++;
    }
    Object.assign(summary, count ? { min, max, mean: sum / count } : { min: null, max: null, mean: null });
  } else if (DataType.isUtf8(vector.type) || DataType.isDictionary(vector.type)) {
    const counts = new Map<string, number>();
    for (let i = 0; i < vector.length; i++) {
      const value = vector.get(i) as unknown;
      if (value !== null) counts.set(String(value), (counts.get(String(value)) ?? 0) + 1);
    }
    summary.distinct = counts.size;
    const sorted = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (counts.size <= MAX_LISTED_VALUES) summary.valueCounts = Object.fromEntries(sorted);
    else summary.valueCountsSha256 = sha256(JSON.stringify(sorted)).slice(0, 16);
  }
  return summary;
}
