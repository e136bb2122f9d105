import * as arrow from 'apache-arrow';
import { DataError } from '../errors';
import type { ColumnView } from './column-views';

/** Statistics of one numeric feature: quantile bins (the PSI reference) and summary figures. */
export interface NumericProfile {
  name: string;
  kind: 'numeric';
  rows: number;
  nulls: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Inner bin edges, increasing: bin k holds edges[k-1] <= v < edges[k] (open at both ends). */
  edges: number[];
  /** Non-null values per bin: edges.length + 1 of them. */
  counts: number[];
}

/** Statistics of one categorical feature: how often each category occurs. */
export interface CategoricalProfile {
  name: string;
  kind: 'categorical';
  rows: number;
  nulls: number;
  categories: string[];
  counts: number[];
}

export type FeatureProfile = NumericProfile | CategoricalProfile;

/** Quantile edges come from an evenly strided sample of at most this many values. */
const EDGE_SAMPLE = 65_536;

/**
 * Profiles every column over the rows `keep` marks (all rows when null): what the model trains on,
 * and the reference later runs' drift is measured against.
 */
export function profileColumns(views: ColumnView[], bins: number, keep: Uint8Array | null): FeatureProfile[] {
  return views.map((view) =>
    view.kind === 'numeric' ? profileNumeric(view, bins, keep) : profileCategorical(view, keep),
  );
}

function profileNumeric(
  view: Extract<ColumnView, { kind: 'numeric' }>,
  bins: number,
  keep: Uint8Array | null,
): NumericProfile {
  const { values, valid } = view;
  let rows = 0;
  let present = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (keep !== null && keep[i] === 0) continue;
    rows++;
    if (valid !== null && valid[i] === 0) continue;
    const v = values[i];
    present++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const edges = quantileEdges(view, bins, keep, present);
  return {
    name: view.name,
    kind: 'numeric',
    rows,
    nulls: rows - present,
    min: present ? min : null,
    max: present ? max : null,
    mean: present ? sum / present : null,
    edges,
    counts: binCounts(view, edges, keep),
  };
}

function quantileEdges(
  view: Extract<ColumnView, { kind: 'numeric' }>,
  bins: number,
  keep: Uint8Array | null,
  present: number,
): number[] {
  if (present === 0) return [];
  // Every stride-th row (present and kept ones only): O(sample), not a pass over the column.
  const rows = view.values.length;
  const stride = Math.max(1, Math.floor(rows / EDGE_SAMPLE));
  const sample = new Float64Array(Math.ceil(rows / stride));
  let taken = 0;
  for (let i = 0; i < rows; i += stride) {
    if ((keep !== null && keep[i] === 0) || (view.valid !== null && view.valid[i] === 0)) continue;
    sample[taken++] = view.values[i];
  }
  if (taken === 0) {
    // Too sparse for the stride (almost all null or dropped): take every present value.
    const all = new Float64Array(present);
    for (let i = 0; i < rows; i++)
      if ((keep === null || keep[i] === 1) && (view.valid === null || view.valid[i] === 1)) all[taken++] = view.values[i];
    return edgesOf(all.sort(), bins);
  }
  return edgesOf(sample.subarray(0, taken).sort(), bins);
}

/** Distinct quantiles at 1/bins … (bins-1)/bins of sorted values, above the minimum. */
function edgesOf(sorted: Float64Array, bins: number): number[] {
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const edge = sorted[Math.floor((k / bins) * (sorted.length - 1))];
    if (edge > sorted[0] && (edges.length === 0 || edge > edges[edges.length - 1])) edges.push(edge);
  }
  return edges;
}

/** Cells of the lookup grid that maps a value to its bin without a search. */
const GRID = 1024;

/**
 * Non-null values (of the kept rows) per bin of `edges`. A grid over [first edge, last edge] answers
 * most values with one lookup; only values in a cell that an edge falls into need a binary search.
 */
export function binCounts(
  view: Extract<ColumnView, { kind: 'numeric' }>,
  edges: number[],
  keep: Uint8Array | null,
): number[] {
  const n = edges.length;
  const counts = new Float64Array(n + 1);
  const bounds = Float64Array.from(edges);
  const lo = n ? bounds[0] : 0;
  const hi = n ? bounds[n - 1] : 0;
  const scale = hi > lo ? GRID / (hi - lo) : 0;
  const cell = (v: number) => Math.min(GRID - 1, Math.max(0, Math.floor((v - lo) * scale)));
  // cellBin[g]: the bin of every value in cell g (edges in lower cells), or -1 where an edge lies in it.
  const cellBin = new Int32Array(GRID);
  for (const edge of bounds) for (let g = cell(edge) + 1; g < GRID; g++) cellBin[g]++;
  for (const edge of bounds) cellBin[cell(edge)] = -1;
  const { values, valid } = view;
  for (let i = 0; i < values.length; i++) {
    if ((keep !== null && keep[i] === 0) || (valid !== null && valid[i] === 0)) continue;
    const v = values[i];
    let bin: number;
    if (n === 0 || v < lo) bin = 0;
    else if (v >= hi) bin = n;
    else {
      let g = ((v - lo) * scale) | 0;
      if (g > GRID - 1) g = GRID - 1;
      bin = cellBin[g];
      if (bin < 0) {
        // Binary search for the number of edges <= v.
        let a = 0;
        let b = n;
        while (a < b) {
          const mid = (a + b) >> 1;
          if (bounds[mid] <= v) a = mid + 1;
          else b = mid;
        }
        bin = a;
      }
    }
    counts[bin]++;
  }
  return Array.from(counts);
}

