import * as arrow from 'apache-arrow';
import { missingColumn } from '../data/data-schema';
import { DataError } from '../errors';
import { quote } from '../quote';
import { rowLocator } from './row-lines';
import { LOGICAL_TYPE_KEY, parseBooleanWord, parseIsoTimestamp, TEXT_REASON_KEY } from './text-types';
import { asciiDigits } from './unicode-digits';
import { ownValue } from '../own-keys';
import { singleBatchTable } from '../arrow-columns';

/** The types `source.columnTypes` may declare (as pandas' `dtype=`, Arrow CSV's `column_types`). */
export const COLUMN_TYPES = ['string', 'number', 'boolean', 'timestamp'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** `quiver.text_reason` of a declared string column: sanity's number and date checks leave it alone. */
export const DECLARED_TEXT = 'declared text (source.columnTypes)';

/** How a declared number column's text reads as numbers: ingest's decimal mark and digit groups. */
export interface DeclaredNumberFormat {
  decimal?: '.' | ',';
  thousands?: string;
}

const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** `word` as ingest's CSV reader reads a number with `format`, or null when it is none. */
function numberOf(word: string, format: DeclaredNumberFormat): number | null {
  // Other scripts' digits (`٥٫١`, `５．１`) as the CSV reader reads them.
  let w = asciiDigits(word.trim(), format.decimal ?? '.') ?? word.trim();
  if (format.thousands) w = w.split(format.thousands).join('');
  if (format.decimal === ',') w = w.replace(',', '.');
  if (!PLAIN_NUMBER.test(w)) return null;
  const n = Number(w);
  return Number.isFinite(n) ? n : null;
}

/**
 * Applies `source.columnTypes` to a table a reader inferred: every named column must exist (else a
 * DataError listing the columns that exist and the nearest name); a `string` column becomes text
 * with `quiver.text_reason = declared text` (the CSV and JSON Lines readers already kept it as
 * written; a typed source's numbers are spelled as JavaScript does); a `number`, `boolean` or
 * `timestamp` column must read as one, else a DataError names its first line (row) and quoted value.
 */
export function applyColumnTypes(
  table: arrow.Table,
  types: Readonly<Record<string, ColumnType>> | undefined,
  source: string,
  format: DeclaredNumberFormat = {},
): arrow.Table {
  if (!types || Object.keys(types).length === 0) return table;
  const names = table.schema.fields.map((f) => f.name);
  for (const column of Object.keys(types))
    if (!names.includes(column))
      throw new DataError(
        `${source}: source.columnTypes.${column}: column ${quote(column)} ${missingColumn(column, names)}`,
      );
  const locator = rowLocator(table);
  const fields: arrow.Field[] = [];
  const children: arrow.Data[] = [];
  for (const field of table.schema.fields) {
    const vector = table.getChild(field.name)!;
    const declared = ownValue(types, field.name);
    const converted = declared ? convert(vector, field, declared, format) : null;
    if (converted && 'bad' in converted) {
      const { row, value } = converted.bad;
      throw new DataError(
        `${source}: column ${quote(field.name)} is declared ${declared} (source.columnTypes) but holds ${quote(value)} ` +
          `at ${locator.at(row)}: ${converted.why}`,
      );
    }
    fields.push(
      converted ? new arrow.Field(field.name, converted.data.type, true, converted.metadata) : field,
    );
    children.push(converted ? converted.data : vector.data.length === 1 ? vector.data[0] : concat(vector));
  }
  return singleBatchTable(new arrow.Schema(fields, table.schema.metadata), children, table.numRows);
}

type Converted =
  { data: arrow.Data; metadata: Map<string, string> } | { bad: { row: number; value: string }; why: string };

/** The column as `declared`, its field metadata, or the first value that is not one; null to keep it. */
function convert(
  vector: arrow.Vector,
  field: arrow.Field,
  declared: ColumnType,
  format: DeclaredNumberFormat,
): Converted | null {
  const type = field.type as arrow.DataType;
  const timestamp = field.metadata.get(LOGICAL_TYPE_KEY) === 'timestamp';
  const numeric = (arrow.DataType.isFloat(type) || arrow.DataType.isInt(type)) && !timestamp;
  const text = !numeric && !timestamp && !arrow.DataType.isBool(type);
  const keep = new Map(
    [...field.metadata].filter(([key]) => key !== TEXT_REASON_KEY && key !== LOGICAL_TYPE_KEY),
  );
  const cells = (read: (value: unknown) => unknown) =>
    Array.from({ length: vector.length }, (_, i) => {
      const value = vector.get(i) as unknown;
      return value === null || value === undefined ? null : read(value);
    });
  switch (declared) {
    case 'string': {
      const metadata = new Map([...keep, [TEXT_REASON_KEY, DECLARED_TEXT]]);
      if (text) return { data: vector.data.length === 1 ? vector.data[0] : concat(vector), metadata };
      const words = cells((v) =>
        timestamp ? new Date(Number(v)).toISOString() : typeof v === 'bigint' ? v.toString() : String(v),
      );
      const data = arrow.vectorFromArray(words, new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()))
        .data[0];
      return { data, metadata };
    }
    case 'number': {
      if (numeric) return null;
      // A flag declared a number is its 0/1 (a reader may have typed `0`/`1` or `True` as a boolean).
      if (arrow.DataType.isBool(type))
        return {
          data: arrow.vectorFromArray(
            cells((v) => (v ? 1 : 0)),
            new arrow.Float64(),
          ).data[0],
          metadata: keep,
        };
      if (!text)
        return firstBad(
          vector,
          () => true,
          timestamp ? 'an ISO-8601 timestamp, not a number (declare it timestamp)' : 'not a number',
        );
      const bad = firstBad(vector, (w) => numberOf(w, format) === null, 'not a number');
      if (bad) return bad;
      const values = cells((v) => numberOf(String(v), format));
      return { data: arrow.vectorFromArray(values, new arrow.Float64()).data[0], metadata: keep };
    }
    case 'boolean':
      if (arrow.DataType.isBool(type)) return null;
      if (numeric) {
        const bad = firstBad(vector, (w) => w !== '0' && w !== '1', 'not a boolean (0/1 in a number column)');
        if (bad) return bad;
        return {
          data: arrow.vectorFromArray(
            cells((v) => Number(v) === 1),
            new arrow.Bool(),
          ).data[0],
          metadata: keep,
        };
      }
      return firstBad(
        vector,
        (w) => parseBooleanWord(w.trim()) === null,
        'not a boolean (true/false/True/False/TRUE/FALSE)',
      );
    case 'timestamp': {
      if (timestamp) return null;
      const why = 'not an ISO-8601 timestamp (2024-01-05, 2024-01-05T08:30:00Z)';
      const bad = firstBad(vector, (w) => !text || parseIsoTimestamp(w.trim()) === null, why);
      if (bad) return bad;
      const values = cells((v) => parseIsoTimestamp(String(v).trim()));
      return {
        data: arrow.vectorFromArray(values, new arrow.Float64()).data[0],
        metadata: new Map([...keep, [LOGICAL_TYPE_KEY, 'timestamp']]),
      };
    }
  }
}

/** The first non-null value for which `bad` holds, with why; null when there is none. */
function firstBad(
  vector: arrow.Vector,
  bad: (word: string) => boolean,
  why: string,
): { bad: { row: number; value: string }; why: string } | null {
  for (let i = 0; i < vector.length; i++) {
    const value = vector.get(i) as unknown;
    if (value === null || value === undefined) continue;
    const word = String(value);
    if (bad(word)) return { bad: { row: i, value: word }, why };
  }
  return null;
}

/** A chunked vector as one chunk, so every column of the result shares one record batch. */
function concat(vector: arrow.Vector): arrow.Data {
  const values = Array.from({ length: vector.length }, (_, i) => vector.get(i) as unknown);
  return arrow.vectorFromArray(values, vector.type as arrow.DataType).data[0];
}
