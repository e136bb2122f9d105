import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DigestCache } from './digest-cache';
import { DataError } from './errors';
import { openSourceStream, readSourceBytes as readObjectBytes } from './object-store/uri-io';

/** Local path of a source URI (a plain path or `file://`). */
export function sourcePath(uri: string): string {
  return uri.startsWith('file://') ? fileURLToPath(uri) : uri;
}

/**
 * SHA-256 of a source file's bytes: part of ingest's cache key, so edited data is never reused.
 * The digest is recorded in `digests`; with `trustCached`, a file unchanged since it was last hashed
 * is not read again (plans); ingest, which reads the file anyway, always hashes it.
 */
export async function sourceSha256(
  uri: string,
  options: { digests?: DigestCache; trustCached?: boolean; signal?: AbortSignal } = {},
): Promise<string> {
  const { digests, trustCached = false, signal } = options;
  if (uri.startsWith('s3://')) return hashStream(uri, () => openSourceStream(uri));
  const file = sourcePath(uri);
  const cached = trustCached ? await digests?.get(file) : null;
  if (cached) return cached;
  const hash = createHash('sha256');
  try {
    // 1 MiB reads: hashing a large source in 64 KiB pieces took twice as long.
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
      // A cancelled or timed-out attempt stops here (an endless source such as /dev/zero included).
      signal?.throwIfAborted();
      hash.update(chunk as Buffer);
    }
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new DataError(`cannot read source ${uri}: ${(error as Error).message}`);
  }
  const sha256 = hash.digest('hex');
  await digests?.record(file, sha256);
  return sha256;
}

/** SHA-256 of a remote source's bytes (no digest cache: only local files have an identity to trust). */
async function hashStream(uri: string, open: () => Promise<AsyncIterable<unknown>>): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of await open()) hash.update(chunk as Buffer);
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(`cannot read source ${uri}: ${(error as Error).message}`, { cause: error });
  }
  return hash.digest('hex');
}

/**
 * The bytes of a source URI (a plain path, `file://` or `s3://`): the one place sources are read, so another
 * scheme (`s3://`) joins here. A missing file is a DataError naming it.
 */
export async function readSourceBytes(uri: string): Promise<Buffer> {
  if (uri.startsWith('s3://')) return readObjectBytes(uri);
  const file = sourcePath(uri);
  try {
    return await fs.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError(`source file not found: ${file}`, { cause: error });
    if (code === 'EISDIR') throw new DataError(`source ${file} is a directory, not a file`, { cause: error });
    throw error;
  }
}
