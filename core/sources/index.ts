import path from 'node:path';
import * as arrow from 'apache-arrow';
import { singleBatchTable } from '../arrow-columns';
import { parseCsv, type CsvOptions } from '../csv';
import { DataError, SpecError } from '../errors';
import { readSourceBytes, sourcePath } from '../source';
import { applyColumnTypes } from './column-types';
import { withIsoDateColumns } from './typed-dates';
import { gunzipped, textSourceBytes } from './containers';
import { decodeToUtf8, type TextEncoding } from './encoding';
import { parseJsonLines } from './jsonl';
import { parseParquet } from './parquet';
import { ROW_LINES_KEY } from './row-lines';
import { LOGICAL_TYPE_KEY } from './text-types';
import { selectColumns, timeUnitColumn } from './time-units';
import { refuseStatisticsExtension, refuseStatisticsFile } from './stat-files';
import { checkControlCharacters } from './control-characters';
import { checkTimestampZones } from './timestamp-zones';

/** The source formats ingest reads. */
export const SOURCE_FORMATS = ['csv', 'parquet', 'arrow', 'jsonl'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/** How to read a source: the spec's `source` section, less its step options. */
export interface SourceOptions extends Omit<CsvOptions, 'source' | 'encoding'> {
  /**
   * `auto` (default): from the extension (.csv/.tsv/.txt, .parquet, .arrow/.feather/.ipc, .jsonl/.ndjson/.json;
   * a further `.gz` is a gzipped file of that format, decompressed as it is read).
   */
  format?: SourceFormat | 'auto';
  encoding?: TextEncoding;
  /** JSON: the dot-separated key of the array of records in one JSON object (`results`). */
  recordPath?: string;
  /** Only these columns are read, in this order (pandas' `usecols`); every column when absent. */
  columns?: readonly string[];
  /**
   * Columns the spec keeps out of the model (`ignore: true`, left out of `train.features`): their
   * text is not refused for control characters (ingest sets it; every column is checked when absent).
   */
  outOfModel?: (column: string) => boolean;
}

const BY_EXTENSION: Record<string, SourceFormat> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.arrow': 'arrow',
  '.feather': 'arrow',
  '.ipc': 'arrow',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  // A `.json` file is JSON Lines or one array of records; the jsonl reader reads both.
  '.json': 'jsonl',
};

/** The format of a source: the one given, or the one its extension names. */
export function sourceFormat(uri: string, format: SourceOptions['format'] = 'auto'): SourceFormat {
  if (format !== 'auto') return format;
  const file = sourcePath(uri).replace(/\.gz$/i, ''); // iris.csv.gz is a gzipped CSV: read as one
  const ext = path.extname(file).toLowerCase();
  const known = BY_EXTENSION[ext];
  if (!known) refuseStatisticsExtension(ext, uri);
  if (!known)
    throw new SpecError(
      `cannot tell the format of source ${uri} from its extension ${quoteExt(ext)}: ` +
        `set source.format to one of ${SOURCE_FORMATS.join(', ')}`,
    );
  return known;
}

function quoteExt(ext: string): string {
  return ext ? `'${ext}'` : '(none)';
}

/**
 * Reads a source URI into an Arrow table: CSV and JSON Lines decoded as `encoding` says, Parquet and
 * Arrow IPC (file or stream) as written. Columns of types the pipeline cannot read are refused by name.
 */
export async function readSource(uri: string, options: SourceOptions = {}): Promise<arrow.Table> {
  return (await readSourceTable(uri, options)).table;
}

/** readSource, with the size of the source in bytes (ingest records it in lineage). */
export async function readSourceTable(
  uri: string,
  options: SourceOptions = {},
): Promise<{ table: arrow.Table; bytes: number }> {
  const format = sourceFormat(uri, options.format);
  const bytes = await readSourceBytes(uri);
  return { table: parseSource(bytes, format, sourcePath(uri), options), bytes: bytes.length };
}

