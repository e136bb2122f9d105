import * as arrow from 'apache-arrow';
import { DataError } from '../errors';
import { quote } from '../quote';
import { jsonLayoutRecords } from './json-layouts';
import { locatorFrom, ROW_LINES_KEY, RowLineRecorder } from './row-lines';
import { inferTextColumn, TEXT_REASON_KEY } from './text-types';
import { asciiDigits } from './unicode-digits';

/**
 * JSON Lines (one object per line; blank lines skipped) to Arrow. A key missing from a line, or
 * `null`, is null. Per column: all numbers → Float64; all booleans → Bool; all strings →
 * dictionary Utf8 (ISO-8601 dates → Float64 timestamps, as in CSV); mixed JSON types as toVector
 * says (a mix of numbers and words → text with numbers spelled as JSON writes them, sanity then
 * names the non-numeric values). Python's `NaN` reads as null, `Infinity` as a non-finite number.
 * Objects and arrays are refused, naming the line and key. A file that is one JSON array of objects
 * (pandas' `orient='records'`) is read as its records, named by row in messages; so is one object
 * in pandas' `orient='columns'`/`'index'`/`'split'` layout, or the array at `recordPath` (see jsonLayoutRecords).
 */
export function parseJsonLines(
  text: string,
  source = 'source',
  declaredText: ReadonlySet<string> = new Set(),
  recordPath?: string,
): arrow.Table {
  const columns = new Map<string, unknown[]>();
  let rows = 0;
  let line = 0;
  const lines = new RowLineRecorder();
  // One JSON array of records (`df.to_json(orient='records')`, REST exports) reads as its elements.
  const array = /^\uFEFF?\s*\[/.test(text)
    ? parseLine(text.replace(/^\uFEFF/, '').trim(), source, 1)
    : jsonLayoutRecords(text, source, recordPath); // pandas' other to_json layouts, a REST wrapper
  const records: Iterable<[unknown, string]> = Array.isArray(array)
    ? array.map((r): [unknown, string] => [r, JSON.stringify(r) ?? String(r)])
    : text.split('\n').map((raw): [unknown, string] => [undefined, raw.trim()]);
  for (const [element, body] of records) {
    line++;
    if (body === '') continue;
    const record = array ? element : parseLine(body, source, line);
    const at = array ? `record ${line} of the JSON array` : `line ${line}`;
    if (record === null || typeof record !== 'object' || Array.isArray(record))
      throw new DataError(`${source}: ${at}: expected a JSON object, got ${body.slice(0, 40)}`);
    for (const [key, value] of Object.entries(record as Record<string, unknown>)) {
      if (value !== null && typeof value === 'object')
        throw new DataError(
          `${source}: ${at}: ${quote(key)} holds a nested ${Array.isArray(value) ? 'array' : 'object'}; flatten it first`,
        );
      let values = columns.get(key);
      if (!values) columns.set(key, (values = new Array<unknown>(rows).fill(null)));
      values[rows] = value;
    }
    if (!array) lines.record(rows, line); // array records have no line of their own: messages name rows
    rows++;
    for (const values of columns.values()) if (values.length < rows) values.push(null);
  }
  if (rows === 0) throw new DataError(`${source}: no JSON lines`);
  const fields: arrow.Field[] = [];
  const data: arrow.Data[] = [];
  const rowLines = lines.toMetadata();
  for (const [name, values] of columns) {
    const { vector, metadata } = toVector(values, declaredText.has(name), name, source, rowLines);
    fields.push(new arrow.Field(name, vector.type, true, metadata));
    data.push(vector.data[0]);
  }
  const schema = new arrow.Schema(fields, new Map([[ROW_LINES_KEY, rowLines]]));
  const struct = arrow.makeData({
    type: new arrow.Struct(fields),
    length: rows,
    nullCount: 0,
    children: data,
  });
  return new arrow.Table(schema, [new arrow.RecordBatch(schema, struct)]);
}

/** Python's json.dumps writes these for float('nan') and ±float('inf'); JSON has no such literals. */
const NON_JSON_NUMBER = /NaN|-?Infinity/y;
/** Stand-ins for ±Infinity while JSON.parse reads a line (a string JSON never yields from a file). */
const INFINITY_MARK = '\u0000quiver:';

/**
 * One line as JSON. Python's `NaN` and `Infinity`/`-Infinity` literals (outside strings) are read as
 * pandas' read_json reads them: `NaN` as null (as CSV's default null tokens read `NaN`), ±Infinity
 * as the non-finite numbers, which sanity's non_finite check then names. Other invalid JSON is a
 * DataError naming the line.
 */
function parseLine(body: string, source: string, line: number): unknown {
  try {
    return JSON.parse(body);
  } catch (cause) {
    const patched = replaceNonJsonNumbers(body);
    if (patched !== body) {
      try {
        return JSON.parse(patched, (_key, value: unknown) =>
          typeof value === 'string' && value.startsWith(INFINITY_MARK)
            ? Number(value.slice(INFINITY_MARK.length))
            : value,
        );
      } catch {
        // not only the literals: report the line's own error below
      }
    }
    throw new DataError(`${source}: line ${line}: not JSON: ${(cause as Error).message}`, { cause });
  }
}

/** `body` with NaN / ±Infinity outside string literals replaced (NaN → null, ±Infinity → a marked string). */
function replaceNonJsonNumbers(body: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      out += c;
      if (c === '\\') out += body[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      continue;
    }
    NON_JSON_NUMBER.lastIndex = i;
    const m = NON_JSON_NUMBER.exec(body);
    if (m) {
      out += m[0] === 'NaN' ? 'null' : JSON.stringify(INFINITY_MARK + m[0]);
      i += m[0].length - 1;
      continue;
    }
    out += c;
  }
  return out;
}

