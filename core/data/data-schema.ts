import type { SchemaColumnOverride } from '../spec/data-checks-schema';
import { quote, quoteList } from '../quote';
import type { ColumnView } from './column-views';
import { locatorFrom, type RowLocator } from '../sources/row-lines';
import { ownValue, columnRecord } from '../own-keys';
import { yamlName } from '../yaml-name';

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

/** What the schema checks know of the run besides the data, so their messages name a way on. */
export interface ColumnCheckContext {
  /** The target column: a type change there is a change of the labels' spelling. */
  label?: string;
  /** The pipeline, for `quiver schema reset NAME`. */
  pipeline?: string;
  /** Why a column is not a model input (left out of `train.features`, dropped), or null when it is. */
  leftOut?: (column: string) => string | null;
}

/**
 * Every schema column must be present with its type; a column the schema does not know is an anomaly,
 * unless the model never reads it (left out of `train.features` or dropped by the features stage).
 * Failed checks name the lines and values that differ, what was pinned, and the ways on.
 */
export function checkColumns(
  views: ColumnView[],
  columns: Record<string, SchemaColumn>,
  locator: RowLocator = locatorFrom(undefined),
  context: ColumnCheckContext = {},
): SchemaCheck[] {
  const checks: SchemaCheck[] = [];
  const present = new Map(views.map((v) => [v.name, v]));
  const names = views.map((v) => v.name);
  const reset = `quiver schema reset ${context.pipeline ?? '<pipeline>'}`;
  const known = Object.keys(columns);
  const added = names.filter((n) => !(n in columns));
  const missing = known.filter((n) => !columns[n].ignore && !present.has(n));
  // A pinned column gone and a new one of a similar name: most likely one column renamed.
  const renames = pairRenames(missing, added);
  for (const [name, column] of Object.entries(columns)) {
    if (column.ignore) continue;
    const view = present.get(name);
    // A column the model no longer reads (left out of train.features, dropped) may go or change type.
    const leftOut = name === context.label ? null : (context.leftOut?.(name) ?? null);
    if (leftOut !== null && (!view || view.type !== column.type)) {
      checks.push({
        check: view ? 'schema_type' : 'schema_column',
        column: name,
        passed: true,
        observed: `${view ? (view.nulls === rowsOf(view) ? 'all null' : view.type) : 'missing'}, not a model input (${leftOut})`,
        expected: `${view ? column.type : 'present'}, or left out of the model`,
      });
      continue;
    }
    if (!view) {
      const to = renames.get(name);
      checks.push({
        check: 'schema_column',
        column: name,
        passed: false,
        observed: to
          ? `missing (columns: ${quoteList(names, 12)}; nearest ${quote(to)}, a new column: renamed?)`
          : missingColumn(name, names),
        expected: to
          ? `present: rename ${quote(to)} back to ${quote(name)} upstream, or accept the new layout: ${reset} (the next passing run pins the file's columns)`
          : `present: add it back upstream, or accept the new layout: ${reset} (the next passing run pins the file's columns)`,
      });
      continue;
    }
    const rows = rowsOf(view);
    if (rows > 0 && view.nulls === rows && view.type !== column.type) {
      // No value at all: an empty column reads as number, so "observed number" would mislead.
      checks.push({
        check: 'schema_type',
        column: name,
        passed: false,
        observed: `all null (empty on every one of ${rows} rows)`,
        expected: emptyWayOut(view, column, name === context.label),
      });
      continue;
    }
    const passed = view.type === column.type;
    checks.push({
      check: 'schema_type',
      column: name,
      passed,
      observed: passed ? view.type : `${view.type}${misfitValues(view, column, locator)}`,
      expected: passed ? column.type : typeWayOut(view, column, name === context.label, reset),
    });
  }
  const renamedFrom = new Map([...renames].map(([from, to]) => [to, from]));
  const expectedNames = `one of: ${known.map(quote).join(', ')}`;
  for (const view of views) {
    if (view.name in columns) continue;
    const from = renamedFrom.get(view.name);
    const leftOut = from === undefined ? (context.leftOut?.(view.name) ?? null) : null;
    if (leftOut !== null) {
      checks.push({
        check: 'schema_column',
        column: view.name,
        passed: true,
        observed: `unexpected column (${view.type}), not a model input (${leftOut})`,
        expected: `${expectedNames}, or left out of the model`,
      });
      continue;
    }
    const features = known.filter((n) => n !== context.label && !columns[n].ignore);
    checks.push({
      check: 'schema_column',
      column: view.name,
      passed: false,
      observed: from
        ? `unexpected column (${view.type}; ${quote(from)} renamed?)`
        : `unexpected column (${view.type}), added since the schema was pinned`,
      expected: from
        ? `${expectedNames}: rename it back to ${quote(from)} upstream, or accept the new layout: ${reset}`
        : `${expectedNames}: leave it out of the model (train.features: [${features.map(quote).join(', ')}]), remove it upstream, or accept the new layout: ${reset} (the model then reads it)`,
    });
  }
  return checks;
}

