import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelNotFoundError } from '../../../core/errors';
import { aliasStack, ModelRegistry } from '../../../core/registry';

const ref = (sha: string) => ({ uri: `file:///x/${sha}.arrow`, sha256: sha, rows: 6, bytes: 100 });

async function registryWith(versions: number) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-aliases-'));
  const registry = ModelRegistry.at(home);
  for (let i = 1; i <= versions; i++) {
    await registry.register({
      name: 'm',
      model: ref(String(i).padEnd(64, '0')),
      metrics: { accuracy: 0.9 },
      runId: `run-${i}`,
      pipeline: 'p',
      reference: i === 1 ? ref('f'.repeat(64)) : null,
    });
  }
  return { home, registry };
}

describe('registry aliases: promote, rollback, history', () => {
  it('looks up (name, alias) → version or null, and keeps the drift reference', async () => {
    const { registry } = await registryWith(2);
    expect(await registry.lookup('m', 'production')).toBeNull();
    expect(await registry.lookup('nope', 'production')).toBeNull();
    await registry.promote('m', 1, 'production');
    const production = await registry.lookup('m', 'production');
    expect(production).toMatchObject({ version: 1, runId: 'run-1', reference: { sha256: 'f'.repeat(64) } });
  });

  it('promotes any alias to an existing version only', async () => {
    const { registry } = await registryWith(2);
    await registry.promote('m', 2, 'staging');
    await registry.promote('m', 1, 'canary-eu');
    expect(await registry.aliases('m')).toEqual({ staging: 2, 'canary-eu': 1 });
    await expect(registry.promote('m', 9, 'production')).rejects.toThrow(
      new ModelNotFoundError('model m has no version 9'),
    );
  });

  it('rolls an alias back through its history, one move per rollback', async () => {
    const { registry } = await registryWith(3);
    for (const v of [1, 2, 3]) await registry.setAlias('m', 'production', v, `deploy ${v}`);
    expect(await registry.rollback('m', 'production')).toMatchObject({
      version: 2,
      previous: 3,
      kind: 'rollback',
    });
    expect(await registry.rollback('m', 'production')).toMatchObject({ version: 1, previous: 2 });
    await expect(registry.rollback('m', 'production')).rejects.toThrow(/no earlier version to roll back to/);
    await registry.promote('m', 3, 'production');
    expect(await registry.rollback('m', 'production')).toMatchObject({ version: 1 });
    const history = await registry.history('m', 'production');
    expect(history.map((m) => [m.kind, m.version])).toEqual([
      ['deploy', 1],
      ['deploy', 2],
      ['deploy', 3],
      ['rollback', 2],
      ['rollback', 1],
      ['promote', 3],
      ['rollback', 1],
    ]);
    await expect(registry.rollback('m', 'staging')).rejects.toThrow('model m has no alias staging');
  });

  it('records nothing for a promote to the version the alias is on, so the next rollback still goes back', async () => {
    const { registry } = await registryWith(2);
    expect(await registry.promote('m', 1, 'production')).toMatchObject({ previous: null, recorded: true });
    const moved = await registry.promote('m', 2, 'production', 'ship it');
    expect(moved).toMatchObject({ previous: 1, recorded: true });
    // Nothing is recorded, and nothing is made up: the answer is the move that put the alias there.
    expect(await registry.promote('m', 2, 'production', 'again')).toEqual({
      alias: 'production',
      version: 2,
      previous: 2,
      at: moved.at,
      reason: 'ship it',
      kind: 'promote',
      recorded: false,
    });
    expect((await registry.history('m', 'production')).map((m) => m.version)).toEqual([1, 2]);
    expect(await registry.rollback('m', 'production')).toMatchObject({ version: 1, previous: 2 });
  });

  it("undoes a cancelled run's move only while the alias is on that run's version", async () => {
    const { registry } = await registryWith(3);
    await registry.setAlias('m', 'production', 1, 'deployed by run run-1');
    await registry.setAlias('m', 'production', 2, 'deployed by run run-2');
    // Another run's version, or an alias it never moved: nothing to undo.
    expect(await registry.undoRunMove('m', 'production', 'run-1', 'cancelled')).toBeNull();
    expect(await registry.undoRunMove('m', 'staging', 'run-2', 'cancelled')).toBeNull();
    expect(await registry.undoRunMove('m', 'production', 'run-2', 'run run-2 cancelled')).toMatchObject({
      version: 1,
      previous: 2,
      kind: 'rollback',
      reason: 'run run-2 cancelled',
    });
    expect(await registry.aliases('m')).toEqual({ production: 1 });
    // Undone once: the alias is no longer on run-2's version.
    expect(await registry.undoRunMove('m', 'production', 'run-2', 'again')).toBeNull();
    // A first move undone withdraws the alias: it resolves no more, and its history says why.
    await registry.setAlias('m', 'canary', 3, 'deployed by run run-3');
    expect(await registry.undoRunMove('m', 'canary', 'run-3', 'run run-3 cancelled')).toMatchObject({
      version: 3,
      kind: 'withdraw',
    });
    expect(await registry.lookup('m', 'canary')).toBeNull();
    expect(aliasStack(await registry.history('m', 'canary'))).toEqual([]);
    await registry.setAlias('m', 'canary', 2, 'deployed by run run-2');
    expect(aliasStack(await registry.history('m', 'canary'))).toEqual([2]);
  });

  it('replays history into the stack of versions an alias stood on', () => {
    const move = (version: number, kind: 'deploy' | 'rollback') => ({
      alias: 'a',
      version,
      previous: null,
      at: '',
      reason: '',
      kind,
    });
    expect(
      aliasStack([move(1, 'deploy'), move(2, 'deploy'), move(2, 'deploy'), move(1, 'rollback')]),
    ).toEqual([1]);
  });

  it('serialises concurrent alias moves: none is lost, and the history has every one', async () => {
    const { registry } = await registryWith(2);
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => registry.promote('m', 1 + (i % 2), `alias-${i}`)),
      registry.promote('m', 2, 'production'),
    ]);
    const aliases = await registry.aliases('m');
    expect(Object.keys(aliases)).toHaveLength(11);
    expect(aliases['alias-3']).toBe(2);
    expect(await registry.history('m')).toHaveLength(11);
  });

  it('lets a reader polling during moves see the old or the new version, never a broken file', async () => {
    const { registry } = await registryWith(2);
    await registry.promote('m', 1, 'production');
    let stop = false;
    const seen = new Set<number | undefined>();
    const reader = (async () => {
      while (!stop) seen.add((await registry.aliases('m')).production);
    })();
    for (let i = 0; i < 40; i++) await registry.promote('m', 1 + (i % 2), 'production');
    stop = true;
    await reader;
    expect([...seen].sort()).toEqual([1, 2]);
  });
});
