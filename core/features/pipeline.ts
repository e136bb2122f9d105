import fs from 'node:fs';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { codeVersion } from '../code-version';
import { FeatureTransformError } from '../errors';
import { stableHash } from '../hash';
import type { TrainTask } from '../model/task';
import { BUILTIN_TRANSFORMS } from './builtins';
import {
  columnNames,
  float64Vector,
  isNumericType,
  isStringType,
  numbersOf,
  stringsOf,
  tableOf,
} from './columns';
import { loadTransformModule, moduleCodeVersion } from './modules';
import type { BuiltinName } from './spec';
import { transformName } from './spec';
import {
  transformLabel,
  type FittedFeatures,
  type FittedTransform,
  type InputColumn,
  type JsonValue,
  type Transform,
  type TransformSpec,
} from './types';
import { rowLocator, withRowLines } from '../sources/row-lines';
import { trainingRange } from '../model/input-range';
import { LOGICAL_TYPE_KEY } from '../sources/text-types';
import { yamlName } from '../yaml-name';
import { keptOutputColumns, planKeepList } from './keep-list';

let builtinVersion: string | undefined;

/** Version of the built-in transforms' code (core/features/builtins.ts and what it imports). */
export function builtinCodeVersion(): string {
  if (!builtinVersion) {
    const file = ['builtins.ts', 'builtins.js']
      .map((f) => path.join(__dirname, f))
      .find((f) => fs.existsSync(f));
    builtinVersion = file ? codeVersion(file) : 'unknown';
  }
  return builtinVersion;
}

/** The code version of each transform of a spec, in order: built-ins share one, modules hash their own. */
export function transformCodeVersions(specs: TransformSpec[]): string[] {
  return specs.map((spec, i) =>
    spec.module ? moduleCodeVersion(spec, transformLabel(i, transformName(spec))) : builtinCodeVersion(),
  );
}

/** A transform's cache key: what must match for its checkpoint to be reused. */
export function transformCacheKey(
  index: number,
  spec: TransformSpec,
  version: string,
  input: string,
): string {
  return stableHash({
    index,
    kind: spec.kind,
    module: spec.module ?? null,
    params: spec.params,
    version,
    input,
  });
}

/** A transform run by an earlier run that may be reused when its cache key matches. */
export interface PriorTransform {
  cacheKey: string;
  state: JsonValue;
  output: { sha256: string };
}

/** How a fit went, per transform: for status, plans and the UI. */
export interface TransformOutcome {
  fitted: FittedTransform;
  table: arrow.Table;
  reused: boolean;
  durationMs: number;
}

export interface FitFeaturesArgs {
  table: arrow.Table;
  specs: TransformSpec[];
  target: string;
  task: TrainTask;
  trainRows: Int32Array;
  /** Hash of the stage's input checkpoint: the first transform's cache key depends on it. */
  inputSha256: string;
  /** Transforms of an earlier run, by index; one whose cache key matches is loaded instead of fitted. */
  prior?: (PriorTransform | undefined)[];
  /** Reads a prior transform's output table (a checkpoint); null when it is gone. */
  loadPrior?: (prior: PriorTransform) => Promise<arrow.Table | null>;
  /**
   * The spec's `train.features` keep-list: the stage reads only the columns it needs (see keep-list.ts),
   * and its output holds only the kept columns (and their encoded columns).
   */
  keepList?: string[];
  /** Called after each transform (checkpointing, heartbeats). */
  onTransform?: (outcome: TransformOutcome) => Promise<void>;
}

/**
 * Fits every transform on the training rows and applies it to all rows, in order, checking each
 * result (an Arrow table, same rows, target unchanged, finite numbers). Ends with the numeric
 * feature table training reads and the fitted state that travels with the model.
 */