/** A JSON value of a boolean column: true/false, the numbers 1/0, or a string that spells one of them. */
function booleanOf(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : null;
  if (typeof value === 'string') {
    const word = value.toLowerCase();
    return word === 'true' || value === '1' ? true : word === 'false' || value === '0' ? false : null;
  }
  return null;
}

const PLAIN_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const LEADING_ZERO_CODE = /^0\d+$/;

/**
 * One column's values as a vector; `text` (declared string): as text, numbers spelled as JSON writes
 * them. A column whose writer changed mid-file is read as the type its values agree on: booleans with
 * 1/0 (as CSV reads TRUE/False/1/0) → Bool; numbers with strings that are plain numbers (`"3.5"`) →
 * Float64; numbers with leading-zero codes (`"02134"` beside `10001`) → text, numbers spelled as JSON
 * writes them. Booleans with anything else are a DataError naming the column, the JSON types and rows.
 */
function toVector(
  values: unknown[],
  text: boolean,
  name: string,
  source: string,
  rowLines: string,
): { vector: arrow.Vector; metadata?: Map<string, string> } {
  const kinds = new Set<string>(values.filter((v) => v !== null).map((v) => typeof v));
  if (text) kinds.add('declared text'); // never typed: not a number, boolean or timestamp column
  if (kinds.size === 0 || (kinds.size === 1 && kinds.has('number'))) {
    return { vector: arrow.vectorFromArray(values as (number | null)[], new arrow.Float64()) };
  }
  if (kinds.size === 1 && kinds.has('boolean')) {
    return { vector: arrow.vectorFromArray(values as (boolean | null)[], new arrow.Bool()) };
  }
  if (kinds.has('boolean') && !text) {
    const booleans = values.map((v) => (v === null ? null : booleanOf(v)));
    const bad = booleans.findIndex((b, i) => b === null && values[i] !== null);
    if (bad < 0) return { vector: arrow.vectorFromArray(booleans, new arrow.Bool()) };
    throw new DataError(
      `${source}: ${quote(name)} mixes JSON types: ${describeKinds(values, locatorFrom(rowLines))}; ` +
        `a boolean column holds true/false (or 1/0) only: fix the writer, or declare the column ` +
        `source.columnTypes.${name}: string`,
    );
  }
  if (kinds.size === 2 && kinds.has('number') && kinds.has('string')) {
    // Strings in other scripts' digits (`"٥٫١"`, `"５．１"`) are numbers too, as Python's float() reads them.
    const spelled = (v: string) => asciiDigits(v.trim()) ?? v.trim();
    const strings = values.filter((v): v is string => typeof v === 'string').map(spelled);
    if (strings.every((v) => PLAIN_NUMBER.test(v) && !LEADING_ZERO_CODE.test(v)))
      return {
        vector: arrow.vectorFromArray(
          values.map((v) => (v === null ? null : Number(typeof v === 'string' ? spelled(v) : v))),
          new arrow.Float64(),
        ),
      };
  }
  const texts = values.map((v) => (v === null ? null : String(v)));
  const vector = arrow.vectorFromArray(texts, new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()));
  if (kinds.size === 2 && kinds.has('number')) {
    const code = values.find((v): v is string => typeof v === 'string' && LEADING_ZERO_CODE.test(v.trim()));
    if (code !== undefined)
      return {
        vector,
        metadata: new Map([
          [TEXT_REASON_KEY, `codes with leading zeros (${quote(code)}) kept exact as text`],
        ]),
      };
  }
  if (kinds.size === 1 && kinds.has('string')) {
    const d = vector.data[0];
    const words = Array.from({ length: d.dictionary!.length }, (_, k) => String(d.dictionary!.get(k)));
    const codes = (d.values as Int32Array).subarray(0, d.length);
    // Arrow's builder leaves an empty (not absent) bitmap when there are no nulls: every row is valid.
    const nullBitmap = d.nullCount > 0 ? (d.nullBitmap ?? undefined) : undefined;
    const typed = inferTextColumn(words, codes, nullBitmap, d.nullCount);
    if (typed) return { vector: arrow.makeVector(typed.data), metadata: typed.metadata };
  }
  return { vector };
}

/** "booleans (line 1: false) and numbers (line 2: 5)": each JSON type seen, with its first two lines. */
function describeKinds(values: unknown[], locator: ReturnType<typeof locatorFrom>): string {
  const first = new Map<string, number[]>();
  values.forEach((v, row) => {
    if (v === null) return;
    const kind = `${typeof v}s`;
    const rows = first.get(kind) ?? [];
    if (rows.length < 2) first.set(kind, [...rows, row]);
  });
  return [...first]
    .map(
      ([kind, rows]) =>
        `${kind} (${rows.map((r) => `${locator.at(r)}: ${JSON.stringify(values[r])}`).join(', ')})`,
    )
    .join(' and ');
}
