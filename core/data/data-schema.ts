import type { SchemaColumnOverride } from '../spec/data-checks-schema';
import { quote, quoteList } from '../quote';
import type { ColumnView } from './column-views';
import { locatorFrom, type RowLocator } from '../sources/row-lines';
import { ownValue, columnRecord } from '../own-keys';

/** What a data schema knows about one column. */
export interface SchemaColumn {
  type: 'number' | 'string' | 'boolean';
  nullable: boolean;
  /** Allowed values of a string or boolean column; `any` for an id-like or free-text one (never pinned). */
  categories?: string[] | 'any';
  /** Allowed range of a numeric column (the observed range widened by the tolerance). */
  min?: number;
  max?: number;
  /** Distinct values of a string column in the data the schema was inferred from. */
  distinct?: number;
  /** How ingest read it, when not plainly: a timestamp, or why number-like values are text. */
  note?: string;
  /** Left out of every schema, row-flag and cardinality check (spec override `ignore: true`). */
  ignore?: boolean;
}

/** How inference treats string columns: their notes, and which are too varied to pin categories of. */
export interface InferenceHints {
  /** Per column: `timestamp (…)` or why number-like values stayed text. */
  notes?: Map<string, string>;
  /** Columns whose categories are not pinned (id-like or free text): pinned as `categories: any`. */
  unpinned?: Set<string>;
}

/** A pipeline's data schema: what later runs are checked against once it is pinned. */
export interface DataSchema {
  version: 1;
  pipeline: string;
  /** The run whose data it was inferred from, and that data's checkpoint. */
  inferredFrom: { runId: string; dataSha256: string; rows: number };
  inferredAt: string;
  tolerance: number;
  columns: Record<string, SchemaColumn>;
}

/** One column-level schema check, in the shape of a sanity report row. */
export interface SchemaCheck {
  check: 'schema_column' | 'schema_type';
  column: string;
  passed: boolean;
  observed: string;
  expected: string;
}

/**
 * Infers a schema from the data: each column's type, whether it had nulls, its categories, and its
 * numeric range widened by `tolerance` × the observed span on each side (so later data may vary a little).
 */
export function inferSchema(
  views: ColumnView[],
  tolerance: number,
  origin: Pick<DataSchema, 'pipeline' | 'inferredFrom'>,
  hints: InferenceHints = {},
): DataSchema {
  const columns = columnRecord<SchemaColumn>();
  for (const view of views) {
    const nullable = view.nulls > 0;
    const note = hints.notes?.get(view.name);
    if (view.kind === 'numeric') {
      const { min, max } = numericRange(view.values, view.valid);
      const column: SchemaColumn = { type: 'number', nullable };
      if (min <= max) {
        // A constant column still gets some room: a tenth of its magnitude (or 1 around zero).
        const pad = tolerance * (max - min || Math.abs(max) || 1);
        // Near ±1.8e308 (sentinels) the padding overflows: pin the finite values' own range instead.
        column.min = finiteOr(roundOut(min - pad, -1), min);
        column.max = finiteOr(roundOut(max + pad, 1), max);
      }
      if (note) column.note = note;
      columns[view.name] = column;
    } else {
      const seen = new Uint8Array(view.dictionary.length);
      for (let i = 0; i < view.codes.length; i++) if (view.codes[i] >= 0) seen[view.codes[i]] = 1;
      const observed = view.dictionary.filter((_, id) => seen[id] === 1);
      const categories = hints.unpinned?.has(view.name) ? 'any' : observed.sort(byCodeUnit);
      const column: SchemaColumn = { type: view.type, nullable, categories };
      if (view.type === 'string') column.distinct = observed.length;
      if (note) column.note = note;
      columns[view.name] = column;
    }
  }
  return { version: 1, ...origin, inferredAt: new Date().toISOString(), tolerance, columns };
}

