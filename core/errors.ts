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

/** The Temporal CLI could not be found, installed or started. */
export class TemporalServerError extends QuiverError {}

/** No Temporal frontend answers at the configured address (the CLI exits 3). */
export class TemporalUnreachableError extends QuiverError {}

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
] as const;
