import * as arrow from 'apache-arrow';
import { DataError, NonFiniteValueError } from '../errors';
import type { Preprocessing } from './preprocess';
import { locatorFrom, type RowLocator } from '../sources/row-lines';

/**
 * Where training reads its inputs: encoded rows built on demand, one batch at a time, so the whole
 * encoded matrix never exists (memory stays ~ raw table + one batch).
 */
export interface FeatureSource {
  /** Width of one encoded row. */
  width: number;
  /** Encoded rows `rows` (indices into the table), row-major, `width` values each. */
  batch(rows: Int32Array): Float32Array;
  /** The column an input position comes from, for error messages. */
  columnOf(position: number): string;
}

/** Reads numeric cells of any Arrow numeric/boolean column as numbers; nulls as null. */
function numericReader(col: arrow.Vector): (row: number) => number | null {
  return (row) => {
    const value: unknown = col.get(row);
    if (value === null || value === undefined) return null;
    return typeof value === 'bigint' || typeof value === 'boolean' ? Number(value) : (value as number);
  };
}

function requireColumn(table: arrow.Table, name: string): arrow.Vector {
  const col = table.getChild(name);
  if (!col) {
    const names = table.schema.fields.map((f) => `'${f.name}'`).join(', ');
    throw new DataError(`column '${name}' not found (columns: ${names})`);
  }
  return col;
}

/**
 * Today's implicit preprocessing (standard scaling + one-hot) applied per batch, with each column and
 * category index resolved once. Nulls encode as the training mean (0) or all zeros, as `transformFeatures`.
 */
export function preprocessedSource(table: arrow.Table, prep: Preprocessing): FeatureSource {
  const width = prep.inputWidth;
  const owners: string[] = new Array<string>(width);
  const fills = prep.features.map((feature) => {
    const col = requireColumn(table, feature.name);
    if (feature.kind === 'numeric') {
      owners[feature.offset] = feature.name;
      const read = numericReader(col);
      const { mean, std, offset } = feature;
      return (rows: Int32Array, out: Float32Array) => {
        for (let i = 0; i < rows.length; i++) {
          const v = read(rows[i]);
          out[i * width + offset] = v === null ? 0 : (v - mean) / std;
        }
      };
    }
    feature.categories.forEach((_, k) => (owners[feature.offset + k] = feature.name));
    const index = new Map(feature.categories.map((c, k) => [c, k]));
    const { offset } = feature;
    return (rows: Int32Array, out: Float32Array) => {
      for (let i = 0; i < rows.length; i++) {
        const value: unknown = col.get(rows[i]);
        const k = value === null || value === undefined ? undefined : index.get(String(value));
        if (k !== undefined) out[i * width + offset + k] = 1;
      }
    };
  });
  return {
    width,
    batch(rows) {
      const out = new Float32Array(rows.length * width);
      for (const fill of fills) fill(rows, out);
      return out;
    },
    columnOf: (position) => owners[position] ?? `input ${position}`,
  };
}

/**
 * Numeric feature columns used as they are (the output of a `features` stage): one input per column.
 * The swap from `preprocessedSource` to this is the one line in train.ts that picks the source.
 */
export function featureColumnsSource(table: arrow.Table, columns: string[]): FeatureSource {
  const readers = columns.map((name) => {
    const col = requireColumn(table, name);
    if (
      !arrow.DataType.isInt(col.type) &&
      !arrow.DataType.isFloat(col.type) &&
      !arrow.DataType.isBool(col.type)
    )
      throw new DataError(`feature column '${name}' has type ${String(col.type)}; the model needs numbers`);
    return numericReader(col);
  });
  const width = columns.length;
  return {
    width,
    batch(rows) {
      const out = new Float32Array(rows.length * width);
      readers.forEach((read, j) => {
        for (let i = 0; i < rows.length; i++) out[i * width + j] = read(rows[i]) ?? 0;
      });
      return out;
    },
    columnOf: (position) => columns[position] ?? `input ${position}`,
  };
}

/**
 * Throws NonFiniteValueError when an encoded batch holds NaN or ±Infinity (a value beyond float32, or
 * broken scaling), naming the column and the file line (`locator`; table row without one).
 */
export function assertFiniteBatch(
  values: Float32Array,
  rows: Int32Array,
  source: FeatureSource,
  locator: RowLocator = locatorFrom(undefined),
): void {
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) continue;
    const row = rows[Math.floor(i / source.width)];
    const column = source.columnOf(i % source.width);
    throw new NonFiniteValueError(
      `feature column '${column}' encodes to ${values[i]} at ${locator.at(row)}: its values overflow float32 or its scaling; drop, clip or log-transform the column`,
    );
  }
}
