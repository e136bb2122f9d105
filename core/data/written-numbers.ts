import { quote } from '../quote';
import { locatorFrom, type RowLocator } from '../sources/row-lines';
import { firstExamples, NUMERIC_SHARE, rowsWhere, tallyCodes, textColumnsToCheck } from './code-tally';
import type { ColumnView } from './column-views';
import { declareText, targetNumbersHint } from './unit-numbers';

/** How the source spells numbers (`source.decimal`, `source.thousands`). */
interface NumberFormat {
  decimal?: '.' | ',';
  thousands?: string;
}

/**
 * The ways exports write a number as text that no other check names: Swiss apostrophe digit groups
 * (`2'800`, also U+2019 `2’800`), Indian lakh groups (`1,70,00,000`, Excel en-IN), a spreadsheet's
 * leading-apostrophe text prefix (`'5.1`, `'-2.8`: Excel, and CSV-injection guards on cells starting
 * with `-`, `+`, `=`), and durations (`0:12:30`, `12:30`, `PT12M30S`).
 */
export type WrittenForm = 'apostrophe' | 'lakh' | 'prefixed' | 'duration' | 'badGroups';

const DECIMALS = String.raw`(?:[.,]\d+)?`;
const APOSTROPHE_GROUPS = new RegExp(String.raw`^[+-]?\d{1,3}(?:['\u2019]\d{3})+${DECIMALS}$`);
const LAKH_GROUPS = new RegExp(String.raw`^[+-]?\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d+)?$`);
const COMMA_GROUPS = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
/** A number (plain or digit-grouped) behind Excel's `'` text prefix, possibly after an injection guard's sign. */
const PREFIXED = new RegExp(String.raw`^'[=+-]?(?:\d{1,3}(?:[,.' ]\d{3})+|\d+)${DECIMALS}(?:[eE][+-]?\d+)?$`);
/** `h:mm:ss`, `mm:ss` (fractions of a second allowed), ISO-8601 `PT12M30S` (`12 min` is a unit: unit-numbers). */
const DURATION = [
  /^\d{1,3}:[0-5]\d(?::[0-5]\d)?(?:\.\d+)?$/,
  /^P(?:\d+D)?T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?$/,
];
/** A duration column is a quantity, not a handful of categories (`08:00`, `16:00` shifts): this many distinct. */
const MIN_DURATIONS = 10;
/** Share of the non-null rows (in the form, or plain numbers) that makes a column "numbers written so". */
const FORM_SHARE = 0.95;

/** Whether `word` (trimmed) is a duration written as text; a bare number is none. */
export function isDuration(word: string): boolean {
  return /\d/.test(word) && !/^\d+$/.test(word) && DURATION.some((d) => d.test(word));
}

/** The form `word` (trimmed) is written in under `format`, or null. */
export function writtenForm(word: string, format: NumberFormat = {}): Exclude<WrittenForm, 'badGroups'> | null {
  if (APOSTROPHE_GROUPS.test(word) && !(format.thousands === "'" && !word.includes('\u2019'))) return 'apostrophe';
  if (LAKH_GROUPS.test(word) && format.thousands !== ',' && format.decimal !== ',') return 'lakh';
  if (PREFIXED.test(word)) return 'prefixed';
  if (isDuration(word)) return 'duration';
  return null;
}

const FORM_NAMES: Record<WrittenForm, string> = {
  apostrophe: 'apostrophe digit groups',
  lakh: 'Indian lakh digit groups',
  prefixed: "a leading apostrophe (a spreadsheet text prefix or CSV-injection guard)",
  duration: 'durations or times written as text (h:mm:ss, mm:ss)',
  badGroups: 'digit groups the reader rejects',
};

/**
 * What to do about numbers written in `form`; `typographic` when some use U+2019 for the apostrophe.
 * Leading-apostrophe numbers are not read on purpose: the `'` marks the cell as text, and a reader that
 * strips it would also turn a guarded `'=1+2` back into a formula downstream.
 */
export function writtenFormHint(
  form: WrittenForm,
  column: string,
  isTarget: boolean,
  format: NumberFormat = {},
  typographic = false,
): string {
  const textExit = isTarget ? targetNumbersHint(column) : `or, if it is text on purpose, declare it: ${declareText(column)}`;
  switch (form) {
    case 'apostrophe':
      return typographic
        ? `replace the typographic apostrophe \u2019 (U+2019) by ' upstream, then set source.thousands: "'" (Swiss digit groups: 2'800 = 2800; the reader takes a one-byte separator)`
        : `set source.thousands: "'" (Swiss digit groups: 2'800 = 2800)`;
    case 'lakh':
      return `set source.thousands: ',' (it reads Indian lakh groups too: 1,70,00,000 = 17000000)`;
    case 'prefixed':
      return `strip the leading ' upstream (Excel's text prefix, or an export's CSV-injection guard before '-', '+', '='): Quiver does not read a cell marked as text as a number; ${textExit}`;
    case 'duration':
      return `convert the durations to seconds upstream (0:12:30 = 750; PT12M30S = 750; a time of day as seconds since midnight): Quiver reads no durations, and as text each is a category that cannot be ordered; ${textExit}`;
    case 'badGroups':
      return (
        `fix the rows: with source.thousands: '${format.thousands ?? ','}' a number's groups are 1–3 digits, then exactly 3 per group` +
        (format.thousands === ',' ? ' (or Indian lakh groups: 1,70,00,000)' : '') +
        `; ${textExit}`
      );
  }
}

