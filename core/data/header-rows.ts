import { quote } from '../quote';
import type { RowLocator } from '../sources/row-lines';
import type { NumericTokens } from './numeric-tokens';

/** More header lines than this under the header are no export's header block. */
const MAX_HEADER_ROWS = 5;
/** numeric-tokens keeps this many first rows per token: a token listed this often may have more. */
const ROWS_KEPT = 3;

/** Header lines under the header (question texts, `{"ImportId":…}`): the rows and the columns they broke. */
export interface ExtraHeaderRows {
  /** 0-based rows, 0 … n-1: the first n rows after the header. */
  rows: number[];
  /** Their 1-based file lines, as source.skipRows counts them. */
  lines: number[];
  /** The numeric / timestamp columns whose every non-value sits on those rows, in the order found. */
  columns: string[];
  /** A few of the tokens, for the message. */
  examples: string[];
}

/**
 * A block of 2 to MAX_HEADER_ROWS more header rows under the header (Qualtrics writes the question
 * texts and an `{"ImportId":…}` row; SurveyMonkey a sub-question row): every non-number (or
 * non-timestamp) of every failing column, each seen at most twice, sits on the first rows after the
 * header, and each of those rows holds one. `found` are numeric_tokens' and timestamp_tokens' findings.
 * A single such row stays the per-column "units or second header row?" hint. Null when it does not apply.
 */
export function findExtraHeaderRows(found: readonly NumericTokens[], locator: RowLocator): ExtraHeaderRows | null {
  if (found.length === 0) return null;
  const held = new Set<number>();
  for (const f of found)
    for (const token of f.tokens) {
      const rows = f.rows.get(token) ?? [];
      if (rows.length === 0 || rows.length >= ROWS_KEPT || rows.some((r) => r >= MAX_HEADER_ROWS)) return null;
      for (const r of rows) held.add(r);
    }
  const n = Math.max(...held) + 1;
  if (n < 2 || held.size !== n) return null;
  const rows = Array.from({ length: n }, (_, i) => i);
  return {
    rows,
    lines: rows.map((r) => locator.line(r) ?? r + 2),
    columns: found.map((f) => f.column),
    examples: found.flatMap((f) => f.tokens).slice(0, 3),
  };
}

/** `'Q1', 'Q2', 'Q3' hold non-values on lines 2, 3 only: 'How satisfied …', …`. */
export function describeExtraHeaderRows(h: ExtraHeaderRows): string {
  const names = h.columns.slice(0, 6).map(quote).join(', ') + (h.columns.length > 6 ? `, and ${h.columns.length - 6} more` : '');
  return (
    `${h.columns.length} column(s) (${names}) hold non-values on lines ${h.lines.join(', ')} only, ` +
    `the first ${h.rows.length} lines under the header: ${h.examples.map(quote).join(', ')}`
  );
}

/** The one way out: skip the lines. */
export function extraHeaderRowsHint(h: ExtraHeaderRows): string {
  return (
    `data from the line after them: ${h.rows.length} more header rows under the header (a Qualtrics/SurveyMonkey export?): ` +
    `source.skipRows: [${h.lines.join(', ')}]`
  );
}
