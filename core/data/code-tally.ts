import type { CategoricalView, ColumnView } from './column-views';

/** A column is "numeric with tokens" when at least this share of its non-null rows are numbers. */
export const NUMERIC_SHARE = 0.8;
/** Below NUMERIC_SHARE, down to this share, a column is numbers with junk when its junk is a few repeated tokens. */
export const BAND_SHARE = 0.5;
const EXAMPLES_SHOWN = 3;

/**
 * Whether a text column is values of one kind (numbers, dates) spoilt by others: 80% of its non-null
 * rows or more are of the kind, or half or more are and its other values are fewer distinct words
 * than its values of the kind. Junk repeats (`n/a-ish`, `--`); a code column (`A1, B12, 300, 410`)
 * has about as many distinct codes as numbers, so it stays text.
 */
export function mostlyOneKind(numberRows: number, present: number, otherWords: number, numberWords: number): boolean {
  if (present === 0) return false;
  const share = numberRows / present;
  return share >= NUMERIC_SHARE || (share >= BAND_SHARE && otherWords < numberWords);
}


/** What the tallies read of a dictionary-encoded column: its codes (-1: null) and their values. */
export type DictionaryColumn = Pick<Extract<ColumnView, { kind: 'categorical' }>, 'codes' | 'dictionary'>;

/** How often each dictionary code of a column occurs, the row it first occurs in, and the non-null rows. */
export interface CodeTally {
  counts: Float64Array;
  firstRow: Int32Array;
  present: number;
}

/** One pass over a dictionary column's codes (nulls skipped): the counts every check below starts from. */
export function tallyCodes(view: DictionaryColumn): CodeTally {
  const counts = new Float64Array(view.dictionary.length);
  const firstRow = new Int32Array(view.dictionary.length).fill(-1);
  let present = 0;
  for (let i = 0; i < view.codes.length; i++) {
    const code = view.codes[i];
    if (code < 0) continue;
    if (counts[code]++ === 0) firstRow[code] = i;
    present++;
  }
  return { counts, firstRow, present };
}

/** Rows whose code is flagged. */
export function rowsWhere(tally: CodeTally, flagged: readonly boolean[]): number {
  let rows = 0;
  flagged.forEach((on, code) => {
    if (on) rows += tally.counts[code];
  });
  return rows;
}

/** The first distinct flagged values in file order (distinct values make better examples than one thrice). */
export function firstExamples(
  view: DictionaryColumn,
  tally: CodeTally,
  flagged: readonly boolean[],
): { row: number; value: string }[] {
  return flagged
    .flatMap((on, code) => (on && tally.firstRow[code] >= 0 ? [code] : []))
    .sort((a, b) => tally.firstRow[a] - tally.firstRow[b])
    .slice(0, EXAMPLES_SHOWN)
    .map((code) => ({ row: tally.firstRow[code], value: view.dictionary[code] }));
}


/**
 * The string columns a text-shape check reads: categorical string views, less those kept as text on
 * purpose (`textReasons`: leading-zero codes, a declared `source.columnTypes` string, …).
 */
export function textColumnsToCheck(views: ColumnView[], textReasons: Map<string, string>): CategoricalView[] {
  return views.filter(
    (view): view is CategoricalView =>
      view.kind === 'categorical' && view.type === 'string' && !textReasons.has(view.name),
  );
}