export async function fitFeatures(
  args: FitFeaturesArgs,
): Promise<{ fitted: FittedFeatures; output: arrow.Table }> {
  const { target } = args;
  // Without transforms the stage passes the data on, and train applies (and checks) the keep-list.
  const keepList = args.specs.length > 0 ? args.keepList : undefined;
  const plan = keepList ? planKeepList(columnNames(args.table), args.specs, keepList, target) : null;
  const specs = plan?.specs ?? args.specs;
  // Columns outside the keep-list never enter the stage: no transform needs them, serving never asks.
  const source = plan ? args.table.select(plan.columns) : args.table;
  const inputs = inputColumns(source, target, args.trainRows);
  const versions = transformCodeVersions(specs);
  let table = withRowLines(source, args.table);
  // The keep-list decides the columns the first transform sees: it is part of the chain of cache keys.
  let previousKey = plan ? stableHash({ input: args.inputSha256, columns: plan.columns }) : args.inputSha256;
  const transforms: FittedTransform[] = [];
  for (const [index, spec] of specs.entries()) {
    const started = performance.now();
    const name = transformName(spec);
    const label = transformLabel(index, name);
    const cacheKey = transformCacheKey(index, spec, versions[index], previousKey);
    previousKey = cacheKey;
    const base = {
      index,
      name,
      kind: spec.kind,
      params: spec.params,
      codeVersion: versions[index],
      cacheKey,
    };
    const prior = args.prior?.[index];
    const reusedTable = prior?.cacheKey === cacheKey ? await args.loadPrior?.(prior) : null;
    let fitted: FittedTransform;
    if (reusedTable) {
      table = reusedTable;
      fitted = { ...base, ...(spec.modulePath ? { modulePath: spec.modulePath } : {}), state: prior!.state };
    } else {
      const transform = transformFor(spec, label, versions[index]);
      const state = await guard(label, spec, 'fit', () =>
        transform.fit(table, spec.params, { trainRows: args.trainRows, target, task: args.task, arrow }),
      );
      fitted = {
        ...base,
        ...(spec.modulePath ? { modulePath: spec.modulePath } : {}),
        state: asJson(state, label),
      };
      table = await applyChecked(transform, table, fitted, spec, target);
    }
    transforms.push(fitted);
    await args.onTransform?.({
      fitted,
      table,
      reused: Boolean(reusedTable),
      durationMs: performance.now() - started,
    });
  }
  const kept = keepList ? keptOutputColumns(columnNames(table), keepList, target) : null;
  const output = withRowLines(
    finalFeatures(
      table,
      target,
      kept?.filter((n) => n !== target),
      kept !== null,
    ),
    args.table,
  );
  const features = columnNames(output).filter((n) => n !== target);
  return { fitted: { version: 1, target, inputs, transforms, features }, output };
}

/**
 * Applies a fitted stage to raw rows (validation's holdout, a serving request): the same transforms
 * with the same state, then the same numeric feature columns training saw.
 */
export async function applyFeatures(table: arrow.Table, fitted: FittedFeatures): Promise<arrow.Table> {
  let current = table;
  for (const transform of fitted.transforms) {
    const label = transformLabel(transform.index, transform.name);
    const spec: TransformSpec = {
      kind: transform.kind,
      params: transform.params,
      ...(transform.modulePath ? { module: transform.name, modulePath: transform.modulePath } : {}),
    };
    if (spec.module) {
      // Fitted state only means what the code that fitted it meant: refuse an edited module.
      const now = moduleCodeVersion(spec, label);
      if (now !== transform.codeVersion)
        throw new FeatureTransformError(
          `${label}: module ${transform.modulePath} changed since the model was trained (code ${transform.codeVersion} → ${now}); retrain`,
        );
    }
    current = await applyChecked(
      transformFor(spec, label, transform.codeVersion),
      current,
      transform,
      spec,
      fitted.target,
    );
  }
  const output = finalFeatures(current, fitted.target, fitted.features);
  return output;
}

function transformFor(spec: TransformSpec, label: string, version: string): Transform {
  if (spec.module) return loadTransformModule(spec, label, version);
  const builtin = BUILTIN_TRANSFORMS[spec.kind as BuiltinName] as Transform | undefined;
  if (!builtin) throw new FeatureTransformError(`${label}: unknown transform '${spec.kind}'`);
  return builtin;
}

/** Runs user (or built-in) code, turning whatever it throws into an error naming the transform. */
async function guard<T>(
  label: string,
  spec: TransformSpec,
  phase: 'fit' | 'apply',
  run: () => T | Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const where = spec.module ? `${label} (${spec.modulePath ?? spec.module})` : label;
    const reason = (error as Error)?.message ?? String(error);
    throw new FeatureTransformError(
      error instanceof FeatureTransformError ? `${where}: ${reason}` : `${where}: ${phase} threw: ${reason}`,
      { cause: error },
    );
  }
}

async function applyChecked(
  transform: Transform,
  table: arrow.Table,
  fitted: FittedTransform,
  spec: TransformSpec,
  target: string,
): Promise<arrow.Table> {
  const label = transformLabel(fitted.index, fitted.name);
  const out = await guard(label, spec, 'apply', () =>
    transform.apply(table, fitted.state, { target, arrow }),
  );
  const fail = (reason: string) =>
    new FeatureTransformError(
      `${spec.module ? `${label} (${spec.modulePath ?? spec.module})` : label}: ${reason}`,
    );
  if (!isTable(out)) throw fail(`apply returned ${describe(out)}, not an Arrow Table`);
  if (out.numRows !== table.numRows)
    throw fail(`apply returned ${out.numRows} rows for ${table.numRows}; transforms keep every row`);
  const before = table.getChild(target);
  const after = out.getChild(target);
  if (before && !after) throw fail(`apply dropped the target column '${target}'`);
  if (before && after) {
    const a = stringsOf(before);
    const b = stringsOf(after);
    const row = a.findIndex((v, i) => v !== b[i]);
    if (row >= 0)
      throw fail(
        `apply changed the target column '${target}' (${rowLocator(table).at(row)}: '${a[row]}' → '${b[row]}')`,
      );
  }
  for (const field of out.schema.fields) {
    if (field.name === target || !arrow.DataType.isFloat(field.type)) continue;
    const values = out.getChild(field.name)!;
    for (let i = 0; i < values.length; i++) {
      const v = values.get(i) as number | null;
      if (v !== null && !Number.isFinite(v))
        throw fail(`column '${field.name}' ${rowLocator(table).at(i)} is ${v}; values must be finite`);
    }
  }
  // Transforms keep every row: later transforms and training still name the file's lines.
  return withRowLines(out, table);
}