function profileCategorical(
  view: Extract<ColumnView, { kind: 'categorical' }>,
  keep: Uint8Array | null,
): CategoricalProfile {
  const byCode = new Float64Array(view.dictionary.length);
  let rows = 0;
  let nulls = 0;
  const codes = view.codes;
  for (let i = 0; i < codes.length; i++) {
    if (keep !== null && keep[i] === 0) continue;
    rows++;
    const code = codes[i];
    if (code < 0) nulls++;
    else byCode[code]++;
  }
  const ids = view.dictionary.map((_, id) => id).filter((id) => byCode[id] > 0);
  ids.sort((a, b) => (view.dictionary[a] < view.dictionary[b] ? -1 : 1));
  return {
    name: view.name,
    kind: 'categorical',
    rows,
    nulls,
    categories: ids.map((id) => view.dictionary[id]),
    counts: ids.map((id) => byCode[id]),
  };
}

/**
 * The profile checkpoint: one row per bin (numeric) or category, with the feature's summary figures
 * repeated on each, so any Arrow reader can plot it; a feature with no bins keeps one row.
 */
export function profileToArrow(profiles: FeatureProfile[]): arrow.Table {
  const rows = {
    feature: [] as string[],
    kind: [] as string[],
    bucket: [] as number[],
    lower: [] as (number | null)[],
    upper: [] as (number | null)[],
    category: [] as (string | null)[],
    count: [] as number[],
    rows: [] as number[],
    nulls: [] as number[],
    min: [] as (number | null)[],
    max: [] as (number | null)[],
    mean: [] as (number | null)[],
  };
  const push = (p: FeatureProfile, bucket: number, lower: number | null, upper: number | null, category: string | null, count: number) => {
    rows.feature.push(p.name);
    rows.kind.push(p.kind);
    rows.bucket.push(bucket);
    rows.lower.push(lower);
    rows.upper.push(upper);
    rows.category.push(category);
    rows.count.push(count);
    rows.rows.push(p.rows);
    rows.nulls.push(p.nulls);
    rows.min.push(p.kind === 'numeric' ? p.min : null);
    rows.max.push(p.kind === 'numeric' ? p.max : null);
    rows.mean.push(p.kind === 'numeric' ? p.mean : null);
  };
  for (const p of profiles) {
    if (p.kind === 'numeric') {
      p.counts.forEach((count, k) => push(p, k, k === 0 ? null : p.edges[k - 1], k < p.edges.length ? p.edges[k] : null, null, count));
    } else if (p.categories.length === 0) {
      push(p, -1, null, null, null, 0);
    } else {
      p.categories.forEach((category, k) => push(p, k, null, null, category, p.counts[k]));
    }
  }
  const f64 = (values: (number | null)[]) => arrow.vectorFromArray(values, new arrow.Float64());
  const text = (values: (string | null)[]) => arrow.vectorFromArray(values, new arrow.Utf8());
  // Counts are integers: written as Int32 (rows per checkpoint stay far below 2^31).
  const i32 = (values: number[]) => arrow.vectorFromArray(values, new arrow.Int32());
  return new arrow.Table({
    feature: text(rows.feature),
    kind: text(rows.kind),
    bucket: arrow.vectorFromArray(rows.bucket, new arrow.Int32()),
    lower: f64(rows.lower),
    upper: f64(rows.upper),
    category: text(rows.category),
    count: i32(rows.count),
    rows: i32(rows.rows),
    nulls: i32(rows.nulls),
    min: f64(rows.min),
    max: f64(rows.max),
    mean: f64(rows.mean),
  });
}

interface ProfileRow {
  feature: string;
  kind: string;
  bucket: number;
  lower: number | null;
  category: string | null;
  count: number;
  rows: number;
  nulls: number;
  min: number | null;
  max: number | null;
  mean: number | null;
}

/** Reads a profile checkpoint back (the drift reference of a registered model). */
export function profileFromArrow(table: arrow.Table): FeatureProfile[] {
  const byFeature = new Map<string, FeatureProfile>();
  for (const row of table.toArray() as ProfileRow[]) {
    let profile = byFeature.get(row.feature);
    if (!profile) {
      const base = { name: row.feature, rows: row.rows, nulls: row.nulls, counts: [] as number[] };
      if (row.kind === 'numeric')
        profile = { ...base, kind: 'numeric', min: row.min, max: row.max, mean: row.mean, edges: [] };
      else if (row.kind === 'categorical') profile = { ...base, kind: 'categorical', categories: [] };
      else throw new DataError(`profile row of ${row.feature} has unknown kind ${row.kind}`);
      byFeature.set(row.feature, profile);
    }
    if (profile.kind === 'numeric') {
      if (row.bucket > 0) profile.edges.push(row.lower as number);
      profile.counts.push(row.count);
    } else if (row.category !== null) {
      profile.categories.push(row.category);
      profile.counts.push(row.count);
    }
  }
  return [...byFeature.values()];
}
