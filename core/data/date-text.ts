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
    const layouts = words.map(dateLayoutOf);
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
