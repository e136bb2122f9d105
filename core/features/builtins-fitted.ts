import type * as arrow from 'apache-arrow';
import { FeatureTransformError } from '../errors';
import {
  columnNames,
  float64Vector,
  isNumericType,
  isStringType,
  numbersOf,
  requireColumn,
  stringsOf,
  utf8Vector,
  withColumns,
} from './columns';
import { fClassif, fRegression, mean, presentAt, quantile, std } from './stats';
import type { FitContext, Transform } from './types';
import { ownValue, columnRecord } from '../own-keys';

/** Built-ins that learn statistics from the training rows; their state holds them. */

/** The listed columns, or every non-target column whose type `accepts`. */
function chosenColumns(
  table: arrow.Table,
  what: string,
  target: string,
  listed: string[] | undefined,
  accepts: (type: arrow.DataType) => boolean,
): string[] {
  if (!listed) return columnNames(table).filter((n) => n !== target && accepts(table.getChild(n)!.type));
  for (const name of listed) {
    const vector = requireColumn(table, name, what);
    if (name === target)
      throw new FeatureTransformError(`${what}: cannot change the target column '${target}'`);
    if (!accepts(vector.type))
      throw new FeatureTransformError(`${what}: column '${name}' has type ${String(vector.type)}`);
  }
  return listed;
}

function requireState<T>(state: Record<string, T>, name: string, what: string): T {
  const value = ownValue(state, name);
  if (value === undefined) throw new FeatureTransformError(`${what}: no fitted state for column '${name}'`);
  return value;
}

// ---------------------------------------------------------------- impute

interface ImputeParams {
  columns?: string[];
  strategy: 'mean' | 'median' | 'most_frequent' | 'constant';
  value?: number | string;
}

/** Fill value per column: a number for numeric columns, a string for string columns. */
type ImputeState = Record<string, number | string>;

function mostFrequent<T extends number | string>(values: Iterable<T>): T | undefined {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  // Ties go to the smallest value, as scikit-learn's SimpleImputer does.
  let best: T | undefined;
  for (const [v, c] of counts) {
    const bc = best === undefined ? -1 : counts.get(best)!;
    if (c > bc || (c === bc && v < best!)) best = v;
  }
  return best;
}

export const imputeTransform: Transform<ImputeParams, ImputeState> = {
  fit(table, params, { trainRows, target }) {
    const numericOnly = params.strategy === 'mean' || params.strategy === 'median';
    const accepts = (t: arrow.DataType) => isNumericType(t) || (!numericOnly && isStringType(t));
    const state: ImputeState = columnRecord();
    for (const name of chosenColumns(table, 'impute', target, params.columns, accepts)) {
      const vector = table.getChild(name)!;
      let fill: number | string | undefined;
      if (isNumericType(vector.type)) {
        const present = presentAt(numbersOf(vector), trainRows);
        if (params.strategy === 'constant') fill = Number(params.value);
        else if (params.strategy === 'mean') fill = mean(present);
        else if (params.strategy === 'median') fill = quantile(present, 0.5);
        else fill = mostFrequent(present);
      } else {
        const strings = stringsOf(vector);
        if (params.strategy === 'constant') fill = String(params.value);
        else
          fill = mostFrequent(
            Array.from(trainRows, (r) => strings[r]).filter((v): v is string => v !== null),
          );
      }
      if (fill === undefined || (typeof fill === 'number' && !Number.isFinite(fill)))
        throw new FeatureTransformError(
          `impute: column '${name}' has no values in the training rows to impute from`,
        );
      state[name] = fill;
    }
    return state;
  },
  apply(table, state) {
    const replace = new Map<string, arrow.Vector>();
    for (const [name, fill] of Object.entries(state)) {
      const vector = requireColumn(table, name, 'impute');
      if (typeof fill === 'number') {
        const values = numbersOf(vector);
        for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i])) values[i] = fill;
        replace.set(name, float64Vector(values));
      } else {
        replace.set(name, utf8Vector(stringsOf(vector).map((v) => v ?? fill)));
      }
    }
    return withColumns(table, { replace });
  },
};

