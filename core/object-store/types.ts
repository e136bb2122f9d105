import { QuiverError, StoreStateError } from '../errors';

export { StoreStateError, StoreUnavailableError } from '../errors';

/** One stored object's bytes and the tag a conditional write compares against. */
export interface StoredObject {
  body: Buffer;
  /** Opaque version tag (S3's ETag; a content hash on disk): what `ifMatch` compares. */
  etag: string;
}

/** One entry of a listing. */
export interface ListedObject {
  /** Key relative to the store's root. */
  key: string;
  bytes: number;
  modifiedAt: Date;
}

/** Conditions of a write, as S3 names them; at most one is given. */
export interface PutConditions {
  /** Create only: fails with PreconditionFailedError when the key exists (`If-None-Match: *`). */
  ifNoneMatch?: '*';
  /** Replace only the version with this tag: compare-and-swap (`If-Match`). */
  ifMatch?: string;
}

/**
 * The small-object store that holds Quiver's shared state (registry, pinned schemas, prediction
 * logs) under one root: a directory (`file://`) or a bucket prefix (`s3://`). Keys are `/`-separated.
 * Every method names the object (its full URI) in the errors it throws.
 */
export interface ObjectStore {
  /** The root's URI: `file:///abs/dir` or `s3://bucket/prefix`. */
  readonly uri: string;
  /** The object, or null when it does not exist. */
  get(key: string): Promise<StoredObject | null>;
  /** Writes the object (atomically: readers see the old or the new bytes); returns its new tag. */
  put(key: string, body: Buffer | string, conditions?: PutConditions): Promise<{ etag: string }>;
  /** Objects whose key starts with `prefix`, in key order. */
  list(prefix: string): Promise<ListedObject[]>;
  /** Removes the object; a missing one is not an error. */
  delete(key: string): Promise<void>;
  /** The object's full URI, for messages. */
  uriOf(key: string): string;
}

/** A conditional write lost: the object exists (`ifNoneMatch`) or changed (`ifMatch`). */
export class PreconditionFailedError extends QuiverError {}

/** Parses a JSON object, or throws StoreStateError naming it (`what` is its URI). */
export function parseState<T>(body: Buffer | string, what: string): T {
  try {
    return JSON.parse(body.toString()) as T;
  } catch (cause) {
    throw new StoreStateError(
      `${what} cannot be parsed (${(cause as Error).message}): restore or remove it; it is never taken as empty`,
      { cause },
    );
  }
}
