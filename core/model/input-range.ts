import type * as arrow from 'apache-arrow';

/** The observed range of a numeric input over the training rows (serving warns far outside it). */
export interface InputRange {
  min: number;
  max: number;
}

/**
 * Min and max of a numeric column's finite values over `rows` (all rows when null); null when it
 * has none. Bigints (Int64 columns) are read as numbers.
 */
export function trainingRange(column: arrow.Vector, rows: Int32Array | null): InputRange | null {
  let min = Infinity;
  let max = -Infinity;
  const count = rows ? rows.length : column.length;
  for (let i = 0; i < count; i++) {
    const raw = column.get(rows ? rows[i] : i) as unknown;
    if (raw === null || raw === undefined) continue;
    const v = Number(raw);
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : null;
}

/**
 * Whether `value` lies far outside the training range: beyond it by more than the range's own span
 * (a constant column: by more than its magnitude, or 1 around zero). Within that margin a model's
 * extrapolation is mild; past it (a reading in other units, a sentinel) the answer means little.
 */
export function farOutside(value: number, range: InputRange): boolean {
  const span = range.max - range.min || Math.abs(range.max) || 1;
  return value < range.min - span || value > range.max + span;
}

/**
 * Whether a request's JSON number is one of the model's null tokens (`source.nullValues: ['-200']`):
 * ingest read that text as missing in the file, so the same number from the same producer is too.
 * Compares numerically (`'-200'` matches -200 and -200.0); tokens that are not numbers never match.
 */
export function isNumericNullToken(value: number, nullValues: readonly string[]): boolean {
  for (const token of nullValues) {
    const text = token.trim();
    if (text === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) continue;
    if (Number(text) === value) return true;
  }
  return false;
}