/** Parses a source's bytes in the given format; `name` is what errors call it. */
export function parseSource(
  bytes: Buffer,
  format: SourceFormat,
  name: string,
  options: SourceOptions = {},
): arrow.Table {
  refuseStatisticsFile(bytes, name); // SPSS, Stata, SAS: said by name in every format
  if (format === 'csv' || format === 'jsonl') refuseBinaryTable(bytes, format, name);
  const read = selectColumns(readFormat(bytes, format, name, options), options.columns, name);
  // `'re\u0000d'` beside `'red'`: two values that look one; refused in every format, naming the line.
  checkControlCharacters(read, name, options.outOfModel);
  // `…-05:00` beside `…T06:00:00`: refused, as pandas refuses mixing tz-aware and naive values.
  checkTimestampZones(read, name, format === 'parquet' || format === 'arrow', options.columnTypes);
  // Declared types (source.columnTypes) are checked, and applied, the same way for every format.
  const numbers = format === 'csv' ? { decimal: options.decimal, thousands: options.thousands } : {};
  // Typed sources' ISO date strings are timestamps, as the text readers infer them.
  const types =
    format === 'parquet' || format === 'arrow'
      ? withIsoDateColumns(read, options.columnTypes)
      : options.columnTypes;
  return applyColumnTypes(read, types, name, numbers);
}

function readFormat(bytes: Buffer, format: SourceFormat, name: string, options: SourceOptions): arrow.Table {
  switch (format) {
    case 'csv':
      return parseCsv(textSourceBytes(bytes, name, 'CSV'), { ...options, source: name });
    case 'jsonl':
      return parseJsonLines(
        decodeToUtf8(textSourceBytes(bytes, name, 'JSON Lines'), options.encoding, name).toString('utf8'),
        name,
        declaredText(options),
        options.recordPath,
      );
    case 'parquet':
      return normalizeTable(
        selectColumns(parseParquet(gunzipped(bytes, name), name), options.columns, name),
        name,
      );
    case 'arrow': {
      let table: arrow.Table;
      try {
        table = arrow.tableFromIPC(gunzipped(bytes, name));
      } catch (cause) {
        throw new DataError(`${name}: not an Arrow IPC file or stream: ${String(cause)}`, { cause });
      }
      if (table.schema.fields.length === 0)
        throw new DataError(`${name}: not an Arrow IPC file (no columns)`);
      return normalizeTable(selectColumns(table, options.columns, name), name);
    }
  }
}

/**
 * A Parquet (`PAR1`) or Arrow IPC file (`ARROW1`, or a stream's 0xFFFFFFFF continuation) read as
 * text would fail on its first non-UTF-8 byte with an encoding hint; its magic bytes say what it is.
 */
function refuseBinaryTable(bytes: Buffer, format: 'csv' | 'jsonl', name: string): void {
  const head = bytes.subarray(0, 6).toString('latin1');
  const kind = head.startsWith('PAR1')
    ? { what: 'Parquet', format: 'parquet', ext: '.parquet' }
    : head === 'ARROW1' || (bytes.length >= 4 && bytes.readUInt32LE(0) === 0xffffffff)
      ? { what: 'Arrow IPC', format: 'arrow', ext: '.arrow' }
      : null;
  if (kind)
    throw new DataError(
      `${name}: this is a ${kind.what} file, not ${format === 'csv' ? 'CSV' : 'JSON Lines'}: ` +
        `set source.format: ${kind.format}, or drop source.format and name the file ${kind.ext}`,
    );
}

/**
 * Brings a typed table (Parquet, Arrow) to the types the pipeline reads: dates and timestamps become
 * Float64 milliseconds since the epoch (as CSV's do); durations Float64 seconds and times of day
 * Float64 milliseconds since midnight (see timeUnitColumn); float16 and decimal128/256 become Float64
 * (decimals beyond float64's 15–17 significant digits are rounded); numbers, booleans and strings
 * pass; other types (lists, structs, binary) are a DataError naming the column.
 */
