import { quote } from '../quote';
import { locatorFrom, type RowLocator } from '../sources/row-lines';
import { firstExamples, mostlyOneKind, NUMERIC_SHARE, rowsWhere, tallyCodes, textColumnsToCheck } from './code-tally';
import type { ColumnView } from './column-views';
import { declareText } from './unit-numbers';

/** An optional time after a date: `08:30`, `08:30:15`, `8:30:15.250`, `8:30 PM`. */
const TIME = String.raw`(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s?[AaPp][Mm])?)?`;
const MONTHS = 'jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec';
/** A weekday name before a date (`Thu, `, `Thursday `), as RFC 1123 and JavaScript's `Date.toString()` write. */
const WEEKDAY = String.raw`(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)`;
/** A time with seconds optional, 24-hour: `13:00`, `13:00:00`, `13:00:00.250`. */
const CLOCK = String.raw`\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?`;
/**
 * A zone after a time: `GMT`, `UTC`, `EST` (an abbreviation), `-0500`/`+05:30` (an offset),
 * `GMT+0000` and a trailing `(Coordinated Universal Time)`, as JavaScript's `Date.toString()` writes.
 */
const ZONE = String.raw`(?:\s*(?:Z|[A-Z]{2,5}(?:[+-]\d{2}:?\d{2})?|[+-]\d{2}:?\d{2})(?:\s*\([A-Za-z .'-]+\))?)`;

/**
 * Date layouts ingest does not read, with the name a message gives each. Years have 4 digits (so
 * `1.2.3` versions stay codes), except Excel's US short date `m/d/yy`, whose two slashes and range
 * checks already rule versions out. ISO-8601 basic (`20140826T000000`), year-month (`1950-01`) and
 * quarters (`2000Q1`) are time axes too: each would otherwise be a category no later file shares.
 */
