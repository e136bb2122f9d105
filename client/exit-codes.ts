import {
  CheckpointNotFoundError,
  ConfigError,
  DataError,
  ModelNotFoundError,
  NamespaceNotFoundError,
  namespaceNotFoundIn,
  NeedsTemporalError,
  QuiverError,
  RunNotFoundError,
  SchemaNotFoundError,
  SpecError,
  TemporalUnreachableError,
} from '../core/errors';
import { temporalAddressField } from '../core/config';
import { NoWorkerError } from './worker-check';

/** The CLI's exit codes (documented in the README). */
export const EXIT_CODES = {
  /** The command did what it was asked (a waited-for run completed). */
  ok: 0,
  /** A run failed or was cancelled, or the command failed for any other reason. */
  failed: 1,
  /** Bad input: an invalid spec, flag or argument; a run, checkpoint, model or version not found. */
  badInput: 2,
  /** No Temporal frontend answers at the configured address. */
  unreachable: 3,
} as const;

/** An error as `--json` prints it: `{"error": {type, message, field}}`. */
export interface ErrorReport {
  type: string;
  message: string;
  /** The field, flag or argument at fault, where known (a spec path such as `train.epochs`, `--limit`). */
  field: string | null;
}

const BAD_INPUT: readonly (abstract new (...args: never[]) => Error)[] = [
  SpecError,
  ConfigError,
  DataError,
  CheckpointNotFoundError,
  ModelNotFoundError,
  RunNotFoundError,
  SchemaNotFoundError,
  NeedsTemporalError,
];

/**
 * True for gRPC "unavailable" (code 14) and "deadline exceeded" (code 4) failures: the server went
 * away or never answered (a server stopped while `run --wait` polls surfaces as a deadline). A
 * deadline inside one of Quiver's named errors is that error's (an open run whose worker does not
 * answer a query: the server is there), so only a bare one counts.
 */
function isUnavailable(error: unknown): boolean {
  const named = error instanceof QuiverError;
  for (
    let e = error as { code?: unknown; name?: unknown; cause?: unknown } | undefined;
    e;
    e = e.cause as typeof e
  )
    if (e.code === 14 || (e.code === 4 && !named) || e.name === 'TransportError') return true;
  return false;
}

/** Temporal's own "no such workflow" (a run id it does not know), should one escape the client. */
function isWorkflowNotFound(error: unknown): boolean {
  return (error as { name?: unknown } | undefined)?.name === 'WorkflowNotFoundError';
}

/**
 * The namespace the server says it does not have, read from anywhere in `error`'s cause chain: the
 * SDK's NamespaceNotFoundError (`namespace`), or a gRPC NOT_FOUND (5) whose details name it (the read
 * path's GrpcCallError, grpc-js's ServiceError).
 */
export function missingNamespaceOf(error: unknown): string | undefined {
  type Link = { name?: unknown; namespace?: unknown; code?: unknown; details?: unknown; cause?: unknown };
  for (let e = error as Link | undefined; e; e = e.cause as Link | undefined) {
    if (e.name === 'NamespaceNotFoundError' && typeof e.namespace === 'string') return e.namespace;
    if (e.code === 5 && typeof e.details === 'string') {
      const namespace = namespaceNotFoundIn(e.details);
      if (namespace) return namespace;
    }
  }
  return undefined;
}

/**
 * A namespace the server does not have, as bad input naming where it came from (`--namespace`, or
 * `TEMPORAL_NAMESPACE` when no flag gave it): the same answer from every command, instead of a run
 * "not found" or a server that "did not answer". Undefined for any other error.
 */
export function namespaceError(error: unknown, argv: readonly string[]): NamespaceNotFoundError | undefined {
  const namespace = missingNamespaceOf(error);
  if (namespace === undefined) return undefined;
  const fromFlag = argv.some((arg) => arg === '--namespace' || arg.startsWith('--namespace='));
  const field = fromFlag || !process.env.TEMPORAL_NAMESPACE ? '--namespace' : 'TEMPORAL_NAMESPACE';
  return new NamespaceNotFoundError(
    `namespace '${namespace}' not found on the Temporal server (${field}): check its spelling, or create it with \`temporal operator namespace create ${namespace}\``,
    field,
  );
}

/** The exit code for an error a command threw. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof TemporalUnreachableError || isUnavailable(error)) return EXIT_CODES.unreachable;
  if (BAD_INPUT.some((type) => error instanceof type) || isWorkflowNotFound(error))
    return EXIT_CODES.badInput;
  return EXIT_CODES.failed;
}

/**
 * The setting that chose this command's Temporal address (`--address` in `argv`, else
 * `TEMPORAL_ADDRESS` when set, else `--address`), for an unreachable server's `field`.
 */
export function addressFieldOf(argv: readonly string[]): string {
  const fromFlag = argv.some((arg) => arg === '--address' || arg.startsWith('--address='));
  return temporalAddressField(fromFlag);
}

/**
 * The report `--json` prints for an error; `field` comes from a spec error's first issue, a config
 * error's field, or for a Temporal server that does not answer, where its address came from (its own
 * `field`, else `addressField`; none for a missing worker, which no address setting fixes).
 */
export function errorReport(error: unknown, addressField: string | null = null): ErrorReport {
  if (!(error instanceof Error)) return { type: 'Error', message: String(error), field: null };
  if (isWorkflowNotFound(error))
    return {
      type: 'RunNotFoundError',
      message: `run '${(error as Error & { workflowId?: string }).workflowId}' not found`,
      field: null,
    };
  if (!(error instanceof TemporalUnreachableError) && isUnavailable(error))
    return {
      type: 'TemporalUnreachableError',
      message: `cannot reach Temporal: ${error.message}`,
      field: addressField,
    };
  const field =
    error instanceof SpecError
      ? (error.issues[0]?.path ?? null)
      : error instanceof ConfigError
        ? error.field
        : error instanceof TemporalUnreachableError
          ? (error.field ?? (error instanceof NoWorkerError ? null : addressField))
          : null;
  return { type: error.name, message: error.message, field: field || null };
}
