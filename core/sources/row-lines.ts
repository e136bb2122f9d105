import * as arrow from 'apache-arrow';
import { quote } from '../quote';

/**
 * Schema-metadata key: where each row of a text source (CSV, JSON Lines) starts in its file, so a
 * message can name the line a person opens in an editor. Value: space-separated `row:line` pairs,
 * each starting a run in which row `r` starts on line `line + (r - row)` (lines 1-based, the header
 * counted). A run breaks only at a blank line or a quoted field spanning lines, so a plain file
 * stores one pair. Parquet and Arrow sources have none: their rows are named `row N` (0-based).
 */
export const ROW_LINES_KEY = 'quiver.row_lines';

/** Collects each row's first line as the parser reads it; O(1) per row, one pair per run. */
export class RowLineRecorder {
  private readonly pairs: number[] = [];
  private delta = NaN;

  /** Row `row` (0-based) starts on file line `line` (1-based). */
  record(row: number, line: number): void {
    if (line - row === this.delta) return;
    this.delta = line - row;
    this.pairs.push(row, line);
  }

  /** The metadata value (see ROW_LINES_KEY). */
  toMetadata(): string {
    const parts: string[] = [];
    for (let i = 0; i < this.pairs.length; i += 2) parts.push(`${this.pairs[i]}:${this.pairs[i + 1]}`);
    return parts.join(' ');
  }
}

/** Names rows of one table in messages: `line 17` for text sources, `row 16` (0-based) otherwise. */
export interface RowLocator {
  /** True when rows map to file lines. */
  readonly lines: boolean;
  /** The 1-based file line where `row` starts, or null for a typed source. */
  line(row: number): number | null;
  /** `line 17` or `row 16`. */
  at(row: number): string;
  /** `lines 3, 17` / `line 3` (or `rows …`): several rows, in the order given. */
  list(rows: readonly number[]): string;
  /** `line 17, column 'tenure'`, followed by `: ` and `value` when given (a string is quoted). */
  cell(row: number, column: string, value?: string | number | null): string;
}

/** The locator of a table: lines when its schema carries ROW_LINES_KEY, 0-based rows otherwise. */
export function rowLocator(table: arrow.Table | { schema: { metadata: Map<string, string> } }): RowLocator {
  return locatorFrom(table.schema.metadata.get(ROW_LINES_KEY));
}

/** A locator from a ROW_LINES_KEY value (undefined: rows, 0-based). */
export function locatorFrom(metadata: string | undefined): RowLocator {
  const rows: number[] = [];
  const starts: number[] = [];
  for (const pair of (metadata ?? '').split(' ')) {
    const [row, line] = pair.split(':').map(Number);
    if (Number.isInteger(row) && Number.isInteger(line)) {
      rows.push(row);
      starts.push(line);
    }
  }
  const lines = rows.length > 0;
  const line = (row: number): number | null => {
    if (!lines) return null;
    // The last run starting at or before `row`.
    let lo = 0;
    let hi = rows.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (rows[mid] <= row) lo = mid;
      else hi = mid - 1;
    }
    return starts[lo] + (row - rows[lo]);
  };
  const at = (row: number) => (lines ? `line ${line(row)}` : `row ${row}`);
  return {
    lines,
    line,
    at,
    list(list) {
      const word = lines ? 'line' : 'row';
      const numbers = list.map((r) => (lines ? line(r)! : r));
      return `${word}${numbers.length === 1 ? '' : 's'} ${numbers.join(', ')}`;
    },
    cell(row, column, value) {
      const where = `${at(row)}, column ${quote(column)}`;
      if (value === undefined) return where;
      return `${where}: ${value === null ? 'null' : typeof value === 'string' ? quote(value) : String(value)}`;
    },
  };
}

/**
 * `table` carrying the row lines of `from`, whose rows it keeps one for one (a feature transform's
 * output), so later steps still name file lines; `table` itself when `from` has none or differs in rows.
 */
export function withRowLines(table: arrow.Table, from: arrow.Table): arrow.Table {
  const value = from.schema.metadata.get(ROW_LINES_KEY);
  if (
    value === undefined ||
    table.numRows !== from.numRows ||
    table.schema.metadata.get(ROW_LINES_KEY) === value
  )
    return table;
  const metadata = new Map([...table.schema.metadata, [ROW_LINES_KEY, value]]);
  return new arrow.Table(new arrow.Schema(table.schema.fields, metadata), table.batches);
}

/**
 * The ROW_LINES_KEY value of the rows `keep` marks (1: kept), renumbered from 0 as a filtered table
 * numbers them; undefined when `metadata` is (a typed source).
 */
export function keptRowLines(metadata: string | undefined, keep: Uint8Array): string | undefined {
  const locator = locatorFrom(metadata);
  if (!locator.lines) return metadata;
  const recorder = new RowLineRecorder();
  let at = 0;
  for (let row = 0; row < keep.length; row++) if (keep[row]) recorder.record(at++, locator.line(row)!);
  return recorder.toMetadata();
}
