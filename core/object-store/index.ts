import path from 'node:path';
import { FileObjectStore } from './file';
import { S3ObjectStore } from './s3';
import type { ObjectStore } from './types';

export * from './types';
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
