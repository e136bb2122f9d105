import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StoreMismatchError } from '../errors';
import { FileObjectStore } from './file';
import { S3ObjectStore } from './s3';
import type { ObjectStore } from './types';

export * from './types';
export { timeKey } from './time-key';
export { FileObjectStore, fileModeOf, fsyncDir } from './file';
export { S3ObjectStore, parseS3Uri, s3Client, s3ClientConfig } from './s3';

/** Whether a store URI names an S3 bucket (shared by hosts) rather than a local directory. */
export function isS3Uri(uri: string): boolean {
  return uri.startsWith('s3://');
}

/**
 * Where Quiver's shared state lives (registry, pinned schemas, prediction logs): under the `s3://`
 * store itself when there is one, so every host sees the same state; otherwise under `home`, where a
 * single-host install has always kept it.
 */
export function stateStore(config: { home: string; store: string }): ObjectStore {
  return isS3Uri(config.store)
    ? new S3ObjectStore(config.store)
    : new FileObjectStore(path.resolve(config.home));
}

/**
 * Fails with StoreUnavailableError naming the store when it cannot be used: a missing bucket,
 * refused credentials, no server. A `file://` store is created on first write, so it always passes.
 */
export async function checkStore(uri: string): Promise<void> {
  if (isS3Uri(uri)) await new S3ObjectStore(uri).check();
}

/** One spelling per store: an absolute path for `file://` and plain paths, the URI without trailing `/` for S3. */
export function normaliseStoreUri(uri: string): string {
  if (isS3Uri(uri)) return uri.replace(/\/+$/, '');
  return path.resolve(uri.startsWith('file://') ? fileURLToPath(uri) : uri);
}

/**
 * Throws StoreMismatchError when a run's client (`clientStore`) and this worker use different stores
 * and one of them is shared (`s3://`): the client would never see this worker's checkpoints or
 * registry. Two local stores are each host's own business (an embedded worker and a CLI may differ).
 */
export function refuseOtherStore(clientStore: string | undefined, workerStore: string): void {
  if (!clientStore || !(isS3Uri(clientStore) || isS3Uri(workerStore))) return;
  if (normaliseStoreUri(clientStore) === normaliseStoreUri(workerStore)) return;
  throw new StoreMismatchError(
    `this run was started by a client whose QUIVER_STORE is ${clientStore}, but this worker's is ` +
      `${workerStore}: give the client and every worker the same QUIVER_STORE`,
  );
}
