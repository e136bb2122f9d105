import { quote } from '../quote';
import { locatorFrom, type RowLocator } from '../sources/row-lines';
import type { ColumnView } from './column-views';

/** A text column that is numeric except for a few values: what sanity reports about it. */
export interface NumericTokens {
  column: string;
  /** Distinct non-numeric values, most frequent first. */
  tokens: string[];
  /** The first rows (0-based, as the flags checkpoint counts them) holding each token. */
  rows: Map<string, number[]>;
  /** Share of the non-null rows that read as numbers. */
  numericShare: number;
  /** What to set in the spec: `source.nullValues`, `source.thousands` or `source.decimal`. */
  hint: string;
}

/** A column is "numeric with tokens" when at least this share of its non-null rows are numbers. */
const NUMERIC_SHARE = 0.8;
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const GROUPED = /^[+-]?\d{1,3}([,.' ]\d{3})+([.,]\d+)?$/;
const DECIMAL_COMMA = /^[+-]?\d*,\d+$/;
const ROWS_SHOWN = 3;

/**
 * Text columns whose values are numbers except for a few tokens (`NA`, `Infinity`, `"7,900"`,
 * `3,14`): ingest read them as text, which would one-hot a number per category. Columns kept as
 * text on purpose (leading-zero codes, big integers: `textReason`) are not reported.
 */
export function findNumericTokens(views: ColumnView[], textReasons: Map<string, string>): NumericTokens[] {
  const found: NumericTokens[] = [];
  for (const view of views) {
    if (view.kind !== 'categorical' || view.type !== 'string' || textReasons.has(view.name)) continue;
    const numeric = view.dictionary.map((word) => PLAIN_NUMBER.test(word.trim()));
    if (!numeric.includes(true) || !numeric.includes(false)) continue;
    const counts = new Float64Array(view.dictionary.length);
    let present = 0;
    for (let i = 0; i < view.codes.length; i++) {
      const code = view.codes[i];
      if (code < 0) continue;
      counts[code]++;
      present++;
    }
    let numbers = 0;
    numeric.forEach((isNumber, code) => {
      if (isNumber) numbers += counts[code];
    });
    if (present === 0 || numbers / present < NUMERIC_SHARE) continue;
    const tokenCodes = view.dictionary
      .map((_, code) => code)
      .filter((code) => !numeric[code] && counts[code] > 0)
      .sort((a, b) => counts[b] - counts[a]);
    const rows = new Map<string, number[]>(tokenCodes.map((code) => [view.dictionary[code], []]));
    const wanted = new Map(tokenCodes.map((code) => [code, rows.get(view.dictionary[code])!]));
    for (let i = 0; i < view.codes.length; i++) {
      const list = wanted.get(view.codes[i]);
      if (list && list.length < ROWS_SHOWN) list.push(i);
    }
    const tokens = tokenCodes.map((code) => view.dictionary[code]);
    found.push({ column: view.name, tokens, rows, numericShare: numbers / present, hint: hintFor(tokens) });
  }
  return found;
}

function hintFor(tokens: string[]): string {
  if (tokens.every((t) => GROUPED.test(t.trim())))
    return "set source.thousands (e.g. ',') so digit groups read as numbers";
  if (tokens.every((t) => DECIMAL_COMMA.test(t.trim()))) return "set source.decimal: ',' (decimal commas)";
  return `add ${tokens.length === 1 ? 'it' : 'them'} to source.nullValues if ${tokens.length === 1 ? 'it means' : 'they mean'} "missing", or fix the rows`;
}

/**
 * `'NA' (lines 4, 18), 'Infinity' (line 10)`: the tokens, quoted, with the first file lines (or,
 * for a typed source, 0-based rows) holding them.
 */
export function describeTokens(
  t: NumericTokens,
  limit = 5,
  locator: RowLocator = locatorFrom(undefined),
): string {
  const shown = t.tokens.slice(0, limit).map((token) => `${quote(token)} (${locator.list(t.rows.get(token)!)})`);
  const more = t.tokens.length > limit ? ` and ${t.tokens.length - limit} more` : '';
  return shown.join(', ') + more;
}

/** A text column whose values are numbers written with `,` as decimal mark or digit-group separator. */
export interface CommaNumbers {
  column: string;
  /** `decimal`: `5,1`; `thousands`: `"7,900"` (every comma value has 3-digit groups). */
  mark: 'decimal' | 'thousands';
  /** The first rows (0-based) holding distinct comma values, with the value, in file order. */
  examples: { row: number; value: string }[];
  /** Share of the non-null rows that read as numbers once `,` is read as `mark`. */
  numericShare: number;
  /** What to set in the spec: `source.decimal: ','` or `source.thousands: ','`. */
  hint: string;
}

/** A column is "numbers with commas" when nearly all its non-null rows read as numbers that way. */
const COMMA_SHARE = 0.95;
const COMMA_GROUPED = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/;
/** `1.234,5`: dot digit groups before a decimal comma (German, Spanish exports). */
const DOT_GROUPED_DECIMAL = /^[+-]?\d{1,3}(\.\d{3})+,\d+$/;
const EXAMPLES_SHOWN = 3;

/**
 * Text columns whose values (nearly all of them) are numbers once `,` is the decimal mark (`5,1` in
 * a `;`-separated export) or the digit-group separator (`"7,900"`): with no plain numbers among
 * them, findNumericTokens sees no numeric column, and ingest would one-hot each number as a
 * category. Columns kept as text on purpose (`textReasons`) are not reported.
 */
export function findCommaNumbers(views: ColumnView[], textReasons: Map<string, string>): CommaNumbers[] {
  const found: CommaNumbers[] = [];
  for (const view of views) {
    if (view.kind !== 'categorical' || view.type !== 'string' || textReasons.has(view.name)) continue;
    const words = view.dictionary.map((word) => word.trim());
    const comma = words.map((w) => DECIMAL_COMMA.test(w) || COMMA_GROUPED.test(w) || DOT_GROUPED_DECIMAL.test(w));
    if (!comma.includes(true)) continue;
    const plain = words.map((w) => PLAIN_NUMBER.test(w));
    let present = 0;
    let plainRows = 0;
    let numberRows = 0;
    const examples: { row: number; value: string }[] = [];
    const shown = new Set<number>();
    for (let i = 0; i < view.codes.length; i++) {
      const code = view.codes[i];
      if (code < 0) continue;
      present++;
      if (plain[code]) plainRows++;
      if (plain[code] || comma[code]) numberRows++;
      // Distinct values make better examples than one value three times.
      if (comma[code] && examples.length < EXAMPLES_SHOWN && !shown.has(code)) {
        shown.add(code);
        examples.push({ row: i, value: view.dictionary[code] });
      }
    }
    // Mostly plain numbers: findNumericTokens reports the comma values as its tokens.
    if (present === 0 || plainRows / present >= NUMERIC_SHARE || numberRows / present < COMMA_SHARE) continue;
    // Every comma value in 3-digit groups reads as thousands; one `5,1` makes them decimal commas.
    const mark = words.every((w, code) => !comma[code] || COMMA_GROUPED.test(w)) ? 'thousands' : 'decimal';
    const dotGroups = words.some((w, code) => comma[code] && DOT_GROUPED_DECIMAL.test(w));
    found.push({
      column: view.name,
      mark,
      examples,
      numericShare: numberRows / present,
      hint:
        mark === 'thousands'
          ? "set source.thousands: ',' (digit groups)"
          : dotGroups
            ? "set source.decimal: ',' and source.thousands: '.' (decimal commas, dot digit groups)"
            : "set source.decimal: ',' (decimal commas)",
    });
  }
  return found;
}

/** `'5,1' (line 2), '4,9' (line 3), '4,7' (line 4)`: the examples, quoted, with their file lines. */
export function describeCommaNumbers(c: CommaNumbers, locator: RowLocator = locatorFrom(undefined)): string {
  return c.examples.map((e) => `${quote(e.value)} (${locator.at(e.row)})`).join(', ');
}