const LAYOUTS: { name: string; pattern: RegExp; ambiguous: boolean }[] = [
  { name: 'dd/mm/yyyy or mm/dd/yyyy', pattern: new RegExp(String.raw`^(\d{1,2})/(\d{1,2})/\d{4}${TIME}$`), ambiguous: true },
  { name: 'm/d/yy (Excel short date)', pattern: new RegExp(String.raw`^(\d{1,2})/(\d{1,2})/\d{2}${TIME}$`), ambiguous: true },
  {
    name: 'yyyymmddThhmmss (ISO-8601 basic)',
    pattern: /^\d{4}(\d{2})(\d{2})T\d{2}(?:\d{2}(?:\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/,
    ambiguous: false,
  },
  { name: 'yyyy-mm (year-month)', pattern: /^\d{4}-(0[1-9]|1[0-2])$/, ambiguous: false },
  { name: 'yyyyQn (quarter)', pattern: /^\d{4}-?Q[1-4]$/i, ambiguous: false },
  { name: 'dd-mm-yyyy or mm-dd-yyyy', pattern: new RegExp(String.raw`^(\d{1,2})-(\d{1,2})-\d{4}${TIME}$`), ambiguous: true },
  { name: 'dd.mm.yyyy', pattern: new RegExp(String.raw`^(\d{1,2})\.(\d{1,2})\.\d{4}${TIME}$`), ambiguous: false },
  { name: 'yyyy/mm/dd', pattern: new RegExp(String.raw`^\d{4}/(\d{1,2})/(\d{1,2})${TIME}$`), ambiguous: false },
  { name: 'yyyy.mm.dd', pattern: new RegExp(String.raw`^\d{4}\.(\d{1,2})\.(\d{1,2})${TIME}$`), ambiguous: false },
  {
    name: 'dd Mon yyyy',
    pattern: new RegExp(String.raw`^(\d{1,2})[ -](?:${MONTHS})[a-z]*\.?[ -]\d{4}${TIME}$`, 'i'),
    ambiguous: false,
  },
  {
    name: 'Mon dd, yyyy',
    pattern: new RegExp(String.raw`^(?:${MONTHS})[a-z]*\.? (\d{1,2}),? \d{4}${TIME}$`, 'i'),
    ambiguous: false,
  },
  // Layouts with a month name or a zone that everyday tools write (#10 of BREAKER9); the month
  // name (or the date-then-time shape) keeps codes out, so 2-digit years are safe here.
  { name: 'ddMONyyyy (SAS DATE9.)', pattern: new RegExp(String.raw`^(\d{1,2})(?:${MONTHS})(?:\d{4}|\d{2})(?::${CLOCK})?$`, 'i'), ambiguous: false },
  { name: 'dd-Mon-yy (Excel)', pattern: new RegExp(String.raw`^(\d{1,2})[- ](?:${MONTHS})[a-z]*\.?[- ]\d{2}${TIME}$`, 'i'), ambiguous: false },
  {
    name: 'Day, dd Mon yyyy hh:mm:ss GMT (RFC 1123, HTTP and e-mail dates)',
    pattern: new RegExp(String.raw`^${WEEKDAY}?(\d{1,2}) (?:${MONTHS})[a-z]* (?:\d{4}|\d{2})(?: ${CLOCK}${ZONE}?)?$`, 'i'),
    ambiguous: false,
  },
  {
    name: "Day Mon dd yyyy hh:mm:ss GMT+hhmm (JavaScript's Date.toString())",
    pattern: new RegExp(String.raw`^${WEEKDAY}(?:${MONTHS})[a-z]* (\d{1,2}),? \d{4}(?: ${CLOCK}${ZONE}?)?$`, 'i'),
    ambiguous: false,
  },
  {
    name: 'yyyy-mm-dd hh:mm:ss -hhmm (a space before the offset: Shopify, Rails)',
    pattern: new RegExp(String.raw`^\d{4}-(\d{2})-(\d{2})[ T]${CLOCK} [+-]\d{2}:?\d{2}$`),
    ambiguous: false,
  },
  {
    name: 'yyyy-mm-dd hh:mm:ss TZ (a zone abbreviation such as EST or CET, with no fixed offset)',
    pattern: new RegExp(String.raw`^\d{4}-(\d{2})-(\d{2})[ T]${CLOCK}\s*(?:[A-Z]{2,5}(?:[+-]\d{2}:?\d{2})?)$`),
    ambiguous: false,
  },
  { name: 'a date with a month name', pattern: monthNameDate(), ambiguous: false },
];

/**
 * Any other date written with an English month name: the month, a day (1–31, `13th` too) and a
 * year of 4 digits, in any order, with at most a weekday, a time, a zone and punctuation besides
 * (`13 February 2025, 1:00 pm`, `Feb 13th 2025`, `2025 Feb 13`). The day is the one captured field.
 */
function monthNameDate(): RegExp {
  const day = String.raw`(\d{1,2})(?:st|nd|rd|th)?`;
  const month = String.raw`(?:${MONTHS})[a-z]*\.?`;
  const sep = String.raw`[\s,/-]+`;
  const tail = String.raw`(?:${sep}(?:at\s+)?${CLOCK}(?:\s?[AaPp][Mm])?${ZONE}?)?`;
  const orders = [
    `${month}${sep}${day}${sep}\\d{4}`,
    `${day}${sep}(?:of\\s+)?${month}${sep}\\d{4}`,
    `\\d{4}${sep}${month}${sep}${day}`,
  ];
  return new RegExp(`^${WEEKDAY}?(?:${orders.join('|')})${tail}$`, 'i');
}

/** The non-ISO layout `word` (trimmed) is a date in, or null; day and month must be in range either way round. */
export function dateLayoutOf(word: string): (typeof LAYOUTS)[number] | null {
  for (const layout of LAYOUTS) {
    const m = layout.pattern.exec(word);
    if (!m) continue;
    const fields = m.slice(1).filter((f) => f !== undefined).map(Number);
    // ISO basic fields are month then day, in that order.
    if (layout.name.includes('basic') && (fields[0] < 1 || fields[0] > 12)) continue;
    if (fields.every((f) => f >= 1 && f <= 31) && (fields.length < 2 || Math.min(...fields) <= 12)) return layout;
  }
  return null;
}

/** A text column of dates written in one or more non-ISO layouts, ISO-8601 ones possibly among them. */
export interface DateText {
  column: string;
  /** The layouts seen (`dd/mm/yyyy or mm/dd/yyyy`), most frequent first. */
  layouts: string[];
  /** Whether some value could be day-first or month-first (`05/01/2024`). */
  ambiguous: boolean;
  /** The first rows (0-based) holding distinct non-ISO dates, with the value, in file order. */
  examples: { row: number; value: string }[];
  /** Share of the non-null rows that are dates (ISO or not), and of those in a non-ISO layout. */
  dateShare: number;
  nonIsoShare: number;
  hint: string;
}

/**
 * Text columns whose values are mostly dates, some or all in a non-ISO layout (`05/01/2024`,
 * `05.01.2024`, `2024/01/05`, alternating with `2024-01-05` or not): ingest types only ISO-8601
 * dates, so each date would be a category. Never guesses a layout (`05/01` is 5 January or May 1):
 * the hint is to convert upstream. A column mostly of valid ISO dates is left to
 * findTimestampTokens, which names the others as its tokens. `isIso` is ingest's ISO reader.
 */
export function findDateText(
  views: ColumnView[],
  textReasons: Map<string, string>,
  isIso: (word: string) => boolean,
): DateText[] {
  const found: DateText[] = [];
  for (const view of textColumnsToCheck(views, textReasons)) {
    const words = view.dictionary.map((w) => w.trim());
    const layouts = withShortLayouts(words, words.map(dateLayoutOf));
    if (!layouts.some((l) => l !== null) || seasons(words, layouts)) continue;
    const tally = tallyCodes(view);
    const { counts, present } = tally;
    const iso = words.map(isIso);
    if (present === 0 || rowsWhere(tally, iso) / present >= NUMERIC_SHARE) continue;
    const other = layouts.map((l) => l !== null);
    const dates = iso.map((d, code) => d || other[code]);
    const distinct = (flags: boolean[]) => flags.filter((on, code) => on && counts[code] > 0).length;
    const dateRows = rowsWhere(tally, dates);
    if (!mostlyOneKind(dateRows, present, distinct(dates.map((d) => !d)), distinct(dates))) continue;
    const byLayout = new Map<string, number>();
    layouts.forEach((l, code) => {
      if (l && counts[code] > 0) byLayout.set(l.name, (byLayout.get(l.name) ?? 0) + counts[code]);
    });
    const ambiguous = layouts.some((l, code) => l?.ambiguous && counts[code] > 0);
    found.push({
      column: view.name,
      layouts: [...byLayout].sort((a, b) => b[1] - a[1]).map(([name]) => name),
      ambiguous,
      examples: firstExamples(view, tally, other),
      dateShare: dateRows / present,
      nonIsoShare: rowsWhere(tally, other) / present,
      hint:
        'convert the column to ISO-8601 upstream (2024-01-05, 2024-01-05T08:30:00Z): Quiver reads ISO-8601 extended dates only' +
        periodHint([...byLayout.keys()]) +
        (ambiguous ? ' and does not guess whether 05/01/2024 is 5 January or May 1' : '') +
        zoneHint([...byLayout.keys()]) +
        shortHint([...byLayout.keys()]) +
        `; or, if it is not a feature's date, declare it text (${declareText(view.name)})`,
    });
  }
  return found;
}

/** Football-style seasons (`2000-01`, `2001-02`): every year-month's "month" is the next year's last two digits. */
function seasons(words: string[], layouts: ReturnType<typeof dateLayoutOf>[]): boolean {
  const months = words.filter((_, code) => layouts[code]?.name.startsWith('yyyy-mm'));
  return (
    months.length > 0 &&
    months.every((w) => Number(w.slice(5)) === (Number(w.slice(0, 4)) + 1) % 100)
  );
}

/** How to write a zone in ISO-8601, when the column's layouts carry one (`-0500`, `EST`, `GMT`). */
function zoneHint(layouts: string[]): string {
  return layouts.some((l) => /offset|zone|GMT/.test(l))
    ? ' (the zone as an offset after a T: 2025-02-13 00:00:00 -0500 as 2025-02-13T00:00:00-05:00; an abbreviation such as EST names no fixed offset, so write the offset)'
    : '';
}

/** How to write a period (a month, a quarter) as a date, when the column holds periods. */
function periodHint(layouts: string[]): string {
  const periods = layouts.filter((l) => l.includes('year-month') || l.includes('quarter'));
  return periods.length === 0
    ? ''
    : ' (a period as its first day: 1950-01 as 1950-01-01, 2000Q1 as 2000-01-01; or a numeric time index)';
}

/** `dates in a non-ISO layout (dd.mm.yyyy): '05.01.2024' (line 2), …`. */
export function describeDateText(d: DateText, locator: RowLocator = locatorFrom(undefined)): string {
  const examples = d.examples.map((e) => `${quote(e.value)} (${locator.at(e.row)})`).join(', ');
  return `${(d.nonIsoShare * 100).toFixed(1)}% in a non-ISO layout (${d.layouts.join('; ')}): ${examples}`;
}

/** English month names, full and abbreviated (`Feb`, `Feb.`, `February`, `Sept`), to their number 1–12. */
const MONTH_NUMBER = new Map<string, number>(
  ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].flatMap((m, i) => [
    [m, i + 1],
    [new Date(Date.UTC(2000, i, 1)).toLocaleString('en', { month: 'long', timeZone: 'UTC' }).toLowerCase(), i + 1],
  ]),
).set('sept', 9);
/** Short layouts only counted on a column of at least this many distinct values (one `Jan 5` is a name). */
const SHORT_MIN_DISTINCT = 6;

/** Days in `month` (1–12) of `year`; a year unknown (NaN) counts as a leap year, so `Feb 29` is a day. */
function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(Number.isNaN(year) ? 2000 : year, month, 0)).getUTCDate();
}

