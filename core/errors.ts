/**
 * Quiver's named errors. Workflow code must stay free of Node built-ins, so this module only
 * declares classes and the list of non-retryable type names that the workflow's retry policies use.
 */

/** Base class: carries an optional cause, like every Quiver error. */
export class QuiverError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A pipeline spec failed validation; `issues` name each field path and reason. */
export class SpecError extends QuiverError {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/** Input data is malformed (bad CSV row, missing column, wrong type). */
export class DataError extends QuiverError {}

/** One or more data sanity checks failed. */
export class SanityCheckError extends QuiverError {}

/** Validation metrics fell below the spec's thresholds. */
export class ValidationGateError extends QuiverError {}

/** A checkpoint's bytes no longer match its content address. */
export class CheckpointIntegrityError extends QuiverError {}

/** A checkpoint that was referenced does not exist. */
export class CheckpointNotFoundError extends QuiverError {}

/** A model or alias asked of the registry does not exist. */
export class ModelNotFoundError extends QuiverError {}

/** A run id that neither Temporal nor this machine's run records know (the CLI exits 2, bad input). */
export class RunNotFoundError extends QuiverError {}

/** `schema show` of a pipeline with no pinned schema (the CLI exits 2, bad input). */
export class SchemaNotFoundError extends QuiverError {}

/**
 * Asked of a local run (`run --local`), a command that only a Temporal server can do (resume, replay,
 * `--reuse-from`) found none: the message says why and what works offline (the CLI exits 2).
 */
export class NeedsTemporalError extends QuiverError {}

/**
 * A features-stage transform (built-in or user module) is misdeclared or misbehaved: unknown transform
 * or column, missing module or wrong exports, a throw, a non-Arrow result, a dropped target,
 * non-finite values. The message names the transform (`features[2] derive`), its module and the reason.
 */
export class FeatureTransformError extends QuiverError {}

/**
 * Shared state (registry, pinned schema, …) exists but cannot be read or parsed. Never taken as
 * empty: acting on a guess would drop what others wrote. The message names the object.
 */
export class StoreStateError extends QuiverError {}

/** The store cannot be used at all (missing bucket, refused credentials, no server); names its URI. */
export class StoreUnavailableError extends QuiverError {}

/** A run's client and a worker use different stores: checkpoints written by one are invisible to the other. */
export class StoreMismatchError extends QuiverError {}

/** The Temporal CLI could not be found, installed or started. */
export class TemporalServerError extends QuiverError {}

/** A value, statistic, loss, weight or prediction is NaN or infinite; names the column or epoch. */
export class NonFiniteValueError extends QuiverError {}

/** A step ran out of memory or hit an allocation limit; the message says what to change. */
export class ResourceLimitError extends QuiverError {}

/** User code (a model or transform module) is missing, does not export the right shape, or threw. */
export class UserCodeError extends QuiverError {}

/**
 * An environment variable holds a value Quiver cannot use (`TEMPORAL_ADDRESS=localhost`, no port);
 * `field` names the variable (the CLI exits 2, bad input, with `field` in its `--json` error).
 */
export class ConfigError extends QuiverError {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/** The Temporal server has no such namespace (`--namespace`, TEMPORAL_NAMESPACE): bad input, exit 2. */
export class NamespaceNotFoundError extends ConfigError {}

/**
 * The namespace a Temporal server's NOT_FOUND details name as missing (`Namespace X is not found.`, its
 * words on every call that names one); undefined for any other NOT_FOUND (an unknown workflow id).
 */
export function namespaceNotFoundIn(details: string): string | undefined {
  return /^Namespace (\S+) is not found/.exec(details)?.[1];
}

/** The CLI could not write its output (stdout on a full disk, a closed descriptor): said on stderr, exit 1. */
export class OutputError extends QuiverError {}

/**
 * No Temporal frontend answers at the configured address (the CLI exits 3). `field` names where that
 * address came from (`--address`, `TEMPORAL_ADDRESS`), so the fix is made there; null when unknown.
 */
export class TemporalUnreachableError extends QuiverError {
  readonly field: string | null;

  constructor(message: string, options?: { cause?: unknown; field?: string | null }) {
    super(message, options);
    this.field = options?.field ?? null;
  }
}

/**
 * Error type names that Temporal must never retry: bad data and bad specs will fail the same way
 * again. Declared once here and used by every activity retry policy.
 */
export const NON_RETRYABLE_ERROR_TYPES = [
  'SpecError',
  'DataError',
  'SanityCheckError',
  'ValidationGateError',
  'CheckpointIntegrityError',
  'CheckpointNotFoundError',
  'NonFiniteValueError',
  'ResourceLimitError',
  'UserCodeError',
  'FeatureTransformError',
  'StoreStateError',
  'StoreMismatchError',
] as const;

/** Whether a failure of this type must fail the run, never be retried or pause it (workflow and activities agree). */
export function isNonRetryableErrorType(type: string | null | undefined): boolean {
  return (
    type !== null && type !== undefined && (NON_RETRYABLE_ERROR_TYPES as readonly string[]).includes(type)
  );
}