/** The schema a run checks against: the pinned (or inferred) one with the spec's overrides on top. */
export function applyOverrides(
  schema: DataSchema,
  overrides: Record<string, SchemaColumnOverride>,
): Record<string, SchemaColumn> {
  const columns = Object.assign(columnRecord<SchemaColumn>(), schema.columns);
  for (const [name, override] of Object.entries(overrides)) {
    const base = ownValue(columns, name) ?? { type: override.type ?? 'number', nullable: true };
    const merged: SchemaColumn = { ...base };
    for (const [key, value] of Object.entries(override)) {
      if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
    }
    if (merged.type !== 'number') {
      delete merged.min;
      delete merged.max;
    } else {
      delete merged.categories;
      delete merged.distinct;
    }
    columns[name] = merged;
  }
  return columns;
}

/** Every schema column must be present with its type; a column the schema does not know is an anomaly. */
export function checkColumns(
  views: ColumnView[],
  columns: Record<string, SchemaColumn>,
  locator: RowLocator = locatorFrom(undefined),
): SchemaCheck[] {
  const checks: SchemaCheck[] = [];
  const present = new Map(views.map((v) => [v.name, v]));
  const names = views.map((v) => v.name);
  for (const [name, column] of Object.entries(columns)) {
    if (column.ignore) continue;
    const view = present.get(name);
    if (!view) {
      checks.push({ check: 'schema_column', column: name, passed: false, observed: missingColumn(name, names), expected: 'present' });
      continue;
    }
    const passed = view.type === column.type;
    checks.push({
      check: 'schema_type',
      column: name,
      passed,
      observed: passed ? view.type : `${view.type}${misfitValues(view, column, locator)}`,
      expected: column.type,
    });
  }
  for (const view of views) {
    if (!(view.name in columns))
      checks.push({
        check: 'schema_column',
        column: view.name,
        passed: false,
        observed: `unexpected column (${view.type})`,
        expected: `one of: ${Object.keys(columns).join(', ')}`,
      });
  }
  return checks;
}

/** `missing (columns: 'a', 'b', 'c'; nearest 'label')`: what there is instead of a missing column. */
export function missingColumn(name: string, names: string[]): string {
  const nearest = nearestName(name, names);
  // Quoted, so a name with a stray blank (' label') shows it.
  return `missing (columns: ${quoteList(names, 12)}${nearest === null ? '' : `; nearest ${quote(nearest)}`})`;
}

/** The name closest to `name` by edit distance (case and blanks ignored), if any is reasonably close. */
export function nearestName(name: string, names: string[]): string | null {
  const norm = (s: string) => s.trim().toLowerCase();
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of names) {
    const d = editDistance(norm(name), norm(candidate));
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  const length = name.trim().length;
  return best !== null && bestDistance < length && bestDistance <= Math.max(1, Math.ceil(length / 3)) ? best : null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

/** For a pinned numeric column read as text: the first values that are not numbers, with their lines. */
function misfitValues(view: ColumnView, column: SchemaColumn, locator: RowLocator): string {
  if (column.type !== 'number' || view.kind !== 'categorical') return '';
  const misfits: string[] = [];
  const bad = view.dictionary.map((word) => !Number.isFinite(Number(word)) || word.trim() === '');
  for (let i = 0; i < view.codes.length && misfits.length < 3; i++) {
    const code = view.codes[i];
    if (code >= 0 && bad[code]) misfits.push(locator.cell(i, view.name, view.dictionary[code]));
  }
  return misfits.length ? ` (not a number: ${misfits.join('; ')})` : '';
}

function numericRange(values: Float64Array, valid: Uint8Array | null): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (valid !== null && valid[i] === 0) continue;
    const v = values[i];
    if (!Number.isFinite(v)) continue; // a typed source's ±Infinity is no bound to pin
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** `value` when finite, else `fallback` (a bound never pins ±Infinity, which JSON writes as null). */
function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}

/** Rounds a bound outwards to 6 significant digits, so the pinned file stays readable. */
function roundOut(value: number, direction: 1 | -1): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  const exact = Number(value.toPrecision(12)); // 3 + 0.2 is 3.2000000000000006: no reason to round up
  const rounded = Number(exact.toPrecision(6));
  if (direction * (rounded - exact) >= 0) return rounded;
  const step = 10 ** (Math.floor(Math.log10(Math.abs(exact))) - 5);
  return Number((rounded + direction * step).toPrecision(6));
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