const validDay = (year: number, month: number, day: number) =>
  month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);

/** A short layout: a 2-digit year or none, recognised only when every value of its shape in the column reads so. */
interface ShortLayout {
  layout: (typeof LAYOUTS)[number];
  /** The value's fields as (year, month, day) under this layout, or null when the value has another shape. */
  read: (word: string) => [number, number, number] | null;
}

const DOT_SHORT = new RegExp(String.raw`^(\d{2})\.(\d{2})\.(\d{2})${TIME}$`);
const DASH_SHORT = new RegExp(String.raw`^(\d{2})-(\d{2})-(\d{2})${TIME}$`);
const MONTH_WORD = String.raw`([a-z]+)\.?`;
const MONTH_DAY = new RegExp(String.raw`^${MONTH_WORD}\s+(\d{1,2})(?:st|nd|rd|th)?$`, 'i');
const DAY_MONTH = new RegExp(String.raw`^(\d{1,2})(?:st|nd|rd|th)?[\s-]+(?:of\s+)?${MONTH_WORD}$`, 'i');

/** `Feb 17` / `17 Feb` / `February 17th`: (NaN, month, day), or null. */
function readNoYear(word: string): [number, number, number] | null {
  const md = MONTH_DAY.exec(word);
  const dm = md ? null : DAY_MONTH.exec(word);
  const [name, day] = md ? [md[1], md[2]] : dm ? [dm[2], dm[1]] : [];
  const month = name === undefined ? undefined : MONTH_NUMBER.get(name.toLowerCase());
  return month === undefined ? null : [NaN, month, Number(day)];
}

