import { quote } from '../quote';
import type { RowLocator } from '../sources/row-lines';
import type { ColumnView } from './column-views';

/** One of the two spellings, with the rows where it is filled. */
export interface SpellingRows {
  column: string;
  /** Rows (0-based) where it holds a value. */
  filled: number;
  first: number;
  last: number;
}

/** Two columns that are one column written two ways: names alike, never both filled on a row. */
export interface SplitColumn {
  /** In column order. */
  spellings: [SpellingRows, SpellingRows];
}

/**
 * What two spellings of one column name share: lower case, without spaces, `_` or `-`
 * (`petal_width`, `Petal_Width`, `petal width`, `petal-width`, `PetalWidth`).
 */
export function columnNameKey(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/gu, '');
}

/**
 * Pairs of columns whose names differ only by case, spacing, `_` or `-` and whose filled rows are
 * complementary (no row fills both, each fills some): JSON Lines from two writers that spell one
 * key differently, or files appended by a tool that aligns columns by name (pandas `concat`,
 * `csvstack`, Power Query "Append"). Each half looks like a column with missing values, and
 * imputing them trains on two half-filled copies of one measurement. Columns in `skip` are left out.
 */
export function findSplitColumns(views: ColumnView[], skip: ReadonlySet<string>): SplitColumn[] {
  const byKey = new Map<string, ColumnView[]>();
  for (const view of views) {
    if (skip.has(view.name)) continue;
    const key = columnNameKey(view.name);
    byKey.set(key, [...(byKey.get(key) ?? []), view]);
  }
  const found: SplitColumn[] = [];
  for (const group of byKey.values()) {
    if (group.length < 2) continue;
    const filled = group.map(filledRows);
    for (let a = 0; a < group.length; a++)
      for (let b = a + 1; b < group.length; b++) {
        const pair = complementary(filled[a], filled[b]);
        if (pair)
          found.push({
            spellings: [
              { column: group[a].name, ...pair[0] },
              { column: group[b].name, ...pair[1] },
            ],
          });
      }
  }
  return found;
}

/** Per row, whether the column holds a value there. */
function filledRows(view: ColumnView): Uint8Array {
  if (view.kind === 'numeric') {
    const rows = view.values.length;
    return view.valid ? view.valid.subarray(0, rows) : new Uint8Array(rows).fill(1);
  }
  const filled = new Uint8Array(view.codes.length);
  for (let row = 0; row < filled.length; row++) filled[row] = view.codes[row] < 0 ? 0 : 1;
  return filled;
}

type Span = Omit<SpellingRows, 'column'>;

/** Each side's filled span when no row fills both and each fills one at least, else null. */
function complementary(a: ArrayLike<number>, b: ArrayLike<number>): [Span, Span] | null {
  const spans: [Span, Span] = [
    { filled: 0, first: -1, last: -1 },
    { filled: 0, first: -1, last: -1 },
  ];
  for (let row = 0; row < a.length; row++) {
    if (a[row] && b[row]) return null;
    const side = a[row] ? spans[0] : b[row] ? spans[1] : null;
    if (!side) continue;
    side.filled++;
    if (side.first < 0) side.first = row;
    side.last = row;
  }
  return spans[0].filled > 0 && spans[1].filled > 0 ? spans : null;
}

/** `'petal_width' (lines 2–101, 100 rows) and 'Petal_Width' (lines 102–151, 50 rows)`. */
export function describeSplitColumn(split: SplitColumn, locator: RowLocator): string {
  const span = (s: SpellingRows) => {
    const from = locator.line(s.first) ?? s.first;
    const to = locator.line(s.last) ?? s.last;
    const unit = locator.lines ? 'line' : 'row';
    const where = from === to ? `${unit} ${from}` : `${unit}s ${from}–${to}`;
    return `${quote(s.column)} (${where}, ${s.filled} row${s.filled === 1 ? '' : 's'})`;
  };
  const [a, b] = split.spellings;
  return `${span(a)} and ${span(b)} are never filled on the same row: one column written two ways (two writers' keys, or files appended by column name)`;
}

/** The way out: one spelling upstream. */
export function splitColumnHint(split: SplitColumn): string {
  const [a, b] = split.spellings;
  const main = a.filled >= b.filled ? a : b;
  const other = main === a ? b : a;
  return (
    `one column: rename ${quote(other.column)} to ${quote(main.column)} upstream (in the writer, or before ` +
    `appending the files) so every row uses one spelling; imputing each half would train on two half-filled copies of one measurement`
  );
}
