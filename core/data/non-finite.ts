import type { ColumnView } from './column-views';
import type { RowLocator } from '../sources/row-lines';

/** A numeric column holding NaN or ±Infinity as values (not nulls). */
export interface NonFiniteColumn {
  column: string;
  nan: number;
  infinite: number;
  /** The first rows holding one, with the value (`NaN`, `Infinity`, `-Infinity`). */
  examples: { row: number; value: number }[];
}

/**
 * Numeric columns holding NaN or ±Infinity. Text readers (CSV, JSONL) read such tokens as nulls or
 * text, so these come from typed files: numpy, pandas and Polars store NaN in float columns for
 * "missing". Training cannot use them; sanity names them first. `label`'s NaN is left to the
 * missingLabel row flag (only its ±Infinity is reported here).
 */
export function findNonFinite(views: readonly ColumnView[], label: string, examples = 3): NonFiniteColumn[] {
  const found: NonFiniteColumn[] = [];
  for (const view of views) {
    if (view.kind !== 'numeric') continue;
    const { values, valid } = view;
    let nan = 0;
    let infinite = 0;
    const first: { row: number; value: number }[] = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Number.isFinite(v) || (valid !== null && valid[i] === 0)) continue;
      const isNaN = Number.isNaN(v);
      if (isNaN && view.name === label) continue;
      if (isNaN) nan++;
      else infinite++;
      if (first.length < examples) first.push({ row: i, value: v });
    }
    if (nan + infinite > 0) found.push({ column: view.name, nan, infinite, examples: first });
  }
  return found;
}

/** "14 NaN, 1 Infinity: row 0: NaN, row 7: NaN, row 14: NaN". */
export function describeNonFinite(c: NonFiniteColumn, locator: RowLocator): string {
  const counts = [c.nan > 0 ? `${c.nan} NaN` : '', c.infinite > 0 ? `${c.infinite} ±Infinity` : '']
    .filter(Boolean)
    .join(', ');
  return `${counts} (${c.examples.map((e) => `${locator.at(e.row)}: ${String(e.value)}`).join(', ')})`;
}

/** What to do about them, for any source format. */
export const NON_FINITE_HINT =
  'finite numbers or nulls: NaN and ±Infinity are values in this float column (numpy/pandas/Polars ' +
  'write NaN for "missing"), not null tokens, so source.nullValues cannot change them; write them as ' +
  'nulls (pandas: pa.Table.from_pandas(df) or df.convert_dtypes() before writing; Polars: ' +
  'fill_nan(None)), or drop those rows';
