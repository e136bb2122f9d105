import type * as arrow from 'apache-arrow';
import type { TrainTask } from '../model/task';

/** JSON a transform's `fit` may return: it is stored in checkpoints and in the model. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What a transform learns from the training rows, besides its params. */
export interface FitContext {
  /** Training row indices into the table (ascending); fit statistics on these rows only. */
  trainRows: Int32Array;
  /** The target column's name: transforms must keep it unchanged. */
  target: string;
  task: TrainTask;
  /** Quiver's apache-arrow module: build result tables with it (one Arrow instance, no dual-package mix-ups). */
  arrow: typeof arrow;
}

/**
 * The contract of every transform, built-in or a user's module: `fit` learns JSON state from the
 * training rows, `apply` turns any table (training rows, holdout, a serving request) into a new one
 * with the same rows. Either may be async.
 */
export interface Transform<P = Record<string, unknown>, S = JsonValue> {
  fit(table: arrow.Table, params: P, context: FitContext): S | Promise<S>;
  apply(table: arrow.Table, state: S, context: ApplyContext): arrow.Table | Promise<arrow.Table>;
}

/** What `apply` may need besides its state. */
export interface ApplyContext {
  target: string;
  /** Quiver's apache-arrow module, as in FitContext. */
  arrow: typeof arrow;
}

/** One item of the spec's `features:` list, normalised: a built-in by name, or a module. */
export interface TransformSpec {
  /** Built-in name (`derive`) or `module`. */
  kind: string;
  /** Built-in params as declared, or the module's `params`. */
  params: Record<string, unknown>;
  /** Module path as written in the spec, and resolved against the spec file (custom only). */
  module?: string;
  modulePath?: string;
}

/** A fitted transform as it travels with the model: enough for validate and serve to re-apply it. */
export interface FittedTransform {
  index: number;
  /** `derive`, or the module's file name (`ratios.ts`). */
  name: string;
  kind: string;
  params: Record<string, unknown>;
  modulePath?: string;
  codeVersion: string;
  cacheKey: string;
  state: JsonValue;
}

/** Raw input columns the stage was fitted on: what a serving request must carry. */
export interface InputColumn {
  name: string;
  type: 'number' | 'boolean' | 'string';
  /** `timestamp`: a number column ingest read from ISO-8601 text; serving accepts ISO strings for it. */
  logicalType?: 'timestamp';
  /** A number (not timestamp) column's range over the training rows: serving warns far outside it. */
  min?: number;
  max?: number;
}

/** The fitted features stage: stored in the `transforms` checkpoint and in the model's metadata. */
export interface FittedFeatures {
  version: 1;
  target: string;
  inputs: InputColumn[];
  transforms: FittedTransform[];
  /** Feature columns of the stage's output, in order (all Float64). */
  features: string[];
}

/** `features[2] derive`: how errors, plans and status name a transform. */
export function transformLabel(index: number, name: string): string {
  return `features[${index}] ${name}`;
}
