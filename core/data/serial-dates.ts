import { quote } from '../quote';

/** Numbers standing for dates among ISO timestamps: which count they are. */
export type SerialKind = 'excel' | 'epochSeconds' | 'epochMillis';

/** The stray values of a timestamp column that are dates written as numbers, of one kind. */
export interface SerialDates {
  kind: SerialKind;
  /** The tokens of that kind, as written. */
  tokens: string[];
  /** The tokens that are none (left to the usual advice). */
  others: string[];
}

const DAY_MS = 86_400_000;
/** Excel's day 0 is 1899-12-30 (its 1900 leap-year bug folded in): serial 25569 is 1970-01-01. */
const EXCEL_EPOCH_SERIAL = 25_569;
/** A number is read as a date only within this margin of the column's own span of ISO dates. */
const MARGIN_MS = 366 * DAY_MS;

/** What each kind looks like and the time in ms it stands for. */
const KINDS: { kind: SerialKind; shape: RegExp; ms: (n: number) => number }[] = [
  // 5 digits (1927-10-18 … 2173-10-14), a fraction for the time of day.
  { kind: 'excel', shape: /^\d{5}(\.\d+)?$/, ms: (n) => (n - EXCEL_EPOCH_SERIAL) * DAY_MS },
  { kind: 'epochSeconds', shape: /^\d{9,10}(\.\d+)?$/, ms: (n) => n * 1000 },
  { kind: 'epochMillis', shape: /^\d{12,13}$/, ms: (n) => n },
];

/** The time in ms `token` stands for as `kind`, or null when it does not have that shape. */
function serialMs(token: string, kind: SerialKind): number | null {
  const k = KINDS.find((x) => x.kind === kind)!;
  const t = token.trim();
  return k.shape.test(t) ? k.ms(Number(t)) : null;
}

/**
 * Among a timestamp column's stray values, the integers that are dates in another count: Excel
 * serial day numbers (`45695` = 2025-02-07: cells left as numbers when a column was reformatted),
 * Unix epoch seconds or milliseconds. A token counts only when, so read, it falls within a year of
 * the column's own span of ISO dates (`span`, in ms), so `12345` in a 2025 column is no date. The kind
 * most tokens share wins; null when none fits.
 */
export function findSerialDates(tokens: readonly string[], span: { min: number; max: number }): SerialDates | null {
  if (!(span.min <= span.max)) return null;
  const inSpan = (ms: number | null) => ms !== null && ms >= span.min - MARGIN_MS && ms <= span.max + MARGIN_MS;
  let best: SerialDates | null = null;
  for (const { kind } of KINDS) {
    const hits = tokens.filter((t) => inSpan(serialMs(t, kind)));
    if (hits.length > 0 && hits.length > (best?.tokens.length ?? 0))
      best = { kind, tokens: hits, others: tokens.filter((t) => !hits.includes(t)) };
  }
  return best;
}

/** `2025-02-08`, or with the time of day when it has one (`2025-02-08T12:00:00Z`). */
function isoOf(ms: number): string {
  const iso = new Date(ms).toISOString().replace('.000Z', 'Z');
  return iso.endsWith('T00:00:00Z') ? iso.slice(0, 10) : iso;
}

/**
 * What to do about dates written as numbers: convert them where they were written (no reader setting
 * can tell a serial from a count); never null them, which would blank real dates. `otherHint` is the
 * advice for the remaining tokens, if any.
 */
export function serialDatesHint(s: SerialDates, otherHint: string): string {
  const first = s.tokens[0].trim();
  const example = `${quote(first)} = ${isoOf(serialMs(first, s.kind)!)}`;
  const what =
    s.kind === 'excel'
      ? `Excel serial dates (${example}; days since 1899-12-30): cells Excel left as numbers: format the cells as dates before exporting`
      : `Unix epoch ${s.kind === 'epochSeconds' ? 'seconds' : 'milliseconds'} (${example}): write them as ISO-8601 upstream`;
  const rest = s.others.length > 0 ? `; the others (${s.others.slice(0, 3).map(quote).join(', ')}): ${otherHint}` : '';
  return `${what}; do not add them to source.nullValues, which would blank real dates${rest}`;
}