// ---------------------------------------------------------------- scale

interface ScaleParams {
  columns?: string[];
  method: 'standard' | 'minmax' | 'robust';
}

/** Per column: `(x - center) / scale`. */
type ScaleState = Record<string, { center: number; scale: number }>;

export const scaleTransform: Transform<ScaleParams, ScaleState> = {
  fit(table, params, { trainRows, target }) {
    const state: ScaleState = columnRecord();
    for (const name of chosenColumns(table, 'scale', target, params.columns, isNumericType)) {
      const present = presentAt(numbersOf(table.getChild(name)!), trainRows);
      if (present.length === 0)
        throw new FeatureTransformError(`scale: column '${name}' has no values in the training rows`);
      let center: number;
      let scale: number;
      if (params.method === 'standard') [center, scale] = [mean(present), std(present)];
      else if (params.method === 'minmax') {
        const min = present.reduce((a, b) => Math.min(a, b), Infinity);
        const max = present.reduce((a, b) => Math.max(a, b), -Infinity);
        [center, scale] = [min, max - min];
      } else [center, scale] = [quantile(present, 0.5), quantile(present, 0.75) - quantile(present, 0.25)];
      // A constant column would divide by zero: scikit-learn's scalers leave its spread at 1.
      state[name] = { center, scale: scale > 0 ? scale : 1 };
    }
    return state;
  },
  apply(table, state) {
    const replace = new Map<string, arrow.Vector>();
    for (const name of Object.keys(state)) {
      const { center, scale } = requireState(state, name, 'scale');
      const values = numbersOf(requireColumn(table, name, 'scale'));
      for (let i = 0; i < values.length; i++) values[i] = (values[i] - center) / scale;
      replace.set(name, float64Vector(values));
    }
    return withColumns(table, { replace });
  },
};

// ---------------------------------------------------------------- encode

interface EncodeParams {
  columns?: string[];
  method: 'onehot' | 'ordinal' | 'hashing';
  maxCategories?: number;
  buckets: number;
}

/** Per column: the categories (one-hot/ordinal order) and whether an `other` bucket exists. */
interface EncodeState {
  method: EncodeParams['method'];
  buckets: number;
  columns: Record<string, { categories: string[]; other: boolean }>;
}

/** The name of the one-hot column for `category` (and of the `other` bucket). */
export function oneHotName(column: string, category: string): string {
  return `${column}=${category}`;
}

/** FNV-1a, 32 bit: a stable, platform-independent hash for the hashing trick. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export const encodeTransform: Transform<EncodeParams, EncodeState> = {
  fit(table, params, { trainRows, target }) {
    const state: EncodeState = { method: params.method, buckets: params.buckets, columns: columnRecord() };
    for (const name of chosenColumns(table, 'encode', target, params.columns, isStringType)) {
      const strings = stringsOf(table.getChild(name)!);
      const counts = new Map<string, number>();
      for (const row of trainRows) {
        const v = strings[row];
        if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      let categories = [...counts.keys()].sort();
      let other = false;
      if (params.method === 'onehot' && params.maxCategories && categories.length > params.maxCategories) {
        // Keep the most frequent (ties: alphabetical), the rest share one `other` column.
        const kept = [...categories]
          .sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : 1))
          .slice(0, params.maxCategories - 1);
        categories = kept.sort();
        other = true;
      }
      state.columns[name] = { categories, other };
    }
    return state;
  },
  apply(table, state) {
    let out = table;
    for (const [name, { categories, other }] of Object.entries(state.columns)) {
      const strings = stringsOf(requireColumn(out, name, 'encode'));
      const index = new Map(categories.map((c, i) => [c, i]));
      const n = strings.length;
      if (state.method === 'ordinal') {
        // Null and categories unseen in training encode as -1 (scikit-learn's `unknown_value=-1`).
        const codes = Float64Array.from(strings, (v) => (v === null ? -1 : (index.get(v) ?? -1)));
        out = withColumns(out, { replace: new Map([[name, float64Vector(codes)]]) });
        continue;
      }
      const width = state.method === 'hashing' ? state.buckets : categories.length + (other ? 1 : 0);
      const columns = Array.from({ length: width }, () => new Float64Array(n));
      strings.forEach((v, row) => {
        if (v === null) return; // missing: all zeros
        const k =
          state.method === 'hashing'
            ? fnv1a(v) % state.buckets
            : (index.get(v) ?? (other ? categories.length : -1));
        if (k >= 0) columns[k][row] = 1;
      });
      const names =
        state.method === 'hashing'
          ? columns.map((_, k) => `${name}#${k}`)
          : [...categories.map((c) => oneHotName(name, c)), ...(other ? [oneHotName(name, 'other')] : [])];
      out = withColumns(out, {
        drop: new Set([name]),
        append: names.map((column, k) => [column, float64Vector(columns[k])]),
      });
    }
    return out;
  },
};

// ---------------------------------------------------------------- selectKBest

interface SelectKBestParams {
  k: number;
  score: 'auto' | 'f_classif' | 'f_regression';
}

interface SelectKBestState {
  score: 'f_classif' | 'f_regression';
  /** F-value per candidate column, in column order (NaN as null). */
  scores: Record<string, number | null>;
  keep: string[];
  drop: string[];
}