/** The year a 2-digit year names, as pandas/dateutil read it (69–99: 1900s, else 2000s). */
const fullYear = (yy: string) => (Number(yy) >= 69 ? 1900 : 2000) + Number(yy);

const SHORT_LAYOUTS: ShortLayout[] = [
  {
    layout: { name: 'dd.mm.yy (German short date)', pattern: DOT_SHORT, ambiguous: false },
    read: (w) => {
      const m = DOT_SHORT.exec(w);
      return m ? [fullYear(m[3]), Number(m[2]), Number(m[1])] : null;
    },
  },
  {
    layout: { name: 'yy-mm-dd (a 2-digit year first)', pattern: DASH_SHORT, ambiguous: false },
    read: (w) => {
      const m = DASH_SHORT.exec(w);
      return m ? [fullYear(m[1]), Number(m[2]), Number(m[3])] : null;
    },
  },
  {
    layout: { name: 'dd-mm-yy (a 2-digit year last)', pattern: DASH_SHORT, ambiguous: false },
    read: (w) => {
      const m = DASH_SHORT.exec(w);
      return m ? [fullYear(m[3]), Number(m[2]), Number(m[1])] : null;
    },
  },
  {
    layout: { name: 'Mon dd (no year)', pattern: MONTH_DAY, ambiguous: false },
    read: readNoYear,
  },
];

