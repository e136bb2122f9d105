import { DataError } from '../errors';
import { locatorFrom, type RowLineRecorder } from './row-lines';

/** Prefix of the placeholder names of unnamed trailing columns while they are read (not a header text). */
const UNNAMED = '\u0000unnamed ';

/**
 * How many header names at the end are empty: a trailing delimiter on every line (`…,species,`,
 * Excel's `,,,` padding) writes them. Empty names elsewhere stay an error of the header.
 */
export function trailingUnnamed(names: readonly string[]): number {
  let k = 0;
  while (k < names.length - 1 && names[names.length - 1 - k].trim() === '') k++;
  return k;
}

/** The placeholder name of the unnamed trailing column at 0-based position `i`. */
export function unnamedColumn(i: number): string {
  return `${UNNAMED}${i + 1}`;
}

/** Whether a header name is the placeholder of an unnamed trailing column. */
export function isUnnamed(name: string): boolean {
  return name.startsWith(UNNAMED);
}

/**
 * How many leading columns the table keeps: unnamed trailing columns are dropped when every field
 * is empty (as pandas' `index_col=False` reads a trailing delimiter); one holding a value is an
 * error naming the column and the first line holding it.
 */
export function namedWidth(
  names: readonly string[],
  columns: readonly { nulls: number; validity: Uint8Array }[],
  rows: number,
  lines: RowLineRecorder,
  source: string | undefined,
): number {
  const first = names.findIndex(isUnnamed);
  if (first < 0) return names.length;
  for (let i = first; i < names.length; i++) {
    if (columns[i].nulls === rows) continue;
    let row = 0;
    while (row < rows && (columns[i].validity[row >> 3] & (1 << (row & 7))) === 0) row++;
    const at = locatorFrom(lines.toMetadata()).at(row);
    throw new DataError(
      `${source ? `${source}: ` : ''}column ${i + 1} has an empty header name, yet holds values (${at})`,
    );
  }
  return first;
}
