import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DigestCache } from '../../../core/digest-cache';
import { sha256 } from '../../../core/hash';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-digests-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A file last changed `ageMs` ago (its ctime cannot be set back, so the test waits). */
async function settledFile(name: string, bytes: string, ageMs = 1100): Promise<string> {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  const wholeSecond = new Date(Math.floor(Date.now() / 1000) * 1000);
  fs.utimesSync(file, wholeSecond, wholeSecond); // an mtime that utimes can restore exactly
  await new Promise((resolve) => setTimeout(resolve, ageMs));
  return file;
}

describe('DigestCache', () => {
  it('returns the recorded digest while the file is unchanged, and null once its bytes change', async () => {
    const cache = new DigestCache(path.join(dir, 'cache-a'));
    const file = await settledFile('a.bin', 'hello world');
    expect(await cache.get(file)).toBeNull();
    await cache.record(file, sha256('hello world'));
    expect(await cache.get(file)).toBe(sha256('hello world'));

    // Same size, same mtime restored: only the ctime (which no tool can set back) gives it away.
    const { atime, mtime } = fs.statSync(file);
    fs.writeFileSync(file, 'hello World');
    fs.utimesSync(file, atime, mtime);
    expect(fs.statSync(file, { bigint: true }).mtimeNs).toBe(BigInt(mtime.getTime()) * 1_000_000n);
    expect(await cache.get(file)).toBeNull();
  });

  it('does not record a file changed moments ago (its timestamps could hide a second change)', async () => {
    const cache = new DigestCache(path.join(dir, 'cache-b'));
    const file = path.join(dir, 'fresh.bin');
    fs.writeFileSync(file, 'fresh');
    await cache.record(file, sha256('fresh'));
    expect(await cache.get(file)).toBeNull();
  });

  it('forgets a file that was replaced or removed', async () => {
    const cache = new DigestCache(path.join(dir, 'cache-c'));
    const file = await settledFile('c.bin', 'one');
    await cache.record(file, sha256('one'));
    expect(await cache.get(file)).toBe(sha256('one'));
    const other = await settledFile('c2.bin', 'two', 0);
    fs.renameSync(other, file);
    expect(await cache.get(file)).toBeNull();
    fs.rmSync(file);
    expect(await cache.get(file)).toBeNull();
    const records = path.join(dir, 'cache-c');
    await cache.forget(file);
    expect(fs.readdirSync(records)).toEqual([]);
  });
});
