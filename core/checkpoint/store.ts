import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as arrow from 'apache-arrow';
import { DigestCache } from '../digest-cache';
import { CheckpointIntegrityError, CheckpointNotFoundError, QuiverError } from '../errors';
import { fileModeOf, fsyncDir } from '../object-store/file';
import { S3ObjectStore } from '../object-store/s3';
import { decode, ipcChunks, sha256Of, withLineage } from './encoding';
import { lineageFromMetadata } from './lineage';
import { S3CheckpointStore } from './s3-store';
import type { CheckpointRef, Lineage } from './types';

/** One checkpoint found in a store's listing. */
export interface StoredCheckpoint {
  sha256: string;
  bytes: number;
  modifiedAt: Date;
}

/** Content-addressed, verified Arrow checkpoints: what every step reads and writes. */
export interface CheckpointStore {
  /** `file`: a directory on this host; `s3`: a bucket prefix shared by hosts. */
  readonly kind: 'file' | 's3';
  /** The store's root: a directory path (`file`), or its `s3://bucket/prefix` URI. */
  readonly root: string;
  /** Writes `table` as an Arrow IPC file with `lineage` in its schema metadata; atomic and idempotent. */
  write(table: arrow.Table, lineage: Lineage): Promise<CheckpointRef>;
  /** Reads a checkpoint; its bytes are checked against `ref.sha256` before anything is decoded. */
  read(ref: CheckpointRef): Promise<arrow.Table>;
  /** The lineage in a checkpoint's schema metadata (verified like `read`). */
  readLineage(ref: CheckpointRef): Promise<Lineage>;
  /**
   * Resolves when the checkpoint's bytes match `ref.sha256`; throws CheckpointIntegrityError otherwise.
   * With `trustDigestCache`, a file unchanged since it was last hashed (see DigestCache) is not rehashed.
   */
  verify(ref: CheckpointRef, options?: { trustDigestCache?: boolean }): Promise<void>;
  /** Digests of local files hashed on this host (checkpoints, and sources hashed for cache keys). */
  readonly digests: DigestCache;
  exists(ref: CheckpointRef): Promise<boolean>;
  /**
   * Local file of a checkpoint: the ref's own `file://` URI, else its content address in this store.
   * An `s3` store has no local files: it throws.
   */
  path(ref: CheckpointRef): string;
  /** Every checkpoint whose SHA-256 starts with `prefix` (all of them for ''). */
  list(prefix?: string): Promise<StoredCheckpoint[]>;
  /** The raw, verified bytes of a checkpoint (for export). */
  readBytes(ref: CheckpointRef): Promise<Buffer>;
}

/** Options of {@link openStore}. */
export interface StoreOptions {
  /** Host-local state directory (QUIVER_HOME): an `s3` store keeps its digest cache there. */
  home?: string;
  /** Mode of checkpoint files (`file` stores); default owner-only 0600, or `QUIVER_FILE_MODE`. */
  fileMode?: number;
}

/**
 * Bytes read (or hashed) per step. Each read runs on libuv's thread pool while this thread hashes
 * the segment before it, so verifying costs (almost) no time beyond the read itself.
 */
const SEGMENT_BYTES = 8 << 20;

/**
 * Opens the store at a `file://` URI, a plain directory path (created on first write), or an
 * `s3://bucket/prefix` URI (checkpoints under `prefix/checkpoints/`; see core/object-store/s3.ts for
 * the AWS settings it reads).
 */
export function openStore(uri: string, options: StoreOptions = {}): CheckpointStore {
  if (uri.startsWith('s3://')) {
    const home = path.resolve(options.home ?? process.env.QUIVER_HOME ?? '.quiver');
    return new S3CheckpointStore(new S3ObjectStore(uri), new DigestCache(path.join(home, 'digests')));
  }
  return new FileCheckpointStore(storeRoot(uri), options.fileMode ?? fileModeOf());
}