export function normalizeTable(table: arrow.Table, source: string): arrow.Table {
  if (table.numRows === 0) throw new DataError(`${source}: no rows`);
  const children: arrow.Data[] = [];
  const fields: arrow.Field[] = [];
  for (const field of table.schema.fields) {
    const vector = table.getChild(field.name)!;
    const type = field.type as arrow.DataType;
    if (arrow.DataType.isTimestamp(type) || arrow.DataType.isDate(type)) {
      const ms = Array.from({ length: vector.length }, (_, i) => {
        const v = vector.get(i) as unknown;
        return v === null || v === undefined ? null : v instanceof Date ? v.getTime() : Number(v);
      });
      children.push(arrow.vectorFromArray(ms, new arrow.Float64()).data[0]);
      fields.push(
        new arrow.Field(field.name, new arrow.Float64(), true, new Map([[LOGICAL_TYPE_KEY, 'timestamp']])),
      );
      continue;
    }
    const numeric = timeUnitColumn(vector, field);
    if (numeric) {
      children.push(numeric.data);
      fields.push(numeric.field);
      continue;
    }
    if (isHalfFloat(type) || arrow.DataType.isDecimal(type)) {
      // Widened to Float64 here so every reader of the table (views, profile, training) sees numbers:
      // float16 buffers hold bit patterns, decimals 128/256-bit integers; beyond 2^53 digits are rounded.
      children.push(toFloat64(vector));
      fields.push(new arrow.Field(field.name, new arrow.Float64(), field.nullable, field.metadata));
      continue;
    }
    const readable =
      arrow.DataType.isInt(type) ||
      arrow.DataType.isFloat(type) ||
      arrow.DataType.isBool(type) ||
      arrow.DataType.isUtf8(type) ||
      arrow.DataType.isLargeUtf8(type) ||
      (arrow.DataType.isDictionary(type) &&
        (arrow.DataType.isUtf8(type.dictionary) || arrow.DataType.isLargeUtf8(type.dictionary)));
    if (!readable)
      throw new DataError(
        `${source}: column '${field.name}' has type ${typeName(type)}; the pipeline reads numbers, booleans, ` +
          `strings and timestamps: convert it (or drop it) in the tool that wrote the file, or list the ` +
          `columns to read in source.columns`,
      );
    // One chunk per column, so all columns share one record batch.
    const data = vector.data.length === 1 ? vector.data[0] : concatChunks(vector);
    children.push(data);
    // The field must describe the data pushed: merged chunks carry Int32 codes and a new dictionary,
    // and a writer that followed the old Int8/Int16 field would pair codes with the wrong words.
    fields.push(new arrow.Field(field.name, data.type, field.nullable, field.metadata));
  }
  // Row lines of the text file a table was once read from do not name this file's rows.
  const metadata = new Map([...table.schema.metadata].filter(([key]) => key !== ROW_LINES_KEY));
  return singleBatchTable(new arrow.Schema(fields, metadata), children, table.numRows);
}

function isHalfFloat(type: arrow.DataType): boolean {
  return arrow.DataType.isFloat(type) && (type as arrow.Float).precision === arrow.Precision.HALF;
}

/** A type as the writers' tools spell it (`decimal(10,2)`, not apache-arrow's `Decimal[10e+2]`). */
export function typeName(type: arrow.DataType): string {
  if (arrow.DataType.isDecimal(type)) {
    const d = type as arrow.Decimal;
    return `decimal(${d.precision},${d.scale})`;
  }
  return String(type);
}

/** A float16 or decimal column as one Float64 chunk (nulls kept). */
function toFloat64(vector: arrow.Vector): arrow.Data {
  const type = vector.type as arrow.DataType;
  const values = new Float64Array(vector.length);
  let at = 0;
  for (const d of vector.data) {
    if (arrow.DataType.isDecimal(type)) {
      const { scale, bitWidth } = type as arrow.Decimal;
      const words = d.values as Uint32Array;
      const stride = bitWidth / 32;
      for (let i = 0; i < d.length; i++)
        values[at + i] = decimalValue(words, (d.offset + i) * stride, stride, scale);
    } else {
      const bits = d.values as Uint16Array;
      for (let i = 0; i < d.length; i++) values[at + i] = arrow.util.uint16ToFloat64(bits[d.offset + i]);
    }
    at += d.length;
  }
  const nulls = vector.nullCount;
  let nullBitmap: Uint8Array | undefined;
  if (nulls > 0) {
    nullBitmap = new Uint8Array((vector.length + 7) >> 3);
    for (let i = 0; i < vector.length; i++) if (vector.isValid(i)) nullBitmap[i >> 3] |= 1 << (i & 7);
  }
  return arrow.makeData({
    type: new arrow.Float64(),
    length: vector.length,
    data: values,
    nullCount: nulls,
    nullBitmap,
  });
}

/** A little-endian two's-complement decimal of `stride` 32-bit words at `start`, divided by 10^scale. */
function decimalValue(words: Uint32Array, start: number, stride: number, scale: number): number {
  let unscaled = 0n;
  for (let w = stride - 1; w >= 0; w--) unscaled = (unscaled << 32n) | BigInt(words[start + w]);
  if (words[start + stride - 1] & 0x80000000) unscaled -= 1n << BigInt(32 * stride);
  // Through the exact decimal text, so 0.1 reads as the nearest double to 0.1, not 1 / 10 rounded twice.
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale <= 0) return Number(`${negative ? '-' : ''}${digits}e${-scale}`);
  const padded = digits.padStart(scale + 1, '0');
  return Number(`${negative ? '-' : ''}${padded.slice(0, -scale)}.${padded.slice(-scale)}`);
}