/** The one form every token is written in (numeric_tokens' hint), or null. */
export function tokensForm(tokens: string[], format: NumberFormat = {}): WrittenForm | null {
  const forms = new Set(tokens.map((t) => writtenForm(t.trim(), format) ?? (brokenGroups(t.trim(), format) ? 'badGroups' : null)));
  const [form] = forms;
  return forms.size === 1 && form !== null ? form : null;
}

/** Digits, `source.thousands` and at most one decimal mark, with the separator in it: a grouped number whose groups break the rule. */
function brokenGroups(word: string, format: NumberFormat): boolean {
  const sep = format.thousands;
  if (!sep || !word.includes(sep)) return false;
  const escaped = sep.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const decimal = format.decimal === ',' ? ',' : '\\.';
  return new RegExp(`^[+-]?\\d[\\d${escaped}]*\\d(${decimal}\\d+)?$`).test(word);
}

/** A text column of numbers written in one of the forms above. */
export interface WrittenNumbers {
  column: string;
  form: WrittenForm;
  /** The first rows (0-based) holding distinct such values, with the value, in file order. */
  examples: { row: number; value: string }[];
  /** Share of the non-null rows in the form, or plain numbers. */
  numericShare: number;
  hint: string;
}

/**
 * Text columns whose values (FORM_SHARE of the non-null rows or more) are numbers in one form above, or
 * plain numbers; with `source.thousands` set, also numbers whose groups break its rule (`12,3456`),
 * which would otherwise keep the whole column text. Mostly plain numbers with a few such values are
 * left to findNumericTokens (its hint names the form). `readsAsNumber` is ingest's number reading;
 * `target` (the target column) gets hints without the text exit.
 */
export function findWrittenNumbers(
  views: ColumnView[],
  textReasons: Map<string, string>,
  readsAsNumber: (word: string) => boolean,
  format: NumberFormat = {},
  target?: string,
): WrittenNumbers[] {
  const found: WrittenNumbers[] = [];
  for (const view of textColumnsToCheck(views, textReasons)) {
    const words = view.dictionary.map((w) => w.trim());
    const forms = words.map((w) => writtenForm(w, format) ?? (brokenGroups(w, format) ? 'badGroups' : null));
    if (!forms.some((f) => f !== null)) continue;
    const tally = tallyCodes(view);
    const { counts, present } = tally;
    const plain = view.dictionary.map((w) => readsAsNumber(w));
    if (present === 0 || rowsWhere(tally, plain) / present >= NUMERIC_SHARE) continue;
    const byForm = new Map<WrittenForm, number>();
    forms.forEach((f, code) => {
      if (f && counts[code] > 0) byForm.set(f, (byForm.get(f) ?? 0) + counts[code]);
    });
    const [form] = [...byForm].sort((a, b) => b[1] - a[1])[0];
    // Under lakh grouping, amounts below one lakh are written `12,345`: the same numbers.
    const inForm = forms.map((f, code) => f === form || (form === 'lakh' && COMMA_GROUPS.test(words[code])));
    const hits = rowsWhere(
      tally,
      inForm.map((m, code) => m || plain[code]),
    );
    if (hits / present < FORM_SHARE) continue;
    if (form === 'duration' && inForm.filter((m, code) => m && counts[code] > 0).length < MIN_DURATIONS) continue;
    const typographic = words.some((w, code) => inForm[code] && w.includes('\u2019'));
    found.push({
      column: view.name,
      form,
      examples: firstExamples(view, tally, forms.map((f) => f === form)),
      numericShare: hits / present,
      hint: writtenFormHint(form, view.name, view.name === target, format, typographic),
    });
  }
  return found;
}

/** `with apostrophe digit groups: '2\'800' (line 2), …`: the form and the examples with their lines. */
export function describeWrittenNumbers(w: WrittenNumbers, locator: RowLocator = locatorFrom(undefined)): string {
  const examples = w.examples.map((e) => `${quote(e.value)} (${locator.at(e.row)})`).join(', ');
  return `${w.form === 'duration' ? FORM_NAMES.duration : `numbers with ${FORM_NAMES[w.form]}`}: ${examples}`;
}
