import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DataError } from './errors';

/** Local path of a source URI (a plain path or `file://`). */
export function sourcePath(uri: string): string {
  return uri.startsWith('file://') ? fileURLToPath(uri) : uri;
}

/** SHA-256 of a source file's bytes: part of ingest's cache key, so edited data is never reused. */
export async function sourceSha256(uri: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    // 1 MiB reads: hashing a large source in 64 KiB pieces took twice as long.
    for await (const chunk of createReadStream(sourcePath(uri), { highWaterMark: 1 << 20 }))
      hash.update(chunk as Buffer);
  } catch (error) {
    throw new DataError(`cannot read source ${uri}: ${(error as Error).message}`);
  }
  return hash.digest('hex');
}