/** Rows of a column view (nulls included). */
function rowsOf(view: ColumnView): number {
  return view.kind === 'numeric' ? view.values.length : view.codes.length;
}

/**
 * Missing pinned column → the new column it was most likely renamed to: the nearest name, or one that
 * contains the other (`tenure` → `tenure_months`); each new column is paired at most once.
 */
export function pairRenames(missing: string[], added: string[]): Map<string, string> {
  const pairs = new Map<string, string>();
  const free = new Set(added);
  for (const name of missing) {
    const to = nearestName(name, [...free]);
    if (to !== null) {
      pairs.set(name, to);
      free.delete(to);
    }
  }
  return pairs;
}

/** The way on from a column whose type changed: for the target, its labels changed spelling. */
function typeWayOut(view: ColumnView, column: SchemaColumn, isLabel: boolean, reset: string): string {
  const classes = isLabel && Array.isArray(column.categories) ? column.categories : null;
  const pinned = Array.isArray(column.categories)
    ? ` (pinned ${classes ? 'classes' : 'categories'}: ${quoteList(column.categories, 12)})`
    : column.type === 'number' && column.min !== undefined
      ? ` (pinned range [${column.min}, ${column.max}])`
      : '';
  const accept = `accept the new layout: ${reset} (the next passing run pins it)`;
  if (classes) {
    const now = distinctValues(view, 4);
    const change = now.length ? ` (${classes.slice(0, 4).map(quote).join('/')} → ${now.map(quote).join('/')})` : '';
    return `${column.type}${pinned}: the labels changed spelling${change}: map them back upstream, or accept the new labels: ${reset} and validate.allowClassChange: true (the champion's classes differ); the model then predicts the new labels, so whatever reads its predictions must change too`;
  }
  // A numeric target read as another type would turn regression into classification: no override.
  if (isLabel) return `${column.type}${pinned}: write the target as before upstream, or ${accept}`;
  if (column.type === 'string' && view.type === 'number' && column.note !== undefined) {
    // Pinned as text for a reason (leading-zero codes): a month without a leading zero reads as
    // numbers, yet the codes are still labels, not magnitudes; `type: number` or a reset would
    // make a zip code a quantity and fail again when `02134` is back.
    return (
      `${column.type}${pinned}, text because ${column.note}: this file's values have no leading zero, so they read as numbers; ` +
      `they are still codes: keep the column text with source.columnTypes: { ${yamlName(view.name)}: string } ` +
      '(every file then reads it as written, with or without leading zeros)'
    );
  }
  return `${column.type}${pinned}: write it as before upstream, read it as ${view.type} (sanity.schema.columns.${view.name}.type: ${view.type}), or ${accept}`;
}

/** The way on from a pinned column that is empty on every row of this file (an unfilled export field). */
function emptyWayOut(view: ColumnView, column: SchemaColumn, isLabel: boolean): string {
  const was = Array.isArray(column.categories)
    ? ` (was ${quoteList(column.categories, 6)})`
    : column.min !== undefined
      ? ` (was in [${column.min}, ${column.max}])`
      : '';
  if (isLabel) return `${column.type}${was}: the target is empty on every row: fix the export upstream`;
  return (
    `${column.type}${was}: the column is empty on every row of this file: fill it upstream (a field left out of this export?), ` +
    `or leave it out of the model (train.features: a keep-list without ${yamlName(view.name)})`
  );
}