/**
 * Why the stage's output cannot train, in plain words: text columns (`'gender' is text`), other
 * non-numbers, columns with missing values (`'TotalCharges' (5)`). A features list replaces the
 * model's default encoding, which is why a list of `drop`s alone leaves text and nulls in the way.
 */
function notReady(text: string[], other: string[], missing: string[], keepList: boolean): string {
  const list = (names: string[]) => names.map((n) => (n.startsWith("'") ? n : `'${n}'`)).join(', ');
  const parts = [
    text.length > 0
      ? `text column(s) ${list(text)} (add an encode transform: { encode: { columns: [${text.map(yamlName).join(', ')}] } })`
      : '',
    other.length > 0 ? `non-numeric column(s) ${list(other)} (drop them or derive numbers from them)` : '',
    missing.length > 0
      ? `column(s) with missing values ${list(missing)} (add an impute transform: { impute: { columns: [${missing.map((m) => yamlName(m.slice(1, m.indexOf("'", 1)))).join(', ')}] } })`
      : '',
  ].filter(Boolean);
  const needs = `features: after the last transform the model needs numbers without missing values, but has ${parts.join('; and ')}. `;
  // With a keep-list the stage already works on the kept columns only: the way out is per kept column.
  if (keepList)
    return (
      needs +
      "A features list replaces the model's default encoding for the columns train.features keeps: " +
      'add encode/impute (and scale) for them, or leave them out of train.features'
    );
  return (
    needs +
    "A features list replaces the model's default encoding (one-hot text, nulls as the mean, standard scaling): " +
    'add encode/impute (and scale) yourself, or, to only leave columns out, drop the features list and use the keep-list ' +
    'train.features: [...], which keeps the default encoding'
  );
}

/** The stage's output: every feature column as Float64 without missing values, then the target. */
function finalFeatures(
  table: arrow.Table,
  target: string,
  expected?: string[],
  keepList = false,
): arrow.Table {
  const features = expected ?? columnNames(table).filter((n) => n !== target);
  const columns: [string, arrow.Vector][] = [];
  // Every column in the way is named at once: fixing them one failed run at a time wastes runs.
  const text: string[] = [];
  const other: string[] = [];
  const missing: string[] = [];
  for (const name of features) {
    const vector = table.getChild(name);
    if (!vector)
      throw new FeatureTransformError(
        `features: the transforms gave no column '${name}', which the model was trained on (columns: ${columnNames(table).join(', ')})`,
      );
    if (!isNumericType(vector.type)) {
      (isStringType(vector.type) ? text : other).push(name);
      continue;
    }
    const values = numbersOf(vector);
    const nulls = values.filter(Number.isNaN).length;
    if (nulls > 0) missing.push(`'${name}' (${nulls})`);
    else columns.push([name, float64Vector(values)]);
  }
  if (text.length + other.length + missing.length > 0)
    throw new FeatureTransformError(notReady(text, other, missing, keepList));
  if (columns.length === 0)
    throw new FeatureTransformError('features: the transforms left no feature columns');
  const targetColumn = table.getChild(target);
  if (targetColumn) columns.push([target, targetColumn]);
  return tableOf(columns);
}

/** The raw columns (all but the target) and their kinds: what a serving request must carry. */
function inputColumns(table: arrow.Table, target: string, trainRows: Int32Array): InputColumn[] {
  return table.schema.fields
    .filter((f) => f.name !== target)
    .map((f) => {
      const type = arrow.DataType.isBool(f.type) ? 'boolean' : isNumericType(f.type) ? 'number' : 'string';
      const timestamp = f.metadata.get(LOGICAL_TYPE_KEY) === 'timestamp';
      // A number's training range lets serving flag a request far outside it (timestamps move on).
      const range =
        type === 'number' && !timestamp ? trainingRange(table.getChild(f.name)!, trainRows) : null;
      return { name: f.name, type, ...(timestamp ? { logicalType: 'timestamp' as const } : {}), ...range };
    });
}

/** A table from this process's Arrow or another copy of apache-arrow (a user's own dependency). */
function isTable(value: unknown): value is arrow.Table {
  if (value instanceof arrow.Table) return true;
  const t = value as arrow.Table | null;
  return (
    typeof t === 'object' &&
    t !== null &&
    typeof t.getChild === 'function' &&
    typeof t.numRows === 'number' &&
    Boolean(t.schema)
  );
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object'
    ? `an object (${value.constructor?.name ?? 'Object'})`
    : `a ${typeof value}`;
}

/** State must survive JSON (it is stored in checkpoints and the model): refuse what would not. */
function asJson(state: unknown, label: string): JsonValue {
  if (state === undefined) return null;
  let text: string;
  try {
    text = JSON.stringify(state);
  } catch (error) {
    throw new FeatureTransformError(
      `${label}: fit returned state that is not JSON-serialisable: ${(error as Error).message}`,
    );
  }
  return JSON.parse(text) as JsonValue;
}