/**
 * `layouts` (dateLayoutOf of each word) with the short layouts added where the whole column reads
 * so: `28.02.25`, `25-02-18` / `18-02-25`, `Feb 17` / `17 Feb`. Versions (`3.10.12`), scores and
 * part codes share these shapes, so a shape counts only when every word of it in the column is a
 * real day under the layout, it has SHORT_MIN_DISTINCT words or more, and (2-digit dashes) the
 * year field varies less than the day field: years repeat, days move.
 */
export function withShortLayouts(
  words: readonly string[],
  layouts: ReturnType<typeof dateLayoutOf>[],
): ReturnType<typeof dateLayoutOf>[] {
  const out = [...layouts];
  const taken = new Set<string>();
  for (const short of SHORT_LAYOUTS) {
    const codes = words.flatMap((w, code) => (layouts[code] === null && short.read(w) ? [code] : []));
    const read = codes.map((code) => short.read(words[code])!);
    // `yy-mm-dd` and `dd-mm-yy` share one shape: the first that fits takes it.
    if (codes.length < SHORT_MIN_DISTINCT || taken.has(short.layout.pattern.source)) continue;
    if (!read.every(([y, m, d]) => validDay(y, m, d))) continue;
    let chosen = short.layout;
    if (short.layout.pattern === DASH_SHORT) {
      const yearField = short.layout.name.startsWith('yy') ? 0 : 2;
      const spread = (at: number) => new Set(codes.map((code) => words[code].slice(at * 3, at * 3 + 2))).size;
      if (spread(yearField) >= spread(2 - yearField)) continue;
      chosen = undecided(short, codes.map((code) => words[code]), spread(2 - yearField));
    }
    taken.add(short.layout.pattern.source);
    for (const code of codes) out[code] = chosen;
  }
  return out;
}

const EITHER_DASH = {
  name: 'yy-mm-dd or dd-mm-yy (a 2-digit year first or last)',
  pattern: DASH_SHORT,
  ambiguous: false,
};

/**
 * `short`'s layout, or EITHER_DASH when the other 2-digit dash reading fits every word too and the
 * days do not move across a month (`25-01-01`, `26-01-01`: monthly, or `01-01-25`, `01-01-26`): then
 * which field is the year is a guess, and the message names both.
 */
function undecided(short: ShortLayout, words: string[], daySpread: number): (typeof LAYOUTS)[number] {
  const other = SHORT_LAYOUTS.find((s) => s !== short && s.layout.pattern === DASH_SHORT)!;
  const otherFits = words.every((w) => {
    const r = other.read(w);
    return r !== null && validDay(...r);
  });
  return otherFits && daySpread <= 12 ? EITHER_DASH : short.layout;
}

