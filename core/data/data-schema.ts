import type { SchemaColumnOverride } from '../spec/data-checks-schema';
import type { ColumnView } from './column-views';

/** What a data schema knows about one column. */
export interface SchemaColumn {
  type: 'number' | 'string' | 'boolean';
  nullable: boolean;
  /** Allowed values of a string or boolean column. */
  categories?: string[];
  /** Allowed range of a numeric column (the observed range widened by the tolerance). */
  min?: number;
  max?: number;
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
): DataSchema {
  const columns: Record<string, SchemaColumn> = {};
  for (const view of views) {
    const nullable = view.nulls > 0;
    if (view.kind === 'numeric') {
      const { min, max } = numericRange(view.values, view.valid);
      const column: SchemaColumn = { type: 'number', nullable };
      if (min <= max) {
        // A constant column still gets some room: a tenth of its magnitude (or 1 around zero).
        const pad = tolerance * (max - min || Math.abs(max) || 1);
        column.min = roundOut(min - pad, -1);
        column.max = roundOut(max + pad, 1);
      }
      columns[view.name] = column;
    } else {
      const seen = new Uint8Array(view.dictionary.length);
      for (let i = 0; i < view.codes.length; i++) if (view.codes[i] >= 0) seen[view.codes[i]] = 1;
      const categories = view.dictionary.filter((_, id) => seen[id] === 1).sort(byCodeUnit);
      columns[view.name] = { type: view.type, nullable, categories };
    }
  }
  return { version: 1, ...origin, inferredAt: new Date().toISOString(), tolerance, columns };
}

/** The schema a run checks against: the pinned (or inferred) one with the spec's overrides on top. */
export function applyOverrides(
  schema: DataSchema,
  overrides: Record<string, SchemaColumnOverride>,
): Record<string, SchemaColumn> {
  const columns: Record<string, SchemaColumn> = { ...schema.columns };
  for (const [name, override] of Object.entries(overrides)) {
    const base = columns[name] ?? { type: override.type ?? 'number', nullable: true };
    const merged: SchemaColumn = { ...base };
    for (const [key, value] of Object.entries(override)) {
      if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
    }
    if (merged.type !== 'number') {
      delete merged.min;
      delete merged.max;
    } else delete merged.categories;
    columns[name] = merged;
  }
  return columns;
}

/** Every schema column must be present with its type; a column the schema does not know is an anomaly. */
export function checkColumns(views: ColumnView[], columns: Record<string, SchemaColumn>): SchemaCheck[] {
  const checks: SchemaCheck[] = [];
  const present = new Map(views.map((v) => [v.name, v]));
  for (const [name, column] of Object.entries(columns)) {
    const view = present.get(name);
    if (!view) {
      checks.push({ check: 'schema_column', column: name, passed: false, observed: 'missing', expected: 'present' });
      continue;
    }
    checks.push({
      check: 'schema_type',
      column: name,
      passed: view.type === column.type,
      observed: view.type,
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

function numericRange(values: Float64Array, valid: Uint8Array | null): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (valid !== null && valid[i] === 0) continue;
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
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