/** Class ids (classification) or values (regression) of the target at the training rows. */
function targetAt(table: arrow.Table, context: FitContext): { classes: Int32Array; values: Float64Array } {
  const target = table.getChild(context.target)!;
  const labels = stringsOf(target);
  const ids = new Map<string, number>();
  const classes = Int32Array.from(context.trainRows, (row) => {
    const label = labels[row] ?? '';
    if (!ids.has(label)) ids.set(label, ids.size);
    return ids.get(label)!;
  });
  const numbers = isNumericType(target.type) ? numbersOf(target) : new Float64Array(target.length);
  return { classes, values: Float64Array.from(context.trainRows, (row) => numbers[row]) };
}

export const selectKBestTransform: Transform<SelectKBestParams, SelectKBestState> = {
  fit(table, params, context) {
    const score =
      params.score === 'auto' ? (context.task === 'regression' ? 'f_regression' : 'f_classif') : params.score;
    const candidates = columnNames(table).filter((n) => n !== context.target);
    for (const name of candidates) {
      const type = table.getChild(name)!.type;
      if (!isNumericType(type))
        throw new FeatureTransformError(
          `selectKBest: column '${name}' is ${String(type)}; encode it first (selectKBest scores numbers)`,
        );
    }
    if (params.k > candidates.length)
      throw new FeatureTransformError(
        `selectKBest: k=${params.k} but only ${candidates.length} feature columns`,
      );
    const { classes, values } = targetAt(table, context);
    const scores = candidates.map((name) => {
      const all = numbersOf(table.getChild(name)!);
      const x = Float64Array.from(context.trainRows, (row) => all[row]);
      if (x.some(Number.isNaN))
        throw new FeatureTransformError(`selectKBest: column '${name}' has missing values; impute it first`);
      return score === 'f_classif' ? fClassif(x, classes) : fRegression(x, values);
    });
    // scikit-learn: a stable ascending sort of the scores (NaN lowest), keep the last k.
    const order = candidates
      .map((_, i) => i)
      .sort(
        (a, b) =>
          (Number.isNaN(scores[a]) ? -Infinity : scores[a]) -
          (Number.isNaN(scores[b]) ? -Infinity : scores[b]),
      );
    const kept = new Set(order.slice(order.length - params.k));
    return {
      score,
      scores: Object.fromEntries(candidates.map((n, i) => [n, Number.isNaN(scores[i]) ? null : scores[i]])),
      keep: candidates.filter((_, i) => kept.has(i)),
      drop: candidates.filter((_, i) => !kept.has(i)),
    };
  },
  apply(table, state) {
    for (const name of state.keep) requireColumn(table, name, 'selectKBest');
    return withColumns(table, { drop: new Set(state.drop.filter((n) => table.getChild(n))) });
  },
};