/**
 * A chunked vector (Parquet row groups arrive as many) as one chunk: fixed-width values and
 * dictionary codes copied as typed arrays, dictionaries merged once per distinct dictionary, so a
 * million-row column costs a few array copies rather than a `get` per cell.
 */
function concatChunks(vector: arrow.Vector): arrow.Data {
  const type = vector.type as arrow.DataType;
  const chunks = vector.data;
  const plain = chunks.every((d) => d.offset === 0);
  if (plain && arrow.DataType.isDictionary(type)) return concatDictionary(chunks);
  if (plain && (arrow.DataType.isInt(type) || arrow.DataType.isFloat(type))) return concatFixed(chunks, type);
  const values = Array.from({ length: vector.length }, (_, i) => vector.get(i) as unknown);
  return arrow.vectorFromArray(values, type).data[0];
}

type FixedArray = Float64Array | Float32Array | Int32Array | BigInt64Array | Uint8Array;

function concatFixed(chunks: readonly arrow.Data[], type: arrow.DataType): arrow.Data {
  const length = chunks.reduce((n, d) => n + d.length, 0);
  const first = chunks[0].values as FixedArray;
  const values = new (first.constructor as new (n: number) => FixedArray)(length);
  let at = 0;
  for (const d of chunks) {
    values.set((d.values as FixedArray).subarray(0, d.length) as never, at);
    at += d.length;
  }
  return arrow.makeData({
    type: type as arrow.Float,
    length,
    data: values as Float64Array,
    ...validity(chunks, length),
  });
}

function concatDictionary(chunks: readonly arrow.Data[]): arrow.Data {
  const length = chunks.reduce((n, d) => n + d.length, 0);
  const codes = new Int32Array(length);
  const ids = new Map<string, number>();
  const words: string[] = [];
  let lastDictionary: arrow.Vector | undefined;
  let remap = new Int32Array(0);
  let at = 0;
  for (const d of chunks) {
    const dictionary = d.dictionary!;
    if (dictionary !== lastDictionary) {
      // Row groups usually share one dictionary: map its words to merged codes once.
      lastDictionary = dictionary;
      remap = new Int32Array(dictionary.length);
      for (let k = 0; k < dictionary.length; k++) {
        const word = String(dictionary.get(k));
        let id = ids.get(word);
        if (id === undefined) ids.set(word, (id = words.push(word) - 1));
        remap[k] = id;
      }
    }
    const indices = d.values as ArrayLike<number>;
    const size = remap.length;
    for (let i = 0; i < d.length; i++) {
      const index = indices[i];
      codes[at + i] = index < size ? remap[index] : 0; // a null slot's index is unspecified
    }
    at += d.length;
  }
  return arrow.makeData({
    type: new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()),
    length,
    data: codes,
    dictionary: arrow.vectorFromArray(words, new arrow.Utf8()),
    ...validity(chunks, length),
  });
}

/** The chunks' validity bitmaps as one (none when no chunk has a null). */
function validity(
  chunks: readonly arrow.Data[],
  length: number,
): { nullCount: number; nullBitmap?: Uint8Array } {
  const nullCount = chunks.reduce((n, d) => n + d.nullCount, 0);
  if (nullCount === 0) return { nullCount };
  const bitmap = new Uint8Array((length + 7) >> 3);
  let at = 0;
  for (const d of chunks) {
    const source = d.nullCount > 0 ? d.nullBitmap : null;
    for (let i = 0; i < d.length; i++) {
      const valid = source ? (source[i >> 3] >> (i & 7)) & 1 : 1;
      if (valid) bitmap[(at + i) >> 3] |= 1 << ((at + i) & 7);
    }
    at += d.length;
  }
  return { nullCount, nullBitmap: bitmap };
}

/** The columns declared `string` (source.columnTypes): readers keep them as written. */
function declaredText(options: SourceOptions): Set<string> {
  return new Set(
    Object.entries(options.columnTypes ?? {}).flatMap(([name, type]) => (type === 'string' ? [name] : [])),
  );
}
