import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { collectGarbage, isStoreTempFile } from '../../core/checkpoint/gc';
import { contentPath, openStore, type CheckpointStore } from '../../core/checkpoint/store';
import type { CheckpointRef } from '../../core/checkpoint/types';

const HOUR = 3_600_000;

function lineage(runId: string) {
  return {
    pipeline: 'gc',
    runId,
    step: 'ingest',
    output: 'data',
    stepCodeVersion: 'v1',
    paramsHash: 'p'.repeat(64),
    inputs: [],
    createdAt: '2024-05-01T12:00:00.000Z',
  };
}

const table = (n: number) => new arrow.Table({ x: arrow.vectorFromArray([n, n + 1], new arrow.Float64()) });

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}

async function age(file: string, ms: number): Promise<void> {
  const when = new Date(Date.now() - ms);
  await fs.utimes(file, when, when);
}

describe('collectGarbage', () => {
  let root: string;
  let store: CheckpointStore;
  let refs: CheckpointRef[];

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'quiver-gc-'));
    store = openStore(root);
    refs = [];
    for (let i = 0; i < 3; i++) refs.push(await store.write(table(i), lineage(`run-${i}`)));
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('removes unreferenced checkpoints older than the limit and keeps referenced ones', async () => {
    const result = await collectGarbage(store, new Set([refs[0].sha256]), {
      olderThanMs: HOUR,
      now: Date.now() + 2 * HOUR,
    });
    expect(result.removed.map((f) => f.sha256).sort()).toEqual([refs[1].sha256, refs[2].sha256].sort());
    expect(result.removed.every((f) => f.kind === 'checkpoint')).toBe(true);
    expect(result).toMatchObject({ kept: 1, keptReferenced: 1, keptRecent: 0, dryRun: false });
    expect(result.bytesFreed).toBe(refs[1].bytes + refs[2].bytes);
    await store.verify(refs[0]);
    expect(await store.exists(refs[1])).toBe(false);
    expect(await store.exists(refs[2])).toBe(false);
    // Nothing left behind: the files were moved aside and unlinked, shard folders stay.
    const left = await fs.readdir(root);
    expect(left.filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });

  it('keeps files younger than the limit (one hour by default)', async () => {
    const result = await collectGarbage(store, new Set());
    expect(result).toMatchObject({ removed: [], kept: 3, keptRecent: 3, keptReferenced: 0 });
    await age(store.path(refs[1]), 2 * HOUR);
    const aged = await collectGarbage(store, new Set());
    expect(aged.removed.map((f) => f.sha256)).toEqual([refs[1].sha256]);
  });

  it('lists without deleting on a dry run', async () => {
    const result = await collectGarbage(store, new Set(), { olderThanMs: 0, dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(result.removed).toHaveLength(3);
    expect(result.bytesFreed).toBe(refs.reduce((sum, r) => sum + r.bytes, 0));
    for (const ref of refs) await store.verify(ref);
  });

  it('removes temp files of crashed writes only once they are an hour old', async () => {
    const old = path.join(root, `.tmp-4242-${randomUUID()}.arrow`);
    const young = path.join(root, `.tmp-4243-${randomUUID()}.arrow`);
    await fs.writeFile(old, 'half a checkpoint');
    await fs.writeFile(young, 'a write in flight');
    await age(old, 61 * 60_000);
    await age(young, 10 * 60_000);
    const result = await collectGarbage(store, new Set(refs.map((r) => r.sha256)), { olderThanMs: 0 });
    expect(result.removed).toEqual([
      expect.objectContaining({ kind: 'temp', sha256: null, path: old, bytes: 17 }),
    ]);
    expect(await exists(old)).toBe(false);
    expect(await exists(young)).toBe(true);
    // A longer --older-than protects temp files too.
    await age(young, 2 * HOUR);
    expect((await collectGarbage(store, new Set(), { olderThanMs: 3 * HOUR, dryRun: true })).removed).toEqual(
      [],
    );
  });

  it('never touches anything outside the store layout', async () => {
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'quiver-gc-outside-'));
    try {
      const sha = refs[0].sha256;
      const shard = path.dirname(contentPath(root, sha));
      const target = path.join(outside, 'precious.arrow');
      await fs.writeFile(target, 'not yours');
      const foreign = [
        path.join(root, 'notes.txt'),
        path.join(root, `${sha}.arrow`), // right name, wrong place
        path.join(shard, 'notes.txt'),
        path.join(shard, `${sha.toUpperCase()}.arrow`),
        path.join(shard, `${'f'.repeat(63)}.arrow`),
        path.join(root, sha.slice(0, 2) === 'ee' ? 'dd' : 'ee', `${sha}.arrow`), // shard does not match
        path.join(root, 'zz', `${'a'.repeat(64)}.arrow`),
        path.join(shard, 'sub', `${sha.slice(0, 2)}${'0'.repeat(62)}.arrow`),
        path.join(root, '.tmp-notours.arrow'),
      ];
      for (const file of foreign) {
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.writeFile(file, 'x');
      }
      const link = path.join(shard, `${sha.slice(0, 2)}${'1'.repeat(62)}.arrow`);
      await fs.symlink(target, link);
      await fs.mkdir(path.join(shard, `${sha.slice(0, 2)}${'2'.repeat(62)}.arrow`));
      for (const file of [...foreign, target]) await age(file, 10 * HOUR);

      const result = await collectGarbage(store, new Set(), { olderThanMs: 0, now: Date.now() + 10 * HOUR });
      expect(result.removed.map((f) => f.sha256).sort()).toEqual(refs.map((r) => r.sha256).sort());
      for (const file of [...foreign, link, target]) expect(await exists(file), file).toBe(true);
      expect(await fs.readFile(link, 'utf8')).toBe('not yours');
    } finally {
      await fs.rm(outside, { recursive: true, force: true });
    }
  });

  it('puts back a checkpoint that a writer rewrote while it was being collected', async () => {
    const rename = fs.rename.bind(fs);
    let raced = false;
    vi.spyOn(fs, 'rename').mockImplementation(async (from, to) => {
      if (!raced && path.basename(String(to)).startsWith('.tmp-')) {
        raced = true;
        // The same bytes written again just before the collector moves the file aside: a fresh copy.
        expect(await store.write(table(1), lineage('run-1'))).toEqual(refs[1]);
      }
      return rename(from, to);
    });
    const keep = new Set([refs[0].sha256, refs[2].sha256]);
    const result = await collectGarbage(store, keep, { olderThanMs: 0, now: Date.now() + HOUR });
    expect(raced).toBe(true);
    expect(result.removed).toEqual([]);
    expect(result).toMatchObject({ keptReferenced: 2, keptRecent: 1 });
    await store.verify(refs[1]);
    expect((await fs.readdir(root)).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });

  it('treats a missing store as empty and rejects a negative age', async () => {
    const missing = openStore(path.join(root, 'not-there'));
    expect(await collectGarbage(missing, new Set(), { olderThanMs: 0 })).toMatchObject({
      removed: [],
      kept: 0,
    });
    await expect(collectGarbage(store, new Set(), { olderThanMs: -1 })).rejects.toThrow(/duration of 0/);
  });

  it("recognises the store's own temp file names", async () => {
    const opened: string[] = [];
    const open = fs.open.bind(fs);
    vi.spyOn(fs, 'open').mockImplementation(async (file, ...rest) => {
      opened.push(String(file));
      return open(file, ...rest);
    });
    await store.write(table(99), lineage('run-temp'));
    const temps = opened.filter((f) => path.basename(f).startsWith('.tmp-'));
    expect(temps).toHaveLength(1);
    expect(isStoreTempFile(path.basename(temps[0]))).toBe(true);
    expect(path.dirname(temps[0])).toBe(root);
  });
});
