import * as arrow from 'apache-arrow';
import { booleanWordOf } from './boolean-words';

/** Field metadata key: why a column that looks numeric is text (`codes with leading zeros …`). */
export const TEXT_REASON_KEY = 'quiver.text_reason';
/** Field metadata key: the logical type of a physical column (`timestamp`: Float64 ms since epoch, UTC). */
export const LOGICAL_TYPE_KEY = 'quiver.logical_type';

/**
 * ISO-8601 date or date-time (`T` or a space), optional fraction and zone. The zone is `Z`, an
 * offset `±hh:mm`, `±hhmm` or `±hh` (ISO's short form: PostgreSQL's timestamptz text writes
 * `2024-01-03 08:00:00+00`), or ` UTC` / ` GMT` (BigQuery's CSV export: `2024-01-03 08:00:00 UTC`),
 * all fixed offsets, read as pandas and Arrow read them. Abbreviations with no fixed offset (`EST`,
 * `CET`) are not dates here; date_text names them.
 */
export const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?| ?(?:UTC|GMT))?)?$/;

/** The zone ISO_8601 captured as an ECMAScript offset: `Z`, `+hh:mm`. */
function ecmaOffset(zone: string): string {
  const z = zone.trim();
  if (z === 'Z' || z === 'UTC' || z === 'GMT') return 'Z';
  if (z.length === 3) return `${z}:00`; // `+01`: hours only
  return z.includes(':') ? z : `${z.slice(0, 3)}:${z.slice(3)}`;
}

/**
 * Milliseconds since 1970-01-01T00:00:00Z of an ISO-8601 date or date-time, or null when `text` is
 * not one (or names no real day). A value without a zone is read as UTC, never as the host's time.
 */
export function parseIsoTimestamp(text: string): number | null {
  const m = ISO_8601.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone = 'Z'] = m;
  const ms = fraction ? fraction.slice(0, 4).padEnd(4, '0') : '.000';
  const value = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${ms}${ecmaOffset(zone)}`);
  if (!Number.isFinite(value)) return null;
  // Date.parse rolls 2024-02-30 over to March: a day that does not exist is not a date.
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (day.getUTCMonth() !== Number(mo) - 1 || day.getUTCDate() !== Number(d)) return null;
  return value;
}

/**
 * Whether an ISO-8601 value (parseIsoTimestamp reads it) names its zone (`Z`, `-05:00`): `zoned`;
 * a date-time without one: `naive`; a bare date (`2024-01-05`, a calendar day): `date`, neither.
 */
export function zoneKind(text: string): 'zoned' | 'naive' | 'date' {
  const m = ISO_8601.exec(text);
  return m?.[8] !== undefined ? 'zoned' : m?.[4] !== undefined ? 'naive' : 'date';
}

/**
 * Field metadata key: a timestamp column mixing date-times with a zone and without, as JSON
 * `{ zoned: [row, value], naive: [row, value] }` (first row of each kind, 0-based); parseSource
 * refuses such a column (core/sources/timestamp-zones.ts).
 */
export const ZONE_MIX_KEY = 'quiver.zone_mix';

/** `true` in any case (`True`, `TRUE`, `tRUE`) → true, `false` in any case → false, anything else null. */
export function parseBooleanWord(text: string): boolean | null {
  // Excel's TRUE/FALSE in other languages too (`WAHR`/`FALSCH`, `VRAI`/`FAUX`: boolean-words.ts).
  return booleanWordOf(text);
}

/** A boolean word (parseBooleanWord) or the digit `1` / `0`: what a boolean column or feature accepts. */
export function parseBooleanText(text: string): boolean | null {
  return text === '1' ? true : text === '0' ? false : parseBooleanWord(text);
}

/** A text column read as a richer type, with the field metadata that says so. */
export interface TypedColumn {
  data: arrow.Data;
  metadata?: Map<string, string>;
}

/**
 * Types a dictionary-coded text column from its distinct words: all boolean words (any case), or
 * boolean words mixed with the digits `1`/`0` → Bool; all
 * ISO-8601 dates → Float64 ms since the epoch (so profiles, drift and scaling treat it as a number)
 * with `quiver.logical_type = timestamp`; otherwise null (it stays text). Codes of null rows are ignored.
 */
export function inferTextColumn(
  words: string[],
  codes: Int32Array,
  nullBitmap: Uint8Array | undefined,
  nullCount: number,
): TypedColumn | null {
  if (words.length === 0) return null;
  const rows = codes.length;
  const booleans = words.map(parseBooleanText);
  // `TRUE`/`False`/`1`/`0` in one column (spreadsheet exports mix them) is one boolean, not four
  // categories; pandas would read `1`/`0` alone as integers, and so do we: a word must be present.
  const hasWord = words.some((w) => parseBooleanWord(w) !== null);
  if (hasWord && booleans.every((b) => b !== null)) {
    const bits = new Uint8Array((rows + 7) >> 3);
    for (let i = 0; i < rows; i++)
      if (booleans[codes[i]] === true && isValid(nullBitmap, i)) bits[i >> 3] |= 1 << (i & 7);
    return {
      data: arrow.makeData({ type: new arrow.Bool(), length: rows, nullCount, nullBitmap, data: bits }),
    };
  }
  const times = words.map(parseIsoTimestamp);
  if (times.every((t) => t !== null)) {
    const values = new Float64Array(rows);
    for (let i = 0; i < rows; i++) if (isValid(nullBitmap, i)) values[i] = times[codes[i]]!;
    const metadata = new Map([[LOGICAL_TYPE_KEY, 'timestamp']]);
    const mix = zoneMix(words, codes, nullBitmap);
    if (mix) metadata.set(ZONE_MIX_KEY, mix);
    return {
      data: arrow.makeData({ type: new arrow.Float64(), length: rows, nullCount, nullBitmap, data: values }),
      metadata,
    };
  }
  return null;
}

/** ZONE_MIX_KEY's value when the words mix zoned and naive values, else null. */
function zoneMix(words: string[], codes: Int32Array, nullBitmap: Uint8Array | undefined): string | null {
  const kinds = words.map(zoneKind);
  if (!kinds.includes('zoned') || !kinds.includes('naive')) return null;
  const first: Partial<Record<'zoned' | 'naive' | 'date', [number, string]>> = {};
  for (let i = 0; i < codes.length && !(first.zoned && first.naive); i++)
    if (isValid(nullBitmap, i)) first[kinds[codes[i]]] ??= [i, words[codes[i]]];
  return first.zoned && first.naive ? JSON.stringify({ zoned: first.zoned, naive: first.naive }) : null;
}

function isValid(bitmap: Uint8Array | undefined, i: number): boolean {
  return bitmap === undefined || (bitmap[i >> 3] & (1 << (i & 7))) !== 0;
}
