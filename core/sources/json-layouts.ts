import { DataError } from '../errors';
import { quote } from '../quote';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const INDEX_LABEL = /^\d+$/;

/**
 * The records of a `.json` file that is one JSON object holding a table rather than one record:
 * pandas' default `df.to_json()` layout (`orient='columns'`: `{"col": {"0": v, …}, …}`), its
 * `orient='index'` (`{"0": {"col": v}, …}`) and `orient='split'` (`{"columns": […], "data": [[…]]}`),
 * and, with `recordPath` (`results`, `data.items`), the array of records a REST response wraps.
 * Null when the text is not one such object (JSON Lines, or one flat record): the caller reads lines.
 * @throws DataError when `recordPath` names no array of records, or (no recordPath) when the object
 * holds exactly one array of records: naming its key, its length and `source.recordPath`.
 */
export function jsonLayoutRecords(text: string, source: string, recordPath?: string): unknown[] | null {
  const body = text.replace(/^\uFEFF/, '').trim();
  if (!body.startsWith('{')) {
    if (recordPath !== undefined)
      throw new DataError(
        `${source}: source.recordPath ${quote(recordPath)} needs one JSON object, the file is not one`,
      );
    return null;
  }
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    if (recordPath !== undefined)
      throw new DataError(
        `${source}: source.recordPath ${quote(recordPath)} needs one JSON object, the file is not one`,
      );
    return null; // JSON Lines: one object per line
  }
  if (!isObject(document)) return null;
  if (recordPath !== undefined) return atPath(document, recordPath, source);
  return splitRecords(document) ?? columnRecords(document) ?? wrapped(document, source);
}

/** `orient='split'`: `columns` (names) and `data` (rows as arrays), `index` ignored. */
function splitRecords(document: Json): unknown[] | null {
  const { columns, data } = document;
  if (!Array.isArray(columns) || !Array.isArray(data) || !columns.every((c) => typeof c === 'string'))
    return null;
  if (!data.every(Array.isArray)) return null;
  return data.map((row: unknown[]) => Object.fromEntries(columns.map((c: string, i) => [c, row[i] ?? null])));
}

/**
 * `orient='columns'` (every value an object keyed by index labels) as records in the first
 * column's label order; `orient='index'` (outer keys index labels, inner keys column names) as its values.
 */
function columnRecords(document: Json): unknown[] | null {
  const outer = Object.keys(document);
  const inner = Object.values(document);
  if (outer.length === 0 || !inner.every(isObject)) return null;
  const labels = [...new Set((inner as Json[]).flatMap((o) => Object.keys(o)))];
  if (labels.length === 0) return null;
  if (!labels.every((l) => INDEX_LABEL.test(l)) && outer.every((k) => INDEX_LABEL.test(k))) return inner;
  return labels.map((label) =>
    Object.fromEntries(outer.map((name) => [name, (document[name] as Json)[label] ?? null])),
  );
}

/** A REST wrapper (`{"count": 150, "results": [{…}, …]}`): the way out, naming the key. */
function wrapped(document: Json, source: string): null {
  const arrays = Object.entries(document).filter(
    ([, v]) => Array.isArray(v) && v.length > 0 && v.every(isObject),
  ) as [string, unknown[]][];
  if (arrays.length !== 1) return null;
  const [key, records] = arrays[0];
  throw new DataError(
    `${source}: one JSON object holding ${records.length} records under ${quote(key)} (a REST response?): ` +
      `set source.recordPath: ${key} to read them, or extract them (jq -c '.${key}[]' > file.jsonl)`,
  );
}

/** The array of records at a dot-separated path. */
function atPath(document: Json, recordPath: string, source: string): unknown[] {
  let at: unknown = document;
  for (const key of recordPath.split('.')) at = isObject(at) && Object.hasOwn(at, key) ? at[key] : undefined;
  if (!Array.isArray(at)) {
    const arrays = Object.keys(document).filter((k) => Array.isArray(document[k]));
    throw new DataError(
      `${source}: source.recordPath ${quote(recordPath)} names no array in the file` +
        (arrays.length > 0 ? `; arrays at the top: ${arrays.map(quote).join(', ')}` : ''),
    );
  }
  return at;
}