/** How to write a date whose layout has a 2-digit year or none, with the column's own layouts as examples. */
function shortHint(layouts: string[]): string {
  const examples: [string, string][] = [
    ['dd.mm.yy (German short date)', '28.02.25'],
    ['yy-mm-dd (a 2-digit year first)', '25-02-28'],
    ['dd-mm-yy (a 2-digit year last)', '28-02-25'],
    [EITHER_DASH.name, '25-02-28 (or 28-02-25)'],
  ];
  const twoDigit = examples.filter(([name]) => layouts.includes(name)).map(([, e]) => e);
  return (
    (layouts.some((l) => l.includes('no year'))
      ? ' (these dates name no year: write the year too, Feb 28 as 2025-02-28; a day of the year without one is no point in time)'
      : '') + (twoDigit.length > 0 ? ` (with the 4-digit year: ${twoDigit.join(', ')} as 2025-02-28)` : '')
  );
}

/** A number column whose every value is a date written as an 8-digit yyyymmdd number (`20250126`). */
export interface NumberDates {
  column: string;
  distinct: number;
  /** The first rows (0-based) holding distinct values, with the value, in file order. */
  examples: { row: number; value: number }[];
}

/** Distinct yyyymmdd values at least, so a handful of codes that happen to read as days stays a number. */
const NUMBER_DATES_MIN_DISTINCT = 10;

/**
 * Number columns whose every value is an 8-digit yyyymmdd date in 1900–2100 (`20250126`, SAP and
 * database exports): read as the magnitude 20,250,126, the model sees jumps of 70 at month ends and
 * 8,870 at year ends. Ids and codes rarely hold only real days (`20251340` is none), and need
 * NUMBER_DATES_MIN_DISTINCT distinct values besides. `label` (the target) is left out.
 */
export function findNumberDates(views: ColumnView[], textReasons: Map<string, string>, label: string): NumberDates[] {
  const found: NumberDates[] = [];
  for (const view of views) {
    if (view.kind !== 'numeric' || view.name === label || textReasons.has(view.name)) continue;
    const seen = new Set<number>();
    const examples: NumberDates['examples'] = [];
    let dates = true;
    for (let i = 0; i < view.values.length && dates; i++) {
      if (view.valid && view.valid[i] === 0) continue;
      const v = view.values[i];
      if (seen.has(v)) continue;
      const y = Math.floor(v / 10000);
      dates = Number.isInteger(v) && y >= 1900 && y <= 2100 && validDay(y, Math.floor(v / 100) % 100, v % 100);
      seen.add(v);
      if (examples.length < 3) examples.push({ row: i, value: v });
    }
    if (dates && seen.size >= NUMBER_DATES_MIN_DISTINCT) found.push({ column: view.name, distinct: seen.size, examples });
  }
  return found;
}

/** `observed` of a date_number check: `dates written as yyyymmdd numbers: 20250126 (line 2), …`. */
export function describeNumberDates(d: NumberDates, locator: RowLocator = locatorFrom(undefined)): string {
  const examples = d.examples.map((e) => `${e.value} (${locator.at(e.row)})`).join(', ');
  return `numbers, yet every value (${d.distinct} distinct) is a date written as a yyyymmdd number: ${examples}`;
}

/** `expected` of a date_number check: the ISO way out, and the escape for a true code. */
export function numberDatesHint(d: NumberDates): string {
  const e = String(d.examples[0]?.value ?? 20250126);
  return (
    `dates as ISO-8601 text: read as a number, a date is a magnitude with jumps at month and year ends; ` +
    `write it as ${e.slice(0, 4)}-${e.slice(4, 6)}-${e.slice(6)} upstream (pandas: pd.to_datetime(df[${JSON.stringify(d.column)}].astype(str), format='%Y%m%d')); ` +
    `or, if it is a code rather than a date, declare it text (${declareText(d.column)})`
  );
}
