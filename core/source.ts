import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DigestCache } from './digest-cache';
import { DataError } from './errors';

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
  options: { digests?: DigestCache; trustCached?: boolean } = {},
): Promise<string> {
  const { digests, trustCached = false } = options;
  const file = sourcePath(uri);
  const cached = trustCached ? await digests?.get(file) : null;
  if (cached) return cached;
  const hash = createHash('sha256');
  try {
    // 1 MiB reads: hashing a large source in 64 KiB pieces took twice as long.
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }))
      hash.update(chunk as Buffer);
  } catch (error) {
    throw new DataError(`cannot read source ${uri}: ${(error as Error).message}`);
  }
  const sha256 = hash.digest('hex');
  await digests?.record(file, sha256);
  return sha256;
}

/**
 * The bytes of a source URI (a plain path or `file://`): the one place sources are read, so another
 * scheme (`s3://`) joins here. A missing file is a DataError naming it.
 */
export async function readSourceBytes(uri: string): Promise<Buffer> {
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
