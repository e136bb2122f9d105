import { createHash } from 'node:crypto';
import type * as arrow from 'apache-arrow';
import type { DigestCache } from '../digest-cache';
import { CheckpointIntegrityError, CheckpointNotFoundError, QuiverError } from '../errors';
import type { S3ObjectStore } from '../object-store/s3';
import { decode, ipcChunks, sha256Of, withLineage } from './encoding';
import { lineageFromMetadata } from './lineage';
import type { CheckpointStore, StoredCheckpoint } from './store';
import type { CheckpointRef, Lineage } from './types';

/**
 * A write that finds its object already there re-uploads it when it is older than this, so garbage
 * collection (which spares objects younger than its `olderThan`, an hour by default) cannot delete
 * an object a new run has just started to reference.
 */
export const S3_REUSE_REFRESH_MS = 10 * 60 * 1000;

/** Key of a checkpoint under an S3 store's prefix: `checkpoints/<sha[0..2]>/<sha>.arrow`. */
export function checkpointKey(sha256: string): string {
  return `checkpoints/${sha256.slice(0, 2)}/${sha256}.arrow`;
}

/**
 * Checkpoints as objects under `s3://bucket/prefix/checkpoints/`, named by their SHA-256: the bytes
 * are hashed first, then uploaded (one PUT signed with that hash, or multipart when large) unless an
 * object of that name and size is there already (same name, same bytes: the write is idempotent). Reads hash every byte they decode.
 */
export class S3CheckpointStore implements CheckpointStore {
  readonly kind = 's3';
  readonly root: string;

  constructor(
    readonly objects: S3ObjectStore,
    readonly digests: DigestCache,
  ) {
    this.root = objects.uri;
  }

  async write(table: arrow.Table, lineage: Lineage): Promise<CheckpointRef> {
    const chunks = await ipcChunks(withLineage(table, lineage));
    const sha256 = await sha256Of(chunks);
    const bytes = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    const key = checkpointKey(sha256);
    const existing = await this.objects.head(key);
    // A same-sized object under this name was written from these bytes (reads verify it anyway).
    const fresh = existing && Date.now() - existing.modifiedAt.getTime() < S3_REUSE_REFRESH_MS;
    if (existing?.bytes !== bytes || !fresh) await this.objects.putStream(key, chunks, { sha256 });
    return { uri: this.objects.uriOf(key), sha256, rows: table.numRows, bytes };
  }

  async read(ref: CheckpointRef): Promise<arrow.Table> {
    return decode(ref, await this.readBytes(ref));
  }

  async readLineage(ref: CheckpointRef): Promise<Lineage> {
    return lineageFromMetadata((await this.read(ref)).schema.metadata, ref.uri);
  }

  async verify(ref: CheckpointRef): Promise<void> {
    await this.readBytes(ref);
  }

  async exists(ref: CheckpointRef): Promise<boolean> {
    return (await this.objects.head(checkpointKey(ref.sha256))) !== null;
  }

  path(ref: CheckpointRef): string {
    throw new QuiverError(`checkpoint ${ref.uri} is in the S3 store ${this.root}: it has no local file`);
  }

  async list(prefix = ''): Promise<StoredCheckpoint[]> {
    const listed = await this.objects.list(`checkpoints/${prefix.slice(0, 2)}`);
    const found: StoredCheckpoint[] = [];
    for (const item of listed) {
      const match = /^checkpoints\/([0-9a-f]{2})\/([0-9a-f]{64})\.arrow$/.exec(item.key);
      if (match && match[2].startsWith(match[1]) && match[2].startsWith(prefix))
        found.push({ sha256: match[2], bytes: item.bytes, modifiedAt: item.modifiedAt });
    }
    return found;
  }

  /** The URI of a checkpoint's object. */
  uriOf(sha256: string): string {
    return this.objects.uriOf(checkpointKey(sha256));
  }

  /** Removes one checkpoint object (garbage collection). */
  async remove(sha256: string): Promise<void> {
    await this.objects.delete(checkpointKey(sha256));
  }

  /**
   * The object's bytes in one buffer of their own, hashed as they arrive; throws unless they
   * match `ref.sha256`.
   */
  async readBytes(ref: CheckpointRef): Promise<Buffer> {
    const key = checkpointKey(ref.sha256);
    const where = this.objects.uriOf(key);
    const object = await this.objects.getStream(key);
    if (!object) throw new CheckpointNotFoundError(`checkpoint not found: ${ref.uri} (${where})`);
    const data = Buffer.allocUnsafeSlow(object.bytes);
    const hash = createHash('sha256');
    let filled = 0;
    for await (const chunk of object.body) {
      if (filled + chunk.byteLength > data.length)
        throw new CheckpointIntegrityError(
          `checkpoint ${where} is longer than its announced ${data.length} bytes`,
        );
      data.set(chunk, filled);
      filled += chunk.byteLength;
      hash.update(chunk);
    }
    if (filled !== data.length)
      throw new CheckpointIntegrityError(`checkpoint ${where} was truncated while being read`);
    const sha256 = hash.digest('hex');
    if (sha256 !== ref.sha256)
      throw new CheckpointIntegrityError(
        `checkpoint ${where} is corrupt: expected sha256 ${ref.sha256}, object has ${sha256}`,
      );
    return data;
  }
}