function storeRoot(uri: string): string {
  if (uri.startsWith('file://')) return fileURLToPath(uri);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri))
    throw new QuiverError(`unsupported checkpoint store URI: ${uri} (use file://, s3:// or a path)`);
  return path.resolve(uri);
}

/** Where a checkpoint with this SHA-256 lives under `root`: `<root>/<sha[0..2]>/<sha>.arrow`. */
export function contentPath(root: string, sha256: string): string {
  return path.join(root, sha256.slice(0, 2), `${sha256}.arrow`);
}

class FileCheckpointStore implements CheckpointStore {
  readonly kind = 'file';
  readonly digests: DigestCache;

  constructor(
    readonly root: string,
    private readonly fileMode: number,
  ) {
    this.digests = new DigestCache(path.join(root, '.digests'));
  }

  async write(table: arrow.Table, lineage: Lineage): Promise<CheckpointRef> {
    const chunks = await ipcChunks(withLineage(table, lineage));
    await fs.mkdir(this.root, { recursive: true });
    const temp = path.join(this.root, `.tmp-${process.pid}-${randomUUID()}.arrow`);
    try {
      const { sha256, bytes } = await writeHashed(temp, chunks, this.fileMode);
      const file = contentPath(this.root, sha256);
      const createdShard = await fs.mkdir(path.dirname(file), { recursive: true });
      // Same bytes, same name: renaming over an existing copy is the idempotent rewrite.
      await fs.rename(temp, file);
      await fsyncDir(path.dirname(file));
      if (createdShard) await fsyncDir(this.root);
      await this.digests.record(file, sha256);
      return { uri: pathToFileURL(file).href, sha256, rows: table.numRows, bytes };
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw error;
    }
  }

  async read(ref: CheckpointRef): Promise<arrow.Table> {
    return decode(ref, await this.readVerified(ref));
  }

  async readLineage(ref: CheckpointRef): Promise<Lineage> {
    const bytes = await this.readVerified(ref);
    return lineageFromMetadata(decode(ref, bytes).schema.metadata, ref.uri);
  }

  async verify(ref: CheckpointRef, options: { trustDigestCache?: boolean } = {}): Promise<void> {
    if (options.trustDigestCache && (await this.digests.get(this.path(ref))) === ref.sha256) return;
    await this.hashChecked(ref, false);
  }

  async exists(ref: CheckpointRef): Promise<boolean> {
    return fs.stat(this.path(ref)).then(
      (stat) => stat.isFile(),
      () => false,
    );
  }

  path(ref: CheckpointRef): string {
    return ref.uri?.startsWith('file://') ? fileURLToPath(ref.uri) : contentPath(this.root, ref.sha256);
  }

  async list(prefix = ''): Promise<StoredCheckpoint[]> {
    const shards = prefix.length >= 2 ? [prefix.slice(0, 2)] : await fs.readdir(this.root).catch(() => []);
    const found: StoredCheckpoint[] = [];
    for (const shard of shards.filter(
      (name) => /^[0-9a-f]{2}$/.test(name) && name.startsWith(prefix.slice(0, 2)),
    )) {
      for (const name of await fs.readdir(path.join(this.root, shard)).catch(() => [] as string[])) {
        const sha256 = /^([0-9a-f]{64})\.arrow$/.exec(name)?.[1];
        if (!sha256?.startsWith(prefix)) continue;
        const stat = await fs.stat(path.join(this.root, shard, name)).catch(() => null);
        if (stat?.isFile()) found.push({ sha256, bytes: stat.size, modifiedAt: stat.mtime });
      }
    }
    return found.sort((a, b) => a.sha256.localeCompare(b.sha256));
  }

  readBytes(ref: CheckpointRef): Promise<Buffer> {
    return this.readVerified(ref);
  }

  private async readVerified(ref: CheckpointRef): Promise<Buffer> {
    return (await this.hashChecked(ref, true)) as Buffer;
  }

