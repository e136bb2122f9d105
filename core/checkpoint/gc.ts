import { randomUUID } from 'node:crypto';
import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { QuiverError } from '../errors';
import type { S3CheckpointStore } from './s3-store';
import type { CheckpointStore } from './store';

/** Files younger than this are never collected unless the caller asks for less (`--older-than`). */
export const DEFAULT_GC_MIN_AGE_MS = 60 * 60 * 1000;

/** A temp file younger than this may belong to a write still in flight, so it is left alone. */
export const TEMP_FILE_MIN_AGE_MS = 60 * 60 * 1000;

export interface GcOptions {
  /** Keep every file modified less than this long ago (by mtime); default {@link DEFAULT_GC_MIN_AGE_MS}. */
  olderThanMs?: number;
  /** List what would be removed without removing it. */
  dryRun?: boolean;
  /** The clock, for tests; default `Date.now()`. */
  now?: number;
}

/** A file the collection removed (or, in a dry run, would remove). */
export interface RemovedFile {
  /** `checkpoint`: an unreferenced `<sha>.arrow`; `temp`: what a crashed write left behind. */
  kind: 'checkpoint' | 'temp';
  /** The content address; null for a temp file. */
  sha256: string | null;
  bytes: number;
  path: string;
  modifiedAt: string;
}

export interface GcResult {
  removed: RemovedFile[];
  /** Checkpoint files left in place: `keptReferenced + keptRecent`. */
  kept: number;
  keptReferenced: number;
  /** Unreferenced checkpoints kept because they are younger than `olderThanMs`. */
  keptRecent: number;
  bytesFreed: number;
  dryRun: boolean;
}

const SHARD = /^[0-9a-f]{2}$/;
const CHECKPOINT_FILE = /^([0-9a-f]{64})\.arrow$/;
/** store.ts writes `<root>/.tmp-<pid>-<uuid>.arrow` and renames it to its content address. */
const TEMP_FILE = /^\.tmp-\d+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.arrow$/;

/** Whether `name` (a file name in the store's root) is a temp file of an atomic write. */
export function isStoreTempFile(name: string): boolean {
  return TEMP_FILE.test(name);
}

/**
 * Removes the checkpoints of `store` whose SHA-256 is not in `keep` and that are older than
 * `olderThanMs`, plus temp files a crashed write left behind (older than an hour, and than `olderThanMs`).
 *
 * Only the store's own layout is considered: `<root>/<2 hex>/<64 hex>.arrow` whose shard matches its
 * name, and `<root>/.tmp-<pid>-<uuid>.arrow`; anything else (other files, links, folders) is never
 * touched. Empty shard folders stay: a writer may be about to rename a file into one.
 */
export async function collectGarbage(
  store: CheckpointStore,
  keep: Set<string>,
  options: GcOptions = {},
): Promise<GcResult> {
  const olderThanMs = options.olderThanMs ?? DEFAULT_GC_MIN_AGE_MS;
  if (!Number.isFinite(olderThanMs) || olderThanMs < 0)
    throw new QuiverError(`olderThan must be a duration of 0 or more, not ${olderThanMs} ms`);
  const now = options.now ?? Date.now();
  const dryRun = options.dryRun ?? false;
  const result: GcResult = { removed: [], kept: 0, keptReferenced: 0, keptRecent: 0, bytesFreed: 0, dryRun };
  if (store.kind === 's3') return collectObjects(store as S3CheckpointStore, keep, olderThanMs, now, result);
  const root = store.root;

  const remove = async (kind: RemovedFile['kind'], file: string, stat: Stats, sha256: string | null) => {
    if (!dryRun && !(await (kind === 'temp' ? unlinkTemp(file) : unlinkUnchanged(root, file, stat)))) {
      if (kind === 'checkpoint') result.keptRecent++; // rewritten while we looked: it is fresh now
      return;
    }
    if (!dryRun && kind === 'checkpoint') await store.digests.forget(file);
    result.removed.push({ kind, sha256, bytes: stat.size, path: file, modifiedAt: stat.mtime.toISOString() });
    result.bytesFreed += stat.size;
  };

  for (const entry of await readdirOrEmpty(root)) {
    const file = path.join(root, entry);
    if (isStoreTempFile(entry)) {
      const stat = await lstatOrNull(file);
      if (stat?.isFile() && now - stat.mtimeMs >= Math.max(olderThanMs, TEMP_FILE_MIN_AGE_MS))
        await remove('temp', file, stat, null);
      continue;
    }
    if (!SHARD.test(entry) || !(await lstatOrNull(file))?.isDirectory()) continue;
    for (const name of (await readdirOrEmpty(file)).sort()) {
      const sha256 = CHECKPOINT_FILE.exec(name)?.[1];
      if (!sha256 || !sha256.startsWith(entry)) continue;
      const checkpoint = path.join(file, name);
      const stat = await lstatOrNull(checkpoint);
      if (!stat?.isFile()) continue;
      if (keep.has(sha256)) result.keptReferenced++;
      else if (now - stat.mtimeMs < olderThanMs) result.keptRecent++;
      else await remove('checkpoint', checkpoint, stat, sha256);
    }
  }
  result.kept = result.keptReferenced + result.keptRecent;
  result.removed.sort((a, b) => a.path.localeCompare(b.path));
  return result;
}

/**
 * The S3 store's collection: objects under `checkpoints/` older than `olderThanMs` (by LastModified)
 * and unreferenced are deleted. A writer that finds its object already there re-uploads it when it is
 * older than S3_REUSE_REFRESH_MS (see s3-store.ts), so an object being reused is never old enough here.
 */
async function collectObjects(
  store: S3CheckpointStore,
  keep: Set<string>,
  olderThanMs: number,
  now: number,
  result: GcResult,
): Promise<GcResult> {
  for (const checkpoint of await store.list()) {
    if (keep.has(checkpoint.sha256)) result.keptReferenced++;
    else if (now - checkpoint.modifiedAt.getTime() < olderThanMs) result.keptRecent++;
    else {
      if (!result.dryRun) await store.remove(checkpoint.sha256);
      result.removed.push({
        kind: 'checkpoint',
        sha256: checkpoint.sha256,
        bytes: checkpoint.bytes,
        path: store.uriOf(checkpoint.sha256),
        modifiedAt: checkpoint.modifiedAt.toISOString(),
      });
      result.bytesFreed += checkpoint.bytes;
    }
  }
  result.kept = result.keptReferenced + result.keptRecent;
  return result;
}

/**
 * Removes `file` only if it is still the file `seen` described. A writer that produces the same bytes
 * renames a fresh copy over the old one; the file is first moved aside atomically, and put back if
 * what was moved is not the old file, so a checkpoint written during the collection is never lost.
 * The name it is moved to is a store temp name: a collection that dies here leaves a file the next
 * one removes (it keeps its old mtime).
 */
async function unlinkUnchanged(root: string, file: string, seen: Stats): Promise<boolean> {
  const aside = path.join(root, `.tmp-${process.pid}-${randomUUID()}.arrow`);
  try {
    await fs.rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const moved = await fs.lstat(aside);
  if (moved.ino !== seen.ino || moved.dev !== seen.dev || moved.mtimeMs !== seen.mtimeMs) {
    await fs.rename(aside, file); // identical bytes by construction: the name is their hash
    return false;
  }
  await fs.unlink(aside);
  return true;
}

async function unlinkTemp(file: string): Promise<boolean> {
  try {
    await fs.unlink(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false; // its writer finished or cleaned up
    throw error;
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function lstatOrNull(file: string): Promise<Stats | null> {
  try {
    return await fs.lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
