import {
  Bool,
  DataType,
  Float64,
  Int32,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  vectorFromArray,
  type Data,
  type Vector,
} from 'apache-arrow';
import { columnRecord } from './own-keys';

/** Column statistics the sanity checks read: one pass over the column, nulls counted apart. */
export interface ColumnStats {
  name: string;
  kind: 'numeric' | 'categorical';
  rows: number;
  nulls: number;
  min: number | null;
  max: number | null;
  /** Distinct non-null values of a categorical column. */
  categories: string[];
}

export function columnStats(table: Table, name: string): ColumnStats {
  const vector = table.getChild(name);
  if (!vector) throw new Error(`no column ${name}`);
  const rows = vector.length;
  const numeric = DataType.isFloat(vector.type) || DataType.isInt(vector.type);
  const stats: ColumnStats = {
    name,
    kind: numeric ? 'numeric' : 'categorical',
    rows,
    nulls: vector.nullCount,
    min: null,
    max: null,
    categories: [],
  };
  if (numeric) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < rows; i++) {
      const value = vector.get(i) as number | null;
      if (value === null) continue;
      if (value < min) min = value;
      if (value > max) max = value;
    }
    if (min <= max) Object.assign(stats, { min, max });
  } else {
    stats.categories = [...distinctStrings(vector)].sort();
  }
  return stats;
}

function distinctStrings(vector: Vector): Set<string> {
  const seen = new Set<string>();
  for (let i = 0; i < vector.length; i++) {
    const value = vector.get(i) as unknown;
    if (value !== null && value !== undefined) seen.add(String(value));
  }
  return seen;
}

type ColumnValues =
  | { type: 'utf8'; values: (string | null)[] }
  | { type: 'float64'; values: (number | null)[] }
  | { type: 'int32'; values: (number | null)[] }
  | { type: 'bool'; values: boolean[] };

const TYPES = {
  utf8: () => new Utf8(),
  float64: () => new Float64(),
  int32: () => new Int32(),
  bool: () => new Bool(),
};

/** Builds a small Arrow table from plain columns with explicit types (reports, records). */
export function tableFromColumns(columns: Record<string, ColumnValues>): Table {
  const vectors = columnRecord<Vector>();
  for (const [name, column] of Object.entries(columns)) {
    vectors[name] = vectorFromArray(column.values as never[], TYPES[column.type]() as DataType);
  }
  return new Table(vectors);
}

export const utf8 = (values: (string | null)[]): ColumnValues => ({ type: 'utf8', values });
export const float64 = (values: (number | null)[]): ColumnValues => ({ type: 'float64', values });
export const bool = (values: boolean[]): ColumnValues => ({ type: 'bool', values });
/** Counts, versions, row indices: written as integers, so a reader never sees `3.0` for a count. */
export const int32 = (values: (number | null)[]): ColumnValues => ({ type: 'int32', values });

/**
 * `table` with `entries` added to its schema metadata (existing keys overwritten), sharing its column
 * data: how a step stamps what it learns after a table was built (source identity, fitted state).
 */
export function withSchemaMetadata(table: Table, entries: Iterable<[string, string]>): Table {
  const schema = new Schema(table.schema.fields, new Map([...table.schema.metadata, ...entries]));
  return new Table(
    schema,
    table.batches.map((batch) => new RecordBatch(schema, batch.data)),
  );
}

/**
 * A one-batch table of `schema`'s fields over `children` (one Data per field, each `numRows` long):
 * how a reader hands back columns it rebuilt (merged batches, converted types).
 */
export function singleBatchTable(schema: Schema, children: Data[], numRows: number): Table {
  const struct = makeData({ type: new Struct(schema.fields), length: numRows, nullCount: 0, children });
  return new Table(schema, [new RecordBatch(schema, struct)]);
}
