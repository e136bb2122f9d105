import * as arrow from 'apache-arrow';
import { DataError } from '../errors';
import { quote } from '../quote';
import { ROW_LINES_KEY, RowLineRecorder } from './row-lines';
import { inferTextColumn } from './text-types';

/**
 * JSON Lines (one object per line; blank lines skipped) to Arrow. A key missing from a line, or
 * `null`, is null. Per column: all numbers → Float64; all booleans → Bool; all strings →
 * dictionary Utf8 (ISO-8601 dates → Float64 timestamps, as in CSV); a mix of numbers and strings
 * → text with numbers spelled as JSON writes them (sanity then names the non-numeric values).
 * Objects and arrays are refused, naming the line and key.
 */
export function parseJsonLines(
  text: string,
  source = 'source',
  declaredText: ReadonlySet<string> = new Set(),
): arrow.Table {
  const columns = new Map<string, unknown[]>();
  let rows = 0;
  let line = 0;
  const lines = new RowLineRecorder();
  for (const raw of text.split('\n')) {
    line++;
    const body = raw.trim();
    if (body === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(body);
    } catch (cause) {
      throw new DataError(`${source}: line ${line}: not JSON: ${(cause as Error).message}`, { cause });
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record))
      throw new DataError(`${source}: line ${line}: expected a JSON object, got ${body.slice(0, 40)}`);
    for (const [key, value] of Object.entries(record as Record<string, unknown>)) {
      if (value !== null && typeof value === 'object')
        throw new DataError(
          `${source}: line ${line}: ${quote(key)} holds a nested ${Array.isArray(value) ? 'array' : 'object'}; flatten it first`,
        );
      let values = columns.get(key);
      if (!values) columns.set(key, (values = new Array<unknown>(rows).fill(null)));
      values[rows] = value;
    }
    lines.record(rows, line);
    rows++;
    for (const values of columns.values()) if (values.length < rows) values.push(null);
  }
  if (rows === 0) throw new DataError(`${source}: no JSON lines`);
  const fields: arrow.Field[] = [];
  const data: arrow.Data[] = [];
  for (const [name, values] of columns) {
    const { vector, metadata } = toVector(values, declaredText.has(name));
    fields.push(new arrow.Field(name, vector.type, true, metadata));
    data.push(vector.data[0]);
  }
  const schema = new arrow.Schema(fields, new Map([[ROW_LINES_KEY, lines.toMetadata()]]));
  const struct = arrow.makeData({
    type: new arrow.Struct(fields),
    length: rows,
    nullCount: 0,
    children: data,
  });
  return new arrow.Table(schema, [new arrow.RecordBatch(schema, struct)]);
}

/** One column's values as a vector; `text` (declared string): as text, numbers spelled as JSON writes them. */
function toVector(values: unknown[], text = false): { vector: arrow.Vector; metadata?: Map<string, string> } {
  const kinds = new Set<string>(values.filter((v) => v !== null).map((v) => typeof v));
  if (text) kinds.add('declared text'); // never typed: not a number, boolean or timestamp column
  if (kinds.size === 0 || (kinds.size === 1 && kinds.has('number'))) {
    return { vector: arrow.vectorFromArray(values as (number | null)[], new arrow.Float64()) };
  }
  if (kinds.size === 1 && kinds.has('boolean')) {
    return { vector: arrow.vectorFromArray(values as (boolean | null)[], new arrow.Bool()) };
  }
  const texts = values.map((v) => (v === null ? null : String(v)));
  const vector = arrow.vectorFromArray(texts, new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()));
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
