import { quote } from '../quote';
import { locatorFrom, type RowLocator } from '../sources/row-lines';
import { ISO_8601 } from '../sources/text-types';
import { asciiDigits } from '../sources/unicode-digits';
import {
  BAND_SHARE,
  firstExamples,
  mostlyOneKind,
  NUMERIC_SHARE,
  rowsWhere,
  tallyCodes,
  type CodeTally, textColumnsToCheck } from './code-tally';
import type { ColumnView } from './column-views';
import { dateLayoutOf } from './date-text';
import { openBoundsHint } from './ordinal-scale';
import { findSerialDates, serialDatesHint } from './serial-dates';
import { exponentCodeHint, strayLineHint, TRAILING_MINUS, TRAILING_MINUS_HINT } from './stray-lines';
import { declareText, signedAmountsHint, signSuffixOf, targetNumbersHint, unitHint, unitOf } from './unit-numbers';
import { tokensForm, writtenFormHint } from './written-numbers';

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

const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const GROUPED = /^[+-]?\d{1,3}([,.' ]\d{3})+([.,]\d+)?$/;
const DECIMAL_COMMA = /^[+-]?\d*,\d+$/;
/** `9.814`, `1.234.567`: dot digit groups with no decimals. */
const DOT_GROUPS = /^[+-]?\d{1,3}(\.\d{3})+$/;
const ROWS_SHOWN = 3;
/** Codes a reader keeps as text on purpose: integers with leading zeros (`007`, not `05.1`), integers beyond 2^53. */
const CODE_LIKE = /^[+-]?(0\d+|\d{16,})$/;

/** How the source spells numbers (`source.decimal`, `source.thousands`); `.` and none by default. */
export interface NumberFormat {
  decimal?: '.' | ',';
  thousands?: string;
}

/**
 * Whether `word` reads as a finite number the way the CSV reader reads one with `format`: a plain
 * decimal with spaces or tabs around it, digit groups and decimal mark as configured. `'1e400'`
 * (overflows), `'4.6\u00a0'` and a quoted `'5.1\n'` do not.
 */
export function readsAsNumber(word: string, format: NumberFormat = {}): boolean {
  // U+2212 MINUS SIGN reads as '-', as the CSV reader reads it.
  let w = word.replace(/^[ \t]+|[ \t]+$/g, '').replace(/^\u2212/, '-');
  // Arabic-Indic, Persian, full-width digits read as the CSV reader reads them ('٥٫١' is 5.1).
  w = asciiDigits(w, format.decimal ?? '.') ?? w;
  if (format.thousands && w.includes(format.thousands)) {
    const sep = format.thousands.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // Groups as the reader takes them: 1–3 digits, then exactly 3 per group (`1.5` under '.' is no number).
    // Under ',' Indian lakh groups as well (`1,70,00,000`): 1–2 digits, pairs, then 3, as the reader takes them.
    const lakh = format.thousands === ',' ? '|\\d{1,2}(,\\d{2})+,\\d{3}' : '';
    if (!new RegExp(`^[+-]?(\\d{1,3}(${sep}\\d{3})+${lakh})(?!\\d|${sep}\\d)`).test(w)) return false;
    w = w.replace(new RegExp(`(?<=\\d)${sep}(?=\\d)`, 'g'), '');
  }
  if (format.decimal === ',') {
    if (w.includes('.')) return false;
    w = w.replace(',', '.');
  }
  return PLAIN_NUMBER.test(w) && Number.isFinite(Number(w));
}

/**
 * Text columns whose values are numbers except for a few tokens (`NA`, `Infinity`, `"7,900"`,
 * `3,14`, `1e400`, `'4.6\u00a0'`): ingest read them as text, which would one-hot a number per
 * category. Columns kept as text on purpose (leading-zero codes, big integers: `textReason`) are
 * not reported. `format` is the source's number format, so a hint never asks for a setting already set;
 * `target` (the target column) gets hints without the text exit (a text target trains one class per number).
 */
export function findNumericTokens(
  views: ColumnView[],
  textReasons: Map<string, string>,
  format: NumberFormat = {},
  target?: string,
): NumericTokens[] {
  const found: NumericTokens[] = [];
  for (const view of textColumnsToCheck(views, textReasons)) {
    const numeric = view.dictionary.map((word) => readsAsNumber(word, format));
    if (!numeric.includes(true) || !numeric.includes(false)) continue;
    const tally = tallyCodes(view);
    const { counts, present } = tally;
    const numbers = rowsWhere(tally, numeric);
    const tokenCodes = view.dictionary
      .map((_, code) => code)
      .filter((code) => !numeric[code] && counts[code] > 0)
      .sort((a, b) => counts[b] - counts[a]);
    const numberWords = numeric.filter((n, code) => n && counts[code] > 0).length;
    if (tokenCodes.length === 0) continue;
    if (!mostlyOneKind(numbers, present, tokenCodes.length, numberWords) && !looseJunk(view.dictionary, tally, tokenCodes, numbers))
      continue;
    const rows = new Map<string, number[]>(tokenCodes.map((code) => [view.dictionary[code], []]));
    const wanted = new Map(tokenCodes.map((code) => [code, rows.get(view.dictionary[code])!]));
    for (let i = 0; i < view.codes.length; i++) {
      const list = wanted.get(view.codes[i]);
      if (list && list.length < ROWS_SHOWN) list.push(i);
    }
    const tokens = tokenCodes.map((code) => view.dictionary[code]);
    found.push({
      column: view.name,
      tokens,
      rows,
      numericShare: numbers / present,
      hint: hintFor(tokens, format, view.name, {
        rows,
        total: view.codes.length,
        numberWords: view.dictionary.filter((_, code) => numeric[code] && counts[code] > 0),
        isTarget: view.name === target,
      }),
    });
  }
  return found;
}

/**
 * A number as people type one into a free-text box: approximate (`about 20`, `~15`, `20ish`,
 * `20 or so`), open-ended (`40+`, `over 10`), a range (`5-10`, `5 to 10`).
 */
const LOOSE_NUMBER =
  /^(?:(?:about|approx\.?|approximately|around|roughly|circa|ca\.|~|\u2248|<=?|>=?|at least|at most|over|under|less than|more than|up to)\s*)?[+-]?\d+(?:[.,]\d+)?\s*(?:ish|\+|plus|or so|or more|or less|(?:-|\u2013|to)\s*\d+(?:[.,]\d+)?)?$/i;

/** Whether `word` is a loosely typed number (LOOSE_NUMBER) carrying at least one such marker. */
export function looselyNumber(word: string): boolean {
  const w = word.trim();
  return LOOSE_NUMBER.test(w) && !/^[+-]?\d+(?:[.,]\d+)?$/.test(w);
}

/**
 * Half or more of the rows are numbers and half or more of the rest are loosely typed numbers
 * (`about 20`, `5-10`) or digit-grouped ones: numbers, however varied, not a code column (`A1, B12, 300`).
 */
function looseJunk(dictionary: readonly string[], tally: CodeTally, tokenCodes: number[], numbers: number): boolean {
  if (numbers / tally.present < BAND_SHARE) return false;
  // Digit-grouped numbers (`9.814` under decimal ',') are numbers the format misread, never codes.
  const written = (word: string) => looselyNumber(word) || GROUPED.test(word.trim());
  const loose = tokenCodes.reduce((rows, code) => rows + (written(dictionary[code]) ? tally.counts[code] : 0), 0);
  return loose * 2 >= tally.present - numbers;
}

function hintFor(
  tokens: string[],
  format: NumberFormat,
  column: string,
  found?: { rows: Map<string, number[]>; total: number; numberWords: string[]; isTarget?: boolean },
): string {
  const isTarget = found?.isTarget === true;
  // Whole lines that are not data (a repeated header, units row, footer), or codes read as numbers.
  const lineHint =
    found &&
    (strayLineHint(tokens, found.rows, column, found.total) ??
      exponentCodeHint(tokens, found.numberWords, column));
  if (lineHint) return lineHint;
  const hints: string[] = [];
  const rest = tokens.filter((t) => {
    const trimmed = t.trim();
    if (trimmed !== t && readsAsNumber(trimmed, format)) {
      hints.push(
        'whitespace around a number (line break, NBSP): source.trim (on by default) strips Unicode whitespace ' +
          'around unquoted fields only, so fix the rows holding quoted ones',
      );
      return false;
    }
    if (PLAIN_NUMBER.test(trimmed) && !Number.isFinite(Number(trimmed))) {
      hints.push('beyond the float64 range (±1.8e308): add it to source.nullValues if it is a sentinel, or fix the rows');
      return false;
    }
    return true;
  });
  // `2'800`, `1,70,00,000`, `'-2.8`, `0:12:30`, broken groups: the form named, with its setting or fix.
  const form = rest.length > 0 ? tokensForm(rest, format) : null;
  if (form) hints.push(writtenFormHint(form, column, isTarget, format, rest.some((t) => t.includes('\u2019'))));
  else if (rest.length > 0) {
    // `Less than 1 year` / `More than 50 years` beside 1 … 50: a scale's open ends (BREAKER10 #11).
    const bounds = openBoundsHint(rest, declareText(column), isTarget ? targetNumbersHint(column) : null);
    const dotDecimals = format.decimal === ',' && rest.every((t) => PLAIN_NUMBER.test(t.trim()));
    if (bounds) hints.push(bounds);
    else if (dotDecimals && format.thousands === undefined && rest.every((t) => DOT_GROUPS.test(t.trim())))
      hints.push("set source.thousands: '.' so German digit groups (9.814 = 9814) read as numbers");
    else if (dotDecimals)
      hints.push("'.' decimal marks while source.decimal is ',': fix the rows (one decimal mark per file)");
    else if (format.thousands === undefined && rest.every((t) => GROUPED.test(t.trim()))) {
      const sep = /\d([,.' ])\d{3}/.exec(rest[0].trim())?.[1] ?? ',';
      hints.push(`set source.thousands: '${sep}' so digit groups read as numbers`);
    } else if (format.decimal !== ',' && rest.every((t) => DECIMAL_COMMA.test(t.trim())))
      hints.push("set source.decimal: ',' (decimal commas)");
    else if (rest.every((t) => TRAILING_MINUS.test(t.trim()))) hints.push(TRAILING_MINUS_HINT);
    else if (rest.every((t) => signSuffixOf(t.trim()) !== null) && rest.some((t) => signSuffixOf(t.trim()) !== '+'))
      hints.push(signedAmountsHint(column, rest.map((t) => signSuffixOf(t.trim())!), isTarget));
    else if (rest.every((t) => unitOf(t.trim()) !== null)) hints.push(unitHint(column, false, isTarget));
    else if (rest.filter(looselyNumber).length * 2 >= rest.length)
      hints.push(
        `numbers typed loosely ('about 20', '5-10', '40+'): write them as plain numbers upstream (a range as its ` +
          `midpoint), or add the rest to source.nullValues if they mean "missing"; ` +
          (isTarget ? targetNumbersHint(column) : `or, if the column is text on purpose, declare it: ${declareText(column)}`),
      );
    else if (isTarget)
      // A target's null is a row without a label: say how those rows leave, and how it then trains.
      hints.push(
        `add ${rest.length === 1 ? 'it' : 'them'} to source.nullValues if ${rest.length === 1 ? 'it means' : 'they mean'} "missing" ` +
          `(rows without a label are then dropped by sanity.flags.missingLabel: { policy: drop, maxFraction: 0.05 }), ` +
          `or fix the rows; ${targetNumbersHint(column)}`,
      );
    else
      hints.push(
        `add ${rest.length === 1 ? 'it' : 'them'} to source.nullValues if ${rest.length === 1 ? 'it means' : 'they mean'} "missing", ` +
          `or fix the rows; or, if the column is text on purpose (codes), declare it: ${declareText(column)}`,
      );
  }
  return [...new Set(hints)].join('; ');
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
  /** `source.decimal` is already `,`, and `examples` are the values written with `.` instead. */
  mixed?: boolean;
  /** `source.decimal` is `,` with no `source.thousands`, and `examples` are dot digit groups (`10.000`). */
  dotGroups?: boolean;
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
/**
 * Text columns whose values (nearly all of them) are numbers once `,` is the decimal mark (`5,1` in
 * a `;`-separated export) or the digit-group separator (`"7,900"`): with no plain numbers among
 * them, findNumericTokens sees no numeric column, and ingest would one-hot each number as a
 * category. Columns kept as text on purpose (`textReasons`) are not reported.
 */
export function findCommaNumbers(
  views: ColumnView[],
  textReasons: Map<string, string>,
  format: NumberFormat = {},
): CommaNumbers[] {
  const found: CommaNumbers[] = [];
  for (const view of textColumnsToCheck(views, textReasons)) {
    const words = view.dictionary.map((word) => word.trim());
    if (format.decimal === ',') {
      // No thousands set and every `.` value in 3-digit groups (`10.000`, `7.903,5`): German digit
      // groups, not decimal points beside decimal commas.
      const groups = format.thousands === undefined ? dotGroupIntegers(view, words) : null;
      const mixed = groups ?? mixedDecimalMarks(view, words);
      if (mixed) found.push(mixed);
      continue;
    }
    const comma = words.map((w) => DECIMAL_COMMA.test(w) || COMMA_GROUPED.test(w) || DOT_GROUPED_DECIMAL.test(w));
    if (!comma.includes(true)) continue;
    const plain = words.map((w) => PLAIN_NUMBER.test(w));
    const tally = tallyCodes(view);
    const { present } = tally;
    const plainRows = rowsWhere(tally, plain);
    const numberRows = rowsWhere(
      tally,
      plain.map((p, code) => p || comma[code]),
    );
    const examples = firstExamples(view, tally, comma);
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

/**
 * With `source.decimal: ','` set, a column of decimal commas and decimal points alike (`5,1` beside
 * `4.9`): the examples are the `.` values, which the setting cannot read; null for any other column.
 */
function mixedDecimalMarks(
  view: { name: string; codes: Int32Array; dictionary: string[] },
  words: string[],
): CommaNumbers | null {
  const comma = words.map((w) => DECIMAL_COMMA.test(w) || DOT_GROUPED_DECIMAL.test(w));
  const dot = words.map((w) => PLAIN_NUMBER.test(w) && w.includes('.'));
  if (!comma.includes(true) || !dot.includes(true)) return null;
  const tally = tallyCodes(view);
  const { present } = tally;
  const numberRows = rowsWhere(
    tally,
    words.map((w, code) => comma[code] || dot[code] || /^[+-]?\d+$/.test(w)),
  );
  const examples = firstExamples(view, tally, dot);
  if (numberRows / present < COMMA_SHARE) return null;
  return {
    column: view.name,
    mark: 'decimal',
    mixed: true,
    examples,
    numericShare: numberRows / present,
    hint: "'.' decimal marks beside ',' ones while source.decimal is ',': fix those rows (one decimal mark per column)",
  };
}

/**
 * With `source.decimal: ','` and no `source.thousands`, a column of integers and dot digit groups
 * (`10.000` beside `600`: German store areas; also beside decimal commas, `7.903,5`): every dot is in
 * a 3-digit group, so it can only be a digit-group separator, yet unread it leaves the column text;
 * null for any other column (a `4.9` among them is a decimal point).
 */
function dotGroupIntegers(
  view: { name: string; codes: Int32Array; dictionary: string[] },
  words: string[],
): CommaNumbers | null {
  const dots = words.map((w) => DOT_GROUPS.test(w));
  if (!dots.includes(true)) return null;
  // A `.` in any other shape (`4.9`) is a decimal point: mixedDecimalMarks' finding, not groups.
  if (words.some((w, code) => !dots[code] && w.includes('.') && !DOT_GROUPED_DECIMAL.test(w))) return null;
  const tally = tallyCodes(view);
  const { present } = tally;
  const numberRows = rowsWhere(
    tally,
    words.map(
      (w, code) => dots[code] || /^[+-]?\d+$/.test(w) || DECIMAL_COMMA.test(w) || DOT_GROUPED_DECIMAL.test(w),
    ),
  );
  if (present === 0 || numberRows / present < COMMA_SHARE) return null;
  return {
    column: view.name,
    mark: 'thousands',
    dotGroups: true,
    examples: firstExamples(view, tally, dots),
    numericShare: numberRows / present,
    hint: "set source.thousands: '.' (with source.decimal: ',', a dot between digits is a digit-group separator: 10.000 = 10000)",
  };
}

/** `'5,1' (line 2), '4,9' (line 3), '4,7' (line 4)`: the examples, quoted, with their file lines. */
export function describeCommaNumbers(c: CommaNumbers, locator: RowLocator = locatorFrom(undefined)): string {
  return c.examples.map((e) => `${quote(e.value)} (${locator.at(e.row)})`).join(', ');
}

/** A text column of numbers in a form no reader setting covers, or numbers a typed source stores as text. */
export interface FormattedNumbers {
  column: string;
  /** `percent`: `43%`; `space`: `'1 430'` digit groups; `text`: plain numbers in a string column. */
  form: 'percent' | 'space' | 'text';
  /** The first rows (0-based) holding distinct such values, with the value, in file order. */
  examples: { row: number; value: string }[];
  /** Share of the non-null rows in that form (or plain numbers). */
  numericShare: number;
  hint: string;
}

const PERCENT = /^[+-]?(\d+\.?\d*|\.\d+)\s*%$/;
const SPACE_GROUPED = /^[+-]?\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d+)?$/;

/**
 * Text columns whose values (nearly all) are numbers written as `43%` or with space digit groups
 * (`'1 430'`), and string columns of a typed source (Parquet, Arrow, JSONL) holding only numbers:
 * each would be one-hot encoded, one category per value. Codes with leading zeros and columns kept
 * as text on purpose (`textReasons`) are not reported; `target` (the target column) gets hints
 * without the text or drop exits.
 */
export function findFormattedNumbers(
  views: ColumnView[],
  textReasons: Map<string, string>,
  format: NumberFormat = {},
  target?: string,
): FormattedNumbers[] {
  const found: FormattedNumbers[] = [];
  for (const view of textColumnsToCheck(views, textReasons)) {
    const isTarget = view.name === target;
    const words = view.dictionary.map((w) => w.trim());
    const plain = view.dictionary.map((w) => readsAsNumber(w, format));
    const forms: [FormattedNumbers['form'], (w: string) => boolean, string][] = [
      [
        'percent',
        (w) => PERCENT.test(w),
        "percentages: Quiver reads no '%': write the column without it (a number 0–100)" +
          (isTarget ? '' : ', or drop the column'),
      ],
      [
        'space',
        (w) => SPACE_GROUPED.test(w),
        format.thousands === ' '
          ? "digit groups with a non-breaking or thin space: source.thousands: ' ' reads plain spaces only, fix the rows"
          : "set source.thousands: ' ' (digit groups separated by spaces)",
      ],
      [
        'text',
        () => false,
        isTarget
          ? `a string column holding only numbers: store it as a number column in the source; ${targetNumbersHint(view.name)}`
          : 'a string column holding only numbers: store it as a number column in the source, or drop it; ' +
            `or, if it is text on purpose (codes such as zip codes, class labels), declare it: ${declareText(view.name)}`,
      ],
    ];
    let tally: CodeTally | undefined; // counted once per column, when a form first matches
    for (const [form, test, hint] of forms) {
      const match = words.map((w, code) => (form === 'text' ? plain[code] && !CODE_LIKE.test(w) : test(w)));
      if (!match.includes(true)) continue;
      if (form === 'text' && (!plain.every(Boolean) || words.some((w) => CODE_LIKE.test(w)))) continue;
      tally ??= tallyCodes(view);
      const { present } = tally;
      const plainRows = rowsWhere(tally, plain);
      const hits = rowsWhere(
        tally,
        match.map((m, code) => m || plain[code]),
      );
      const examples = firstExamples(view, tally, match);
      // Mostly plain numbers with a few such values: findNumericTokens names them as its tokens.
      if (form !== 'text' && plainRows / present >= NUMERIC_SHARE) continue;
      if (present === 0 || hits / present < COMMA_SHARE) continue;
      found.push({ column: view.name, form, examples, numericShare: hits / present, hint });
      break;
    }
  }
  return found;
}

/** `'43%' (line 2), …`: the examples, quoted, with their file lines (or a typed source's rows). */
export function describeFormattedNumbers(
  f: FormattedNumbers,
  locator: RowLocator = locatorFrom(undefined),
): string {
  return f.examples.map((e) => `${quote(e.value)} (${locator.at(e.row)})`).join(', ');
}

/** A text column of ISO-8601 dates but for a few values that name no real day (`2024-02-30`). */
const ISO_SHAPE = ISO_8601; // ingest's own reader's shape, so the two agree on what looks ISO

/**
 * Text columns whose values are ISO-8601 timestamps except for a few (impossible days such as
 * `2024-02-30`, other text): ingest typed no timestamp, so each date would be a category. Reported
 * like numeric tokens: the odd values and the first rows holding them. `parse` is ingest's reader
 * (null for a value that is no real timestamp).
 */
export function findTimestampTokens(
  views: ColumnView[],
  parse: (text: string) => number | null,
): NumericTokens[] {
  const found: NumericTokens[] = [];
  for (const view of views) {
    if (view.kind !== 'categorical' || view.type !== 'string') continue;
    const words = view.dictionary.map((w) => w.trim());
    if (!words.some((w) => ISO_SHAPE.test(w))) continue;
    const valid = words.map((w) => parse(w) !== null);
    const tally = tallyCodes(view);
    const { counts, present } = tally;
    const good = rowsWhere(tally, valid);
    if (present === 0 || good === present || good / present < NUMERIC_SHARE) continue;
    const tokenCodes = words.map((_, c) => c).filter((c) => !valid[c] && counts[c] > 0);
    const rows = new Map<string, number[]>(tokenCodes.map((c) => [view.dictionary[c], []]));
    for (let i = 0; i < view.codes.length; i++) {
      const code = view.codes[i];
      if (code < 0 || valid[code]) continue;
      const list = rows.get(view.dictionary[code])!;
      if (list.length < ROWS_SHOWN) list.push(i);
    }
    const tokens = tokenCodes.map((c) => view.dictionary[c]);
    const impossible = tokens.every((t) => ISO_SHAPE.test(t.trim()));
    const otherLayouts = tokens.some((t) => dateLayoutOf(t.trim()) !== null);
    const generic = 'add them to source.nullValues if they mean "missing", or fix the rows';
    // `45695` among 2025 dates is Excel's 2025-02-07, not a "missing" token (breaker 9 #18).
    const serial = impossible ? null : findSerialDates(tokens, timeSpan(words, valid, counts, parse));
    found.push({
      column: view.name,
      tokens,
      rows,
      numericShare: good / present,
      hint: impossible
        ? 'dates that name no real day: fix the rows (or add them to source.nullValues if they mean "missing")'
        : serial
          ? serialDatesHint(serial, generic)
          : otherLayouts
            ? 'dates in a non-ISO layout: convert them to ISO-8601 upstream (2024-01-05); Quiver does not guess whether 05/01/2024 is 5 January or May 1'
            : generic,
    });
  }
  return found;
}

/** The earliest and latest time (ms) among the column's valid timestamps present in some row. */
function timeSpan(
  words: readonly string[],
  valid: readonly boolean[],
  counts: ArrayLike<number>,
  parse: (text: string) => number | null,
): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  words.forEach((w, code) => {
    if (!valid[code] || counts[code] === 0) return;
    const ms = parse(w)!;
    if (ms < min) min = ms;
    if (ms > max) max = ms;
  });
  return { min, max };
}
