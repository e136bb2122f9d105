import * as arrow from 'apache-arrow';
import { yamlName } from '../yaml-name';
import { DataError } from '../errors';
import { rowLocator } from '../sources/row-lines';
import { LOGICAL_TYPE_KEY } from '../sources/text-types';
import { trainingRange } from './input-range';

/** Standard scaling of one numeric (or boolean, as 0/1) column; nulls become the training mean. */
export interface NumericFeature {
  name: string;
  kind: 'numeric';
  /** `boolean` when the column was Arrow Bool: instances may then send `true`/`false`. */
  dtype: 'number' | 'boolean';
  /** `timestamp` when ingest read the column from ISO-8601 text (ms since the epoch): serving accepts ISO strings for it. */
  logicalType?: 'timestamp';
  mean: number;
  /** Population standard deviation of the training rows; 1 when the column is constant. */
  std: number;
  /** Observed range of a number (not timestamp) column's training rows: serving warns far outside it. */
  min?: number;
  max?: number;
  /** First input column this feature fills. */
  offset: number;
}

/** One-hot encoding of one string column; nulls and categories unseen in training encode as all zeros. */
export interface CategoricalFeature {
  name: string;
  kind: 'categorical';
  /** Categories seen in the training rows, sorted by code unit (locale independent). */
  categories: string[];
  /**
   * Serving only: a raw column whose categories the model does not fix (a features stage hashes it,
   * buckets rare values as `other`, or derives from it): any value is known, none warns as unseen.
   */
  anyCategory?: boolean;
  offset: number;
}

export type FeatureTransform = NumericFeature | CategoricalFeature;

/**
 * Everything needed to turn raw rows into model inputs and class indices back into labels. Plain JSON:
 * it travels in the model checkpoint's schema metadata.
 */
export interface Preprocessing {
  version: 1;
  target: string;
  /** Arrow type family of the target column, so labels can be given back in their own type. */
  labelType: 'string' | 'number' | 'boolean';
  /** Label classes as strings, sorted (numerically for numeric labels); index = class id. */
  classes: string[];
  features: FeatureTransform[];
  /** Width of one transformed row. */
  inputWidth: number;
  /** Absent in models written before regression existed: they classify. */
  task?: 'classification' | 'regression';
  /** Regression only: the model predicts `(y - mean) / std`; `classes` is empty. */
  targetScaling?: { mean: number; std: number };
}

type Column = arrow.Vector;

function column(table: arrow.Table, name: string): Column {
  const vector = table.getChild(name);
  if (!vector) {
    const names = table.schema.fields.map((f) => f.name).join(', ');
    throw new DataError(`column "${name}" not found (columns: ${names})`);
  }
  return vector;
}

function isStringType(type: arrow.DataType): boolean {
  if (arrow.DataType.isDictionary(type)) return isStringType(type.dictionary);
  return arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type) || arrow.DataType.isUtf8View(type);
}

function isNumericType(type: arrow.DataType): boolean {
  return arrow.DataType.isInt(type) || arrow.DataType.isFloat(type);
}

/** A numeric cell as a finite number, or null for nulls and NaN/Infinity. */
function numberAt(col: Column, row: number): number | null {
  const value: unknown = col.get(row);
  if (value === null || value === undefined) return null;
  const n =
    typeof value === 'bigint'
      ? Number(value)
      : typeof value === 'boolean'
        ? Number(value)
        : (value as number);
  return Number.isFinite(n) ? n : null;
}

function stringAt(col: Column, row: number): string | null {
  const value: unknown = col.get(row);
  return value === null || value === undefined ? null : String(value);
}

/** The label of one row as its class string, or null when the label is null. */
function labelAt(col: Column, row: number): string | null {
  const value: unknown = col.get(row);
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isNaN(value)) return null;
  return String(value);
}

function labelTypeOf(type: arrow.DataType, name: string): Preprocessing['labelType'] {
  if (isStringType(type)) return 'string';
  if (isNumericType(type)) return 'number';
  if (arrow.DataType.isBool(type)) return 'boolean';
  throw new DataError(`target "${name}" has type ${String(type)}; expected strings, integers or booleans`);
}

/** Whether ingest marked the column a timestamp (field metadata `quiver.logical_type`). */
function isTimestampField(table: arrow.Table, name: string): boolean {
  const field = table.schema.fields.find((f) => f.name === name);
  return field?.metadata.get(LOGICAL_TYPE_KEY) === 'timestamp';
}

function allRows(table: arrow.Table): Int32Array {
  const rows = new Int32Array(table.numRows);
  for (let i = 0; i < rows.length; i++) rows[i] = i;
  return rows;
}

