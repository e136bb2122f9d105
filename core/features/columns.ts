import * as arrow from 'apache-arrow';
import { FeatureTransformError } from '../errors';

/** Arrow columns as the transforms see them: numbers (NaN = missing) or strings (null = missing). */

export function isNumericType(type: arrow.DataType): boolean {
  return arrow.DataType.isInt(type) || arrow.DataType.isFloat(type) || arrow.DataType.isBool(type);
}

export function isStringType(type: arrow.DataType): boolean {
  if (arrow.DataType.isDictionary(type)) return isStringType(type.dictionary);
  return arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type) || arrow.DataType.isUtf8View(type);
}

export function columnNames(table: arrow.Table): string[] {
  return table.schema.fields.map((f) => f.name);
}

/** The column, or a FeatureTransformError naming `where` and the columns there are. */
export function requireColumn(table: arrow.Table, name: string, where: string): arrow.Vector {
  const column = table.getChild(name);
  if (!column) {
    throw new FeatureTransformError(
      `${where}: unknown column '${name}' (columns: ${columnNames(table).join(', ')})`,
    );
  }
  return column;
}

/** A numeric (or boolean) column as Float64, missing values (null, NaN) as NaN. */
export function numbersOf(column: arrow.Vector): Float64Array {
  const out = new Float64Array(column.length);
  for (let i = 0; i < column.length; i++) {
    const value: unknown = column.get(i);
    out[i] =
      value === null || value === undefined
        ? NaN
        : typeof value === 'bigint' || typeof value === 'boolean'
          ? Number(value)
          : (value as number);
  }
  return out;
}

/** A column's cells as strings, null for missing. */
export function stringsOf(column: arrow.Vector): (string | null)[] {
  const out: (string | null)[] = new Array<string | null>(column.length);
  for (let i = 0; i < column.length; i++) {
    const value: unknown = column.get(i);
    out[i] = value === null || value === undefined ? null : String(value);
  }
  return out;
}

/** Float64 vector; NaN cells become nulls (missing stays missing across transforms). */
export function float64Vector(values: Float64Array): arrow.Vector {
  let nulls = 0;
  const validity = new Uint8Array((values.length + 7) >> 3);
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) nulls++;
    else validity[i >> 3] |= 1 << (i & 7);
  }
  const data = arrow.makeData({
    type: new arrow.Float64(),
    length: values.length,
    nullCount: nulls,
    nullBitmap: nulls > 0 ? validity : undefined,
    data: values,
  });
  return arrow.makeVector(data);
}

export function utf8Vector(values: (string | null)[]): arrow.Vector {
  return arrow.vectorFromArray(values, new arrow.Utf8());
}

/**
 * A table with the same rows and the given columns, in order. Built column by column so names that
 * look like integers keep their place (a plain object would reorder them).
 */
export function tableOf(columns: [string, arrow.Vector][]): arrow.Table {
  const chunks = columns.map(([, vector]) => singleChunk(vector));
  const fields = columns.map(([name], i) => new arrow.Field(name, chunks[i].type, true));
  const length = columns[0]?.[1].length ?? 0;
  const children = chunks.map((chunk) => chunk.data[0]);
  const struct = arrow.makeData({
    type: new arrow.Struct(fields),
    length,
    nullCount: 0,
    children,
  });
  return new arrow.Table(new arrow.Schema(fields), [new arrow.RecordBatch(new arrow.Schema(fields), struct)]);
}

/** One contiguous chunk: record batches need every child in one piece (checkpoints may hold several). */
function singleChunk(vector: arrow.Vector): arrow.Vector {
  if (vector.data.length === 1) return vector;
  const type = arrow.DataType.isDictionary(vector.type) ? new arrow.Utf8() : vector.type;
  const single = arrow.vectorFromArray(Array.from(vector as Iterable<unknown>), type as arrow.DataType);
  return single.data.length === 1 ? single : singleChunk(single);
}

/** `table`'s columns with `replace` swapped in place, `drop` left out and `append` added at the end. */
export function withColumns(
  table: arrow.Table,
  changes: { replace?: Map<string, arrow.Vector>; drop?: Set<string>; append?: [string, arrow.Vector][] },
): arrow.Table {
  const columns: [string, arrow.Vector][] = [];
  for (const name of columnNames(table)) {
    if (changes.drop?.has(name)) continue;
    columns.push([name, changes.replace?.get(name) ?? table.getChild(name)!]);
  }
  for (const [name, vector] of changes.append ?? []) {
    const at = columns.findIndex(([existing]) => existing === name);
    if (at >= 0) columns[at] = [name, vector];
    else columns.push([name, vector]);
  }
  return tableOf(columns);
}
