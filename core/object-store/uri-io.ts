import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { DataError } from '../errors';
import { S3ObjectStore, parseS3Uri } from './s3';

/** The store holding one `s3://bucket/key` object, and the object's key in it. */
function s3Object(uri: string): { store: S3ObjectStore; key: string } {
  const { bucket, prefix } = parseS3Uri(uri);
  if (!prefix) throw new DataError(`'${uri}' names a bucket, not an object`);
  return { store: new S3ObjectStore(`s3://${bucket}`), key: prefix };
}

/**
 * A readable stream of a source's bytes: a local path, a `file://` URI or an `s3://bucket/key`
 * object (AWS settings as for the store). A missing source is a DataError naming it.
 */
export async function openSourceStream(uri: string, highWaterMark = 1 << 20): Promise<Readable> {
  if (uri.startsWith('s3://')) {
    const { store, key } = s3Object(uri);
    const object = await store.getStream(key);
    if (!object) throw new DataError(`source not found: ${uri}`);
    return Readable.from(object.body);
  }
  const file = uri.startsWith('file://') ? fileURLToPath(uri) : path.resolve(uri);
  await fs.access(file).catch((error: Error) => {
    throw new DataError(`cannot read source ${uri}: ${error.message}`, { cause: error });
  });
  return createReadStream(file, { highWaterMark });
}

/** A source's bytes in one buffer (see {@link openSourceStream}). */
export async function readSourceBytes(uri: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await openSourceStream(uri)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Writes bytes to a local path or an `s3://bucket/key` object (exports). */
export async function writeTargetBytes(uri: string, bytes: Buffer | string): Promise<void> {
  if (uri.startsWith('s3://')) {
    const { store, key } = s3Object(uri);
    await store.put(key, bytes);
    return;
  }
  await fs.writeFile(uri.startsWith('file://') ? fileURLToPath(uri) : uri, bytes);
}
