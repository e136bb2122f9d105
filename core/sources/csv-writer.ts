import type * as arrow from 'apache-arrow';
import { stringify } from 'csv-stringify/sync';
import { DEFAULT_NULL_VALUES } from '../csv';

/**
 * An Arrow table as CSV (csv-stringify) that core/csv.ts reads back equal: a null is an empty
 * unquoted field; an empty string, a string equal to a null token, and one with blanks at either end
 * are quoted, so they stay text. Booleans as `true`/`false`; nested values as JSON.
 */
export function tableToCsv(table: arrow.Table, nullValues: readonly string[] = DEFAULT_NULL_VALUES): string {
  const names = table.schema.fields.map((f) => f.name);
  const tokens = new Set(nullValues);
  const records: unknown[][] = [];
  for (const row of table) {
    const record = row as unknown as Record<string, unknown>;
    records.push(names.map((name) => cell(record[name])));
  }
  return stringify([names, ...records], {
    quoted_match: [/^$/, /^\s|\s$/],
    cast: {
      string: (value) => (value === '' || tokens.has(value) ? { value, quoted: true } : value),
      boolean: (value) => (value ? 'true' : 'false'),
    },
  });
}

function cell(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isNaN(value) ? null : value;
  if (typeof value === 'object')
    return JSON.stringify(
      ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<number>) : value,
      (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
    );
  return value;
}
