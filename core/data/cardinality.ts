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
    `drop it (features: drop: [${c.column}]) or encode it with a bounded width ` +
    `(encode: {method: hashing, buckets: N} or {method: onehot, maxCategories: K, other: true}), ` +
    `or mark it sanity.schema.columns.${c.column}.categories: any`
  );
}