  /** Hashes the checkpoint's file (keeping its bytes when asked) and throws unless it matches the ref. */
  private async hashChecked(ref: CheckpointRef, keep: boolean): Promise<Buffer | undefined> {
    const file = this.path(ref);
    const handle = await fs.open(file, 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT')
        throw new CheckpointNotFoundError(`checkpoint not found: ${ref.uri} (${file})`);
      throw error;
    });
    try {
      const { sha256, data } = await readHashed(handle, (await handle.stat()).size, keep, ref);
      if (sha256 !== ref.sha256) {
        throw new CheckpointIntegrityError(
          `checkpoint ${ref.uri} is corrupt: expected sha256 ${ref.sha256}, file has ${sha256}`,
        );
      }
      await this.digests.record(file, sha256);
      return data;
    } finally {
      await handle.close();
    }
  }
}

/**
 * Writes the chunks to a new file and flushes them with `fdatasync`. The thread pool copies them to the
 * page cache and flushes them to disk while this thread hashes the same bytes, so SHA-256 adds little
 * to the write. `fdatasync` also flushes the size, all a later read needs (fdatasync(2)); the name is
 * made durable by the caller's directory fsync after the rename, so no second, full `fsync` follows.
 */
async function writeHashed(
  file: string,
  chunks: Uint8Array[],
  mode: number,
): Promise<{ sha256: string; bytes: number }> {
  const handle = await fs.open(file, 'wx', mode);
  const flushed = writeFully(handle, chunks).then(async (bytes) => {
    await handle.datasync();
    return bytes;
  });
  try {
    const sha256 = await sha256Of(chunks);
    const bytes = await flushed;
    return { sha256, bytes };
  } finally {
    await flushed.catch(() => undefined);
    await handle.close();
  }
}

async function writeFully(handle: FileHandle, pieces: Uint8Array[]): Promise<number> {
  const total = pieces.reduce((sum, piece) => sum + piece.byteLength, 0);
  const { bytesWritten } = await handle.writev(pieces);
  // A short write is rare on local files; finish it with plain writes.
  const rest = bytesWritten < total ? Buffer.concat(pieces).subarray(bytesWritten) : Buffer.alloc(0);
  for (let offset = 0; offset < rest.length;) offset += (await handle.write(rest, offset)).bytesWritten;
  return total;
}

/**
 * Reads `size` bytes, hashing each segment while the next one is read. With `keep`, the bytes land
 * in one buffer of their own (offset 0, so Arrow can view them without copying); otherwise two
 * scratch segments take turns.
 */
async function readHashed(
  handle: FileHandle,
  size: number,
  keep: boolean,
  ref: CheckpointRef,
): Promise<{ sha256: string; data?: Buffer }> {
  const data = keep ? Buffer.allocUnsafeSlow(size) : undefined;
  const scratch = keep ? [] : [0, 1].map(() => Buffer.allocUnsafe(Math.min(SEGMENT_BYTES, size)));
  const region = (index: number, start: number) => {
    const length = Math.min(SEGMENT_BYTES, size - start);
    return data ? data.subarray(start, start + length) : scratch[index % 2].subarray(0, length);
  };
  const hash = createHash('sha256');
  let pending = size > 0 ? readFully(handle, region(0, 0), 0, ref) : undefined;
  for (let index = 0, start = 0; pending; index++) {
    const current = await pending;
    start += current.length;
    pending = start < size ? readFully(handle, region(index + 1, start), start, ref) : undefined;
    hash.update(current);
  }
  return { sha256: hash.digest('hex'), data };
}

async function readFully(handle: FileHandle, target: Buffer, position: number, ref: CheckpointRef) {
  for (let filled = 0; filled < target.length;) {
    const { bytesRead } = await handle.read(target, filled, target.length - filled, position + filled);
    if (bytesRead === 0)
      throw new CheckpointIntegrityError(`checkpoint ${ref.uri} was truncated while being read`);
    filled += bytesRead;
  }
  return target;
}
