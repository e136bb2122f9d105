import type { TransformSpec } from '../features/types';
import type { CardinalitySpec } from '../spec/data-checks-schema';
import type { ColumnView } from './column-views';

/** Distinct values of one string column, and whether that makes it id-like. */
export interface Cardinality {
  column: string;
  distinct: number;
  /** Non-null rows. */
  rows: number;
  /** distinct / rows (0 for an all-null column). */
  share: number;
  idLike: boolean;
}

/**
 * Each string column's distinct count. Id-like: more than `maxCategories` distinct values, or a
 * distinct share above `maxShare` once it has `minDistinct` values (a 6-row file with 4 colours is
 * not id-like; 20k customer ids in 200k rows is).
 */
export function stringCardinality(views: ColumnView[], spec: CardinalitySpec): Cardinality[] {
  const result: Cardinality[] = [];
  for (const view of views) {
    if (view.kind !== 'categorical' || view.type !== 'string') continue;
    const seen = new Uint8Array(view.dictionary.length);
    let distinct = 0;
    let rows = 0;
    for (let i = 0; i < view.codes.length; i++) {
      const code = view.codes[i];
      if (code < 0) continue;
      rows++;
      if (seen[code] === 0) {
        seen[code] = 1;
        distinct++;
      }
    }
    const share = rows === 0 ? 0 : distinct / rows;
    const idLike = distinct > spec.maxCategories || (distinct >= spec.minDistinct && share > spec.maxShare);
    result.push({ column: view.name, distinct, rows, share, idLike });
  }
  return result;
}

/** What to do about an id-like column, in the features stage's terms. */
export function idLikeHint(c: Cardinality): string {
  return (
    `drop it (features: [{ drop: [${c.column}] }]) or encode it with a bounded width ` +
    `(features: [{ encode: { columns: [${c.column}], method: hashing, buckets: N } }], or method: onehot ` +
    `with maxCategories: K, rarer values going to an 'other' column), ` +
    `or mark it sanity.schema.columns.${c.column}.categories: any`
  );
}

/**
 * Why the spec's features stage makes an id-like column harmless, or null when it does not: the
 * stage drops it (`drop`, or a `select` without it), or encodes it with a bounded width (`encode`
 * by hashing, or one-hot with `maxCategories` and its `other` column). Follows `rename`s; a
 * `train.features` keep-list without the column leaves it out of training too.
 */
export function boundedByFeatures(
  column: string,
  features: readonly TransformSpec[] | undefined,
  trainFeatures?: readonly string[],
): string | null {
  let name = column;
  for (const [i, t] of (features ?? []).entries()) {
    const at = `features[${i}]`;
    const listed = Array.isArray(t.params.columns) ? (t.params.columns as string[]) : undefined;
    if (t.kind === 'drop' && listed?.includes(name)) return `dropped by ${at}`;
    if (t.kind === 'select' && listed && !listed.includes(name)) return `left out by ${at} select`;
    if (t.kind === 'rename' && typeof t.params[name] === 'string') name = t.params[name] as string;
    if (t.kind === 'encode' && (listed === undefined || listed.includes(name))) {
      if (t.params.method === 'hashing') return `hashed into ${String(t.params.buckets)} buckets by ${at}`;
      if (t.params.method === 'onehot' && typeof t.params.maxCategories === 'number')
        return `one-hot encoded by ${at} with at most ${t.params.maxCategories} columns (rarer values: other)`;
    }
  }
  if (trainFeatures && !trainFeatures.includes(name)) return 'not among train.features';
  return null;
}

/** A numeric column that counts rows: integers, all distinct, monotonic in file order. */
export interface NumericIdLike {
  column: string;
  rows: number;
  direction: 'increasing' | 'decreasing';
  first: number;
  last: number;
}

/** Below this many rows a counting column is not called an id (a 12-row `x = 0..11` fixture is data). */
export const NUMERIC_ID_MIN_ROWS = 20;

/**
 * Numeric columns that look like a row number or record id (`1, 2, 3, …`): integer-valued, no nulls,
 * strictly increasing or decreasing in file order (so all distinct; profilers' "unique + monotonic"),
 * in a table of at least `minRows` rows. Trained on, the model learns the file's order. Columns in
 * `skip` (the target, timestamps, columns the schema ignores) are not checked.
 */
export function numericIdLike(
  views: ColumnView[],
  skip: ReadonlySet<string>,
  minRows = NUMERIC_ID_MIN_ROWS,
): NumericIdLike[] {
  const found: NumericIdLike[] = [];
  for (const view of views) {
    if (view.kind !== 'numeric' || skip.has(view.name) || view.nulls > 0) continue;
    const v = view.values;
    if (v.length < minRows || !Number.isInteger(v[0])) continue;
    const up = v[1] > v[0];
    let monotonic = true;
    for (let i = 1; i < v.length && monotonic; i++)
      monotonic = Number.isInteger(v[i]) && (up ? v[i] > v[i - 1] : v[i] < v[i - 1]);
    if (monotonic)
      found.push({
        column: view.name,
        rows: v.length,
        direction: up ? 'increasing' : 'decreasing',
        first: v[0],
        last: v[v.length - 1],
      });
  }
  return found;
}

/** What to do about a numeric id-like column: drop it, or say it is a real feature. */
export function numericIdHint(column: string): string {
  return (
    `not a row number: drop it (features: [{ drop: [${column}] }], or leave it out of train.features), ` +
    `or, if its order is a real feature, mark it sanity.schema.columns.${column}.ignore: true`
  );
}
