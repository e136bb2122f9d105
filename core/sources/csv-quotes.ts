import { quote } from '../quote';
import { yamlName } from '../yaml-name';

/** Characters of a field a quote error shows; a longer one is cut, with `…`. */
const FIELD_SHOWN = 40;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * What a CSV quote error adds after its reason: the column (name and 1-based position), the
 * field's text from `fieldStart` (quoted, cut at 40 characters, stopping at the line's end for an
 * unquoted field) and what RFC 4180 expects of the shape seen:
 * - `="00123"`: Excel's formula text, written to keep leading zeros;
 * - ` "setosa"`: a blank before an opening quote (source.skipInitialSpace);
 * - `27" monitor`: a quote inside an unquoted field, which RFC 4180 forbids (quote the field, double the quote);
 * - `"He said \"hi\""`: backslash escapes (MySQL, pandas `escapechar`), where RFC 4180 doubles quotes (`""`);
 * - a quoted field that never closes.
 * `field` is the 0-based field of the row (-1 before any), `names` the header (empty while reading it).
 */
export function describeQuoteError(
  bytes: Buffer,
  fieldStart: number,
  field: number,
  names: readonly string[],
): string {
  const quoted = bytes[fieldStart] === QUOTE;
  const text = fieldText(bytes, fieldStart, quoted);
  const column =
    field < 0
      ? ''
      : names[field] !== undefined
        ? `, column ${quote(names[field])} (field ${field + 1})`
        : `, field ${field + 1}${names.length > 0 ? ` (the header has ${names.length})` : ''}`;
  return `${column}: ${text.shown}; ${hintFor(text.raw, quoted, bytes, fieldStart, names[field] ?? 'column')}`;
}

function fieldText(bytes: Buffer, start: number, quoted: boolean): { raw: string; shown: string } {
  let end = Math.min(bytes.length, start + FIELD_SHOWN * 4 + 4);
  // An unquoted field's text runs to the line's end; a quoted one may span lines, so show what fits.
  if (!quoted) {
    const lf = bytes.indexOf(0x0a, start);
    if (lf >= 0 && lf < end) end = lf;
  }
  const raw = bytes.toString('utf8', start, end).replace(/\r$/, '');
  const cut = raw.length > FIELD_SHOWN;
  return { raw, shown: cut ? `${quote(raw.slice(0, FIELD_SHOWN))}…` : quote(raw) };
}

function hintFor(raw: string, quoted: boolean, bytes: Buffer, start: number, column: string): string {
  if (!quoted && /^\s*=\s*"/.test(raw))
    return (
      'an Excel formula (="…", written to keep leading zeros): export the values instead, ' +
      `and declare the column text (source.columnTypes: { ${yamlName(column)}: string }) to keep its zeros`
    );
  if (!quoted && /^[ \t]+"/.test(raw))
    return (
      'a blank before an opening quote (`5.1, "setosa"`, as `", ".join(…)` writers put it): set ' +
      "source.skipInitialSpace: true (pandas' skipinitialspace), or write the delimiter without the blank"
    );
  if (quoted && hasBackslashQuote(bytes, start))
    return (
      'backslash-escaped quotes (\\") are not CSV: Quiver reads RFC 4180, where a quote inside a quoted ' +
      'field is doubled (""); re-export with doubled quotes (pandas: doublequote=True, no escapechar)'
    );
  if (!quoted)
    return (
      'a quote inside an unquoted field (27" monitor): RFC 4180 wants such a field quoted with its ' +
      'quotes doubled ("27"" monitor")'
    );
  return (
    'a quote inside a quoted field must be doubled ("") as RFC 4180 asks; a quoted field that never ' +
    'closes runs to the end of the file'
  );
}

/** A `\"` within the first line of the quoted field starting at `start`. */
function hasBackslashQuote(bytes: Buffer, start: number): boolean {
  const stop = Math.min(bytes.length, start + 4096);
  for (let i = start + 1; i < stop && bytes[i] !== 0x0a; i++)
    if (bytes[i] === QUOTE && bytes[i - 1] === BACKSLASH) return true;
  return false;
}
