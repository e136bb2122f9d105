import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelNotFoundError, StoreStateError } from '../../../core/errors';
import { FileObjectStore } from '../../../core/object-store/file';
import { ModelRegistry } from '../../../core/registry';

const ref = (sha: string) => ({ uri: `file:///x/${sha}.arrow`, sha256: sha, rows: 6, bytes: 100 });

function registry() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-registry-'));
  return { home, registry: ModelRegistry.at(home) };
}

describe('model registry', () => {
  it('numbers versions, and a retried deploy of the same run gets its existing version', async () => {
    const { registry: r } = registry();
    const entry = {
      name: 'iris',
      model: ref('a'.repeat(64)),
      metrics: { accuracy: 0.9 },
      runId: 'run-1',
      pipeline: 'iris',
    };
    const v1 = await r.register(entry);
    const again = await r.register(entry);
    const v2 = await r.register({ ...entry, runId: 'run-2', model: ref('b'.repeat(64)) });
    expect([v1.version, again.version, v2.version]).toEqual([1, 1, 2]);
    expect((await r.versions('iris')).map((v) => v.runId)).toEqual(['run-1', 'run-2']);
  });

  it('never rewrites a version file, even when two registrations race', async () => {
    const { registry: r } = registry();
    const entries = ['x', 'y', 'z', 'w'].map((s, i) => ({
      name: 'm',
      model: ref(s.repeat(64)),
      metrics: {},
      runId: `run-${i}`,
      pipeline: 'p',
    }));
    const versions = await Promise.all(entries.map((e) => r.register(e)));
    expect(versions.map((v) => v.version).sort()).toEqual([1, 2, 3, 4]);
    expect(new Set((await r.versions('m')).map((v) => v.model.sha256)).size).toBe(4);
  });

  it('moves aliases atomically and keeps their history', async () => {
    const { home, registry: r } = registry();
    for (const run of ['r1', 'r2'])
      await r.register({
        name: 'm',
        model: ref(run.padEnd(64, '0')),
        metrics: {},
        runId: run,
        pipeline: 'p',
      });
    expect(await r.setAlias('m', 'production', 1, 'first')).toMatchObject({ previous: null, version: 1 });
    expect(await r.setAlias('m', 'production', 2, 'second')).toMatchObject({ previous: 1, version: 2 });
    expect((await r.resolve('m', 'production')).runId).toBe('r2');
    expect((await r.history('m')).map((move) => move.version)).toEqual([1, 2]);
    expect(fs.readdirSync(path.join(home, 'registry', 'm')).filter((f) => f.startsWith('.'))).toEqual([]);
    expect(fs.statSync(path.join(home, 'registry', 'm', 'aliases.json')).mode & 0o777).toBe(0o600);
  });

  it('refuses unknown versions and aliases with a named error', async () => {
    const { registry: r } = registry();
    await expect(r.setAlias('m', 'production', 3, 'x')).rejects.toBeInstanceOf(ModelNotFoundError);
    await expect(r.resolve('m', 'staging')).rejects.toThrow('model m has no alias staging');
  });
});

