import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelNotFoundError } from '../../../core/errors';
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
    const history = fs
      .readFileSync(path.join(home, 'registry', 'm', 'alias-history.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(history.map((line) => (JSON.parse(line) as { version: number }).version)).toEqual([1, 2]);
    expect(fs.readdirSync(path.join(home, 'registry', 'm')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses unknown versions and aliases with a named error', async () => {
    const { registry: r } = registry();
    await expect(r.setAlias('m', 'production', 3, 'x')).rejects.toBeInstanceOf(ModelNotFoundError);
    await expect(r.resolve('m', 'staging')).rejects.toThrow('model m has no alias staging');
  });
});