/** The first `limit` distinct values of a column as text, in row order. */
function distinctValues(view: ColumnView, limit: number): string[] {
  const seen = new Set<string>();
  if (view.kind === 'numeric') {
    for (let i = 0; i < view.values.length && seen.size < limit; i++)
      if (view.valid === null || view.valid[i] === 1) seen.add(String(view.values[i]));
  } else {
    for (let i = 0; i < view.codes.length && seen.size < limit; i++)
      if (view.codes[i] >= 0) seen.add(view.dictionary[view.codes[i]]);
  }
  return [...seen];
}

/** `missing (columns: 'a', 'b', 'c'; nearest 'label')`: what there is instead of a missing column. */
export function missingColumn(name: string, names: string[]): string {
  const nearest = nearestName(name, names);
  // Quoted, so a name with a stray blank (' label') shows it.
  return `missing (columns: ${quoteList(names, 12)}${nearest === null ? '' : `; nearest ${quote(nearest)}`})`;
}

/**
 * The name closest to `name` by edit distance (case and blanks ignored), if any is reasonably close;
 * else one that contains it or that it contains (a renamed column: `tenure` → `tenure_months`).
 */
export function nearestName(name: string, names: string[]): string | null {
  const norm = (s: string) => s.trim().toLowerCase();
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of names) {
    const d = editDistance(norm(name), norm(candidate));
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  const length = name.trim().length;
  if (best !== null && bestDistance < length && bestDistance <= Math.max(1, Math.ceil(length / 3))) return best;
  return containingName(name.trim(), names, norm);
}

/**
 * A name that contains `name` as a word or is contained in it so (`tenure` / `tenure_months`,
 * `tenureMonths`), 3 characters at least; `age` is not found in `page_views`.
 */
function containingName(name: string, names: string[], norm: (s: string) => string): string | null {
  let best: string | null = null;
  let bestGap = Infinity;
  for (const candidate of names) {
    const other = candidate.trim();
    const [short, long] = other.length < name.length ? [other, name] : [name, other];
    if (short.length < 3 || !containsWord(long, norm(short), norm)) continue;
    const gap = long.length - short.length;
    if (gap < bestGap) [best, bestGap] = [candidate, gap];
  }
  return best;
}

/** Whether `word` occurs in `text` (case ignored) between word boundaries: ends, `_ -.`, or a capital. */
function containsWord(text: string, word: string, norm: (s: string) => string): boolean {
  const lower = norm(text);
  for (let at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + 1)) {
    const before = at === 0 || !/[a-z0-9]/i.test(text[at - 1]) || /[A-Z]/.test(text[at]);
    const end = at + word.length;
    const after = end === text.length || !/[a-z0-9]/i.test(text[end]) || /[A-Z]/.test(text[end]);
    if (before && after) return true;
  }
  return false;
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

/**
 * The first values whose type differs from the pinned one, with their lines (one per distinct value):
 * text where a number was pinned (`not a number: line 2, column 'senior': 'No'`), or numbers / text
 * where text / a boolean was pinned (`line 2, column 'churn': '1'`).
 */
function misfitValues(view: ColumnView, column: SchemaColumn, locator: RowLocator): string {
  const misfits: string[] = [];
  if (column.type === 'number' && view.kind === 'categorical') {
    const bad = view.dictionary.map((word) => !Number.isFinite(Number(word)) || word.trim() === '');
    for (let i = 0; i < view.codes.length && misfits.length < 3; i++) {
      const code = view.codes[i];
      if (code >= 0 && bad[code]) {
        misfits.push(locator.cell(i, view.name, view.dictionary[code]));
        bad[code] = false;
      }
    }
    return misfits.length ? ` (not a number: ${misfits.join('; ')})` : '';
  }
  const seen = new Set<string>();
  const rows = view.kind === 'numeric' ? view.values.length : view.codes.length;
  for (let i = 0; i < rows && misfits.length < 3; i++) {
    const text =
      view.kind === 'numeric'
        ? view.valid === null || view.valid[i] === 1
          ? String(view.values[i])
          : null
        : view.codes[i] >= 0
          ? view.dictionary[view.codes[i]]
          : null;
    if (text === null || seen.has(text)) continue;
    seen.add(text);
    // Quoted as text: '1' is what the file holds where the schema pinned 'Yes'.
    misfits.push(locator.cell(i, view.name, text));
  }
  return misfits.length ? ` (${misfits.join('; ')})` : '';
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