describe('model registry state that cannot be read', () => {
  const entry = (run: string) => ({
    name: 'm',
    model: ref(run.padEnd(64, '0')),
    metrics: {},
    runId: run,
    pipeline: 'p',
  });

  it('a truncated aliases.json is an error naming it, and no move drops the other aliases', async () => {
    const { home, registry: r } = registry();
    await r.register(entry('a1'));
    await r.register(entry('a2'));
    await r.setAlias('m', 'staging', 1, 'x');
    await r.setAlias('m', 'production', 2, 'x');
    const file = path.join(home, 'registry', 'm', 'aliases.json');
    const whole = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, whole.slice(0, 20));
    await expect(r.aliases('m')).rejects.toThrow(StoreStateError);
    await expect(r.setAlias('m', 'production', 1, 'y')).rejects.toThrow(file);
    await expect(r.resolve('m', 'production')).rejects.toThrow(/cannot be parsed/);
    fs.writeFileSync(file, whole);
    await r.setAlias('m', 'production', 1, 'y');
    expect(await r.aliases('m')).toEqual({ staging: 1, production: 1 });
  });

  it('a deleted aliases.json is an error, not "no aliases"', async () => {
    const { home, registry: r } = registry();
    await r.register(entry('b1'));
    await r.setAlias('m', 'production', 1, 'x');
    fs.rmSync(path.join(home, 'registry', 'm', 'aliases.json'));
    await expect(r.lookup('m', 'production')).rejects.toThrow(/is missing although model m has versions/);
    await expect(r.register(entry('b2'))).rejects.toThrow(StoreStateError);
  });

  it('never reuses the number of a deleted newest version', async () => {
    const { home, registry: r } = registry();
    await r.register(entry('c1'));
    await r.register(entry('c2'));
    fs.rmSync(path.join(home, 'registry', 'm', 'versions', '2.json'));
    expect((await r.register(entry('c3'))).version).toBe(3);
  });

  it('a truncated version file names itself in the error', async () => {
    const { home, registry: r } = registry();
    await r.register(entry('d1'));
    const file = path.join(home, 'registry', 'm', 'versions', '1.json');
    fs.writeFileSync(file, '{"name": "m", "vers');
    await expect(r.versions('m')).rejects.toThrow(file);
    // A registration reads the newest version (a first attempt's, when its claim was never written).
    await expect(r.register(entry('d2'))).rejects.toThrow(file);
  });

  it('reads the older {alias: version} file and its alias-history.jsonl', async () => {
    const { home, registry: r } = registry();
    await r.register(entry('e1'));
    await r.register(entry('e2'));
    const dir = path.join(home, 'registry', 'm');
    fs.writeFileSync(path.join(dir, 'aliases.json'), JSON.stringify({ production: 2 }));
    const moves = [1, 2].map((version, i) => ({
      alias: 'production',
      version,
      previous: i ? 1 : null,
      at: 't',
      reason: 'r',
    }));
    fs.writeFileSync(path.join(dir, 'alias-history.jsonl'), moves.map((m) => JSON.stringify(m)).join('\n'));
    expect((await r.resolve('m', 'production')).version).toBe(2);
    expect((await r.rollback('m', 'production')).version).toBe(1);
    expect((await r.register(entry('e3'))).version).toBe(3);
  });

  it('loses none of 10 concurrent alias moves', async () => {
    const { registry: r } = registry();
    for (let i = 1; i <= 10; i++) await r.register(entry(`f${i}`));
    await Promise.all(Array.from({ length: 10 }, (_, i) => r.setAlias('m', `alias-${i}`, i + 1, 'race')));
    const aliases = await r.aliases('m');
    expect(Object.keys(aliases)).toHaveLength(10);
    expect((await r.history('m')).length).toBe(10);
  });

  it('finds a retried registration by its claim: no version record of other runs is read', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-registry-'));
    const store = new FileObjectStore(home);
    const reads: string[] = [];
    const get = store.get.bind(store);
    store.get = async (key) => {
      reads.push(key);
      return get(key);
    };
    const r = new ModelRegistry(store);
    const entry = (i: number) => ({
      name: 'm',
      model: ref(String(i % 10).repeat(64)),
      metrics: {},
      runId: `run/${i}`,
      pipeline: 'p',
    });
    for (let i = 0; i < 30; i++) await r.register(entry(i));
    reads.length = 0;
    const again = await r.register(entry(7));
    expect(again).toMatchObject({ version: 8, runId: 'run/7' });
    // The claim, then version 8's record: never the other 29.
    expect(reads.filter((key) => key.includes('/versions/'))).toEqual(['registry/m/versions/8.json']);
    expect(reads.filter((key) => key.includes('/registrations/'))).toHaveLength(1);
    expect((await r.versions('m')).length).toBe(30);
  });

  it('writes the version a claim names when the first attempt died before writing it', async () => {
    const { home, registry: r } = registry();
    const entry = { name: 'm', model: ref('c'.repeat(64)), metrics: {}, runId: 'run-9', pipeline: 'p' };
    const first = await r.register(entry);
    // As if the attempt had died between its claim and its version object.
    fs.rmSync(path.join(home, 'registry', 'm', 'versions', `${first.version}.json`));
    const retried = await r.register(entry);
    expect(retried).toMatchObject({ version: first.version, runId: 'run-9' });
    expect((await r.versions('m')).map((v) => v.version)).toEqual([first.version]);
  });

  it('marks a cancelled run’s version beside its record: listed with the mark, numbering unchanged', async () => {
    const { home, registry: r } = registry();
    const entry = (run: string) => ({
      name: 'm',
      model: ref(run.padEnd(64, '0')),
      metrics: {},
      runId: run,
      pipeline: 'p',
    });
    await r.register(entry('ok1'));
    const cancelled = await r.register(entry('cx'));
    await r.markCancelledRun('m', cancelled.version, 'run cx was cancelled before its deploy moved an alias');
    expect(fs.readdirSync(path.join(home, 'registry', 'm', 'versions')).sort()).toEqual([
      '1.json',
      '2.cancelled.json',
      '2.json',
    ]);
    const versions = await r.versions('m');
    expect(versions.map((v) => [v.version, v.cancelledRun?.reason ?? null])).toEqual([
      [1, null],
      [2, 'run cx was cancelled before its deploy moved an alias'],
    ]);
    // The record itself is never rewritten, and a plain read leaves the mark unread.
    expect((await r.version('m', 2))?.cancelledRun).toBeUndefined();
    expect((await r.version('m', 2, { withMark: true }))?.cancelledRun?.at).toMatch(/^\d{4}-/);
    expect((await r.register(entry('ok3'))).version).toBe(3);
    expect(await r.hasVersions('m')).toBe(true);
    expect(await r.hasVersions('none')).toBe(false);
  });

  it('finds a first attempt’s version whose claim was never written: it is the newest', async () => {
    const { home, registry: r } = registry();
    const entry = { name: 'm', model: ref('e'.repeat(64)), metrics: {}, runId: 'run-e', pipeline: 'p' };
    const first = await r.register(entry);
    fs.rmSync(path.join(home, 'registry', 'm', 'registrations'), { recursive: true });
    expect(await r.register(entry)).toMatchObject({ version: first.version });
    expect((await r.versions('m')).length).toBe(1);
  });

  it('attempts of one run registering at once share one version (the first claim wins)', async () => {
    const { registry: r } = registry();
    const same = { name: 'm', model: ref('f'.repeat(64)), metrics: {}, runId: 'run-f', pipeline: 'p' };
    const others = ['g', 'h'].map((s) => ({ ...same, runId: `run-${s}`, model: ref(s.repeat(64)) }));
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => r.register(same)),
      ...others.map((e) => r.register(e)),
    ]);
    const mine = results.slice(0, 5).map((v) => v.version);
    expect(new Set(mine).size).toBe(1);
    const versions = await r.versions('m');
    expect(versions.filter((v) => v.runId === 'run-f').map((v) => v.version)).toEqual([mine[0]]);
    expect(versions.map((v) => v.runId).sort()).toEqual(['run-f', 'run-g', 'run-h']);
    // Numbers the losers took stay unused, never reused.
    const next = await r.register({ ...same, runId: 'run-next' });
    expect(next.version).toBeGreaterThan(Math.max(...versions.map((v) => v.version)));
  });
});