/**
 * Rows whose label is not null (among `rows`, default all). Rows with a null label cannot be trained
 * or scored, so the training core drops them *before* splitting; `encodeLabels` rejects them.
 */
export function labeledRows(
  table: arrow.Table,
  target: string,
  rows: Int32Array = allRows(table),
): Int32Array {
  const col = column(table, target);
  return rows.filter((row) => labelAt(col, row) !== null);
}

/** Features to train on: the spec's list, or every column except the target. */
export function resolveFeatures(table: arrow.Table, target: string, features?: string[]): string[] {
  const resolved = features ?? table.schema.fields.map((f) => f.name).filter((name) => name !== target);
  if (resolved.length === 0) throw new DataError('no feature columns to train on');
  const seen = new Set<string>();
  for (const name of resolved) {
    if (name === target) throw new DataError(`target "${target}" cannot also be a feature`);
    if (seen.has(name)) throw new DataError(`feature "${name}" is listed twice`);
    seen.add(name);
    column(table, name);
  }
  return resolved;
}

/**
 * Fits the preprocessing on the training `rows` only (no holdout leakage): mean/std per numeric
 * feature, sorted categories per string feature, and the sorted label classes (null labels ignored).
 */
export function fitPreprocessing(
  table: arrow.Table,
  features: string[],
  target: string,
  rows: Int32Array,
  task: 'classification' | 'regression' = 'classification',
): Preprocessing {
  resolveFeatures(table, target, features);
  const targetCol = column(table, target);
  const labelType = labelTypeOf(targetCol.type, target);

  let offset = 0;
  const transforms = features.map((name): FeatureTransform => {
    const col = column(table, name);
    if (isNumericType(col.type) || arrow.DataType.isBool(col.type)) {
      const scaling = standardScaling(col, rows);
      if (!scaling)
        throw new DataError(
          `feature "${name}" has no non-null values in the training rows (all null): ` +
            `leave it out of the model (train.features, a keep-list without ${yamlName(name)}) or fill it upstream`,
        );
      const { mean, std } = scaling;
      const dtype = arrow.DataType.isBool(col.type) ? 'boolean' : 'number';
      const transform: NumericFeature = {
        name,
        kind: 'numeric',
        dtype,
        ...(isTimestampField(table, name) ? { logicalType: 'timestamp' as const } : {}),
        mean,
        std,
        ...(dtype === 'number' && !isTimestampField(table, name) ? trainingRange(col, rows) : {}),
        offset,
      };
      offset += 1;
      return transform;
    }
    if (isStringType(col.type)) {
      const categories = new Set<string>();
      for (const row of rows) {
        const v = stringAt(col, row);
        if (v !== null) categories.add(v);
      }
      const transform: CategoricalFeature = {
        name,
        kind: 'categorical',
        categories: [...categories].sort(),
        offset,
      };
      offset += categories.size;
      return transform;
    }
    throw new DataError(
      `feature "${name}" has type ${String(col.type)}; expected numbers, booleans or strings`,
    );
  });

  if (task === 'regression') {
    const targetScaling = fitTargetScaling(targetCol, target, rows);
    const base = { version: 1 as const, target, labelType, classes: [], features: transforms };
    return { ...base, inputWidth: offset, task, targetScaling };
  }
  const classSet = new Set<string>();
  for (const row of rows) {
    const label = labelAt(targetCol, row);
    if (label !== null) classSet.add(label);
  }
  if (classSet.size < 2) {
    throw new DataError(
      `target "${target}" has ${classSet.size} class(es) in the training rows; need at least 2`,
    );
  }
  const classes = [...classSet].sort(labelType === 'number' ? (a, b) => Number(a) - Number(b) : undefined);

  return { version: 1, target, labelType, classes, features: transforms, inputWidth: offset };
}

/** Scaled/one-hot inputs for `rows`, row-major, `prep.inputWidth` values per row. */
export function transformFeatures(table: arrow.Table, prep: Preprocessing, rows: Int32Array): Float32Array {
  const width = prep.inputWidth;
  const out = new Float32Array(rows.length * width);
  for (const feature of prep.features) {
    const col = column(table, feature.name);
    if (feature.kind === 'numeric') {
      for (let i = 0; i < rows.length; i++) {
        const v = numberAt(col, rows[i]);
        out[i * width + feature.offset] = v === null ? 0 : (v - feature.mean) / feature.std;
      }
    } else {
      const index = new Map(feature.categories.map((c, i) => [c, i]));
      for (let i = 0; i < rows.length; i++) {
        const v = stringAt(col, rows[i]);
        const k = v === null ? undefined : index.get(v);
        if (k !== undefined) out[i * width + feature.offset + k] = 1;
      }
    }
  }
  return out;
}

