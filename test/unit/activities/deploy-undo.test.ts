import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { moveAlias, undoAliasMove } from '../../../activities/deploy';
import { loadConfig } from '../../../core/config';
import { ModelRegistry } from '../../../core/registry';

const ref = (sha: string) => ({ uri: `file:///x/${sha}.arrow`, sha256: sha, rows: 6, bytes: 100 });

describe('undoAliasMove (a cancelled local run whose deploy had moved the alias)', () => {
  it('puts the alias back and marks the run’s version as a cancelled run’s', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-undo-'));
    const config = loadConfig({ QUIVER_HOME: home }, {});
    const registry = ModelRegistry.at(config);
    const register = (runId: string, sha: string) =>
      registry.register({ name: 'm', model: ref(sha.repeat(64)), metrics: {}, runId, pipeline: 'p' });
    const move = (runId: string, version: number) =>
      moveAlias({ model: 'm', alias: 'production', version, runId, firedAt: null, move: true }, config);
    await move('run-a', (await register('run-a', 'a')).version);
    await move('run-b', (await register('run-b', 'b')).version);

    const undone = await undoAliasMove({ model: 'm', alias: 'production', runId: 'run-b' }, config);

    expect(undone).toEqual({ undone: true, aliasVersion: 1 });
    expect((await registry.versions('m')).map((v) => [v.version, v.cancelledRun?.reason ?? null])).toEqual([
      [1, null],
      [2, 'run run-b was cancelled after its deploy moved production; production was put back'],
    ]);
    // Nothing to undo for a run whose version the alias is not on: nothing marked either.
    expect(await undoAliasMove({ model: 'm', alias: 'production', runId: 'run-b' }, config)).toEqual({
      undone: false,
      aliasVersion: null,
    });
    expect((await registry.versions('m'))[0].cancelledRun).toBeUndefined();
  });
});