/** Class ids for `rows`. Throws DataError on a null label or one not seen in training. */
export function encodeLabels(table: arrow.Table, prep: Preprocessing, rows: Int32Array): Int32Array {
  const col = column(table, prep.target);
  const index = new Map(prep.classes.map((c, i) => [c, i]));
  const out = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const label = labelAt(col, rows[i]);
    if (label === null)
      throw new DataError(`${rowLocator(table).at(rows[i])}: target "${prep.target}" is null`);
    const k = index.get(label);
    if (k === undefined) {
      throw new DataError(
        `${rowLocator(table).at(rows[i])}: label "${label}" of "${prep.target}" was not seen in training`,
      );
    }
    out[i] = k;
  }
  return out;
}

/** The label for a class id, in the target column's own type. */
export function decodeLabel(prep: Preprocessing, classIndex: number): string | number | boolean {
  const label = prep.classes[classIndex];
  if (label === undefined)
    throw new DataError(`class index ${classIndex} out of range (${prep.classes.length})`);
  if (prep.labelType === 'number') return Number(label);
  if (prep.labelType === 'boolean') return label === 'true';
  return label;
}

/**
 * Inputs for JSON instances (serving). Every feature key must be present; `null` means missing and is
 * treated like a null in training (mean / all zeros). Wrong types throw DataError naming the feature.
 */
export function transformInstances(records: Record<string, unknown>[], prep: Preprocessing): Float32Array {
  const width = prep.inputWidth;
  const out = new Float32Array(records.length * width);
  const indexes = prep.features.map((f) =>
    f.kind === 'categorical' ? new Map(f.categories.map((c, i) => [c, i])) : undefined,
  );
  records.forEach((record, i) => {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new DataError(`instance ${i}: expected an object of feature values`);
    }
    prep.features.forEach((feature, f) => {
      if (!Object.prototype.hasOwnProperty.call(record, feature.name)) {
        throw new DataError(`instance ${i}: feature "${feature.name}" is missing`);
      }
      const value = record[feature.name];
      if (value === null) return;
      if (feature.kind === 'numeric') {
        let n: number;
        if (typeof value === 'number' && Number.isFinite(value)) n = value;
        else if (typeof value === 'boolean' && feature.dtype === 'boolean') n = Number(value);
        else {
          const want = feature.dtype === 'boolean' ? 'a boolean' : 'a finite number';
          throw new DataError(
            `instance ${i}: feature "${feature.name}" must be ${want}, got ${JSON.stringify(value)}`,
          );
        }
        out[i * width + feature.offset] = (n - feature.mean) / feature.std;
      } else {
        if (typeof value !== 'string') {
          throw new DataError(
            `instance ${i}: feature "${feature.name}" must be a string, got ${JSON.stringify(value)}`,
          );
        }
        const k = indexes[f]!.get(value);
        if (k !== undefined) out[i * width + feature.offset + k] = 1;
      }
    });
  });
  return out;
}

/** Mean and population std of a numeric target over the training rows (std 1 when constant). */
function fitTargetScaling(col: Column, target: string, rows: Int32Array): { mean: number; std: number } {
  if (!isNumericType(col.type)) {
    throw new DataError(`target "${target}" has type ${String(col.type)}; regression needs numbers`);
  }
  const scaling = standardScaling(col, rows);
  if (!scaling) throw new DataError(`target "${target}" has no numeric values in the training rows`);
  return scaling;
}

/** Mean and standard deviation (1 when constant) of the non-null values at `rows`; null if there are none. */
function standardScaling(col: Column, rows: Int32Array): { mean: number; std: number } | null {
  let count = 0;
  let sum = 0;
  for (const row of rows) {
    const v = numberAt(col, row);
    if (v !== null) {
      count++;
      sum += v;
    }
  }
  if (count === 0) return null;
  const mean = sum / count;
  let squares = 0;
  for (const row of rows) {
    const v = numberAt(col, row);
    if (v !== null) squares += (v - mean) * (v - mean);
  }
  const std = Math.sqrt(squares / count);
  return { mean, std: std > 0 ? std : 1 };
}

/** Regression targets for `rows`, scaled as the model predicts them. Throws DataError on a null target. */
export function encodeTargets(table: arrow.Table, prep: Preprocessing, rows: Int32Array): Float32Array {
  const col = column(table, prep.target);
  const { mean, std } = prep.targetScaling ?? { mean: 0, std: 1 };
  const out = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const v = numberAt(col, rows[i]);
    if (v === null)
      throw new DataError(`${rowLocator(table).at(rows[i])}: target "${prep.target}" is null or not finite`);
    out[i] = (v - mean) / std;
  }
  return out;
}
