import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../client/cli';
import { formatRun } from '../../client/format';
import { openStore } from '../../core/checkpoint/store';
import { ModelRegistry } from '../../core/registry';
import { SEARCH_ATTRIBUTES } from '../../core/search-attributes';
import { pollUntil, stepOf, waitForRunStatus } from '../support/durability';
import { startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';

let env: PipelineEnv;
let registry: ModelRegistry;

beforeAll(async () => {
  env = await startPipelineEnv('gate');
  registry = ModelRegistry.at(env.config.home);
  // The champion: the iris pipeline as shipped, deployed to production as version 1.
  const champion = await env.client.wait(await env.client.start(env.spec()));
  expect(champion.status, champion.error ?? '').toBe('COMPLETED');
  expect(champion.model).toMatchObject({ version: 1, alias: 'production' });
});
afterAll(async () => {
  await env?.close();
});

/** Guards that compare with the champion: not more than 0.05 accuracy worse, per-species metrics. */
const GATE = ['validate.maxRegression={accuracy: 0.05, logLoss: 0.5}', 'validate.slices=[{column: species}]'];

describe('champion/challenger validation', () => {
  it('rejects a worse candidate, keeps production on the champion, and reports both models per slice', async () => {
    const worse = ['train.epochs=1', 'train.hiddenUnits=[2]', 'train.learningRate=0.0005', 'validate.min={}'];
    const view = await env.client.wait(await env.client.start(env.spec([...worse, ...GATE])));
    expect(view.status).toBe('FAILED');
    expect(view.error).toMatch(
      /ValidationGateError: validation gate failed: accuracy 0\.\d+ is 0\.\d+ worse than champion v1/,
    );
    expect(stepOf(view, 'deploy').status).toBe('pending');
    expect((await registry.resolve('iris', 'production')).version).toBe(1);
    expect((await registry.versions('iris')).map((v) => v.version)).toEqual([1]);

    // The report was written before the gate failed: every metric, overall and per species, for both models.
    const report = await openStore(env.config.store).read(stepOf(view, 'validate').outputs.report);
    const rows = report.toArray().map((r) => r.toJSON() as Record<string, unknown>);
    for (const model of ['candidate', 'champion']) {
      for (const slice of [null, 'setosa', 'versicolor', 'virginica']) {
        const metrics = rows.filter((r) => r.model === model && r.slice_value === slice).map((r) => r.metric);
        expect(metrics.sort(), `${model} ${slice}`).toEqual(['accuracy', 'logLoss', 'macroF1']);
      }
    }
    const accuracy = (model: string) =>
      rows.find((r) => r.model === model && r.slice_value === null && r.metric === 'accuracy')!
        .value as number;
    expect(accuracy('champion')).toBeGreaterThanOrEqual(0.9);
    expect(accuracy('champion') - accuracy('candidate')).toBeGreaterThan(0.05);
    expect(rows.find((r) => r.model === 'champion')!.version).toBe(1);
  });
});

describe('deployment approval', () => {
  const approvalRun = (extra: string[] = []) =>
    env.client.start(env.spec(['deploy.requireApproval=true', ...GATE, ...extra]));

  it('waits in WAITING_APPROVAL (a search attribute the UI filters on) and deploys once approved', async () => {
    const runId = await approvalRun();
    const waiting = await waitForRunStatus(env.client, runId, ['WAITING_APPROVAL', 'FAILED'], 60_000);
    expect(waiting.status, waiting.error ?? '').toBe('WAITING_APPROVAL');
    expect(stepOf(waiting, 'validate').summary.championVersion).toBe(1);
    expect(stepOf(waiting, 'deploy').status).toBe('pending');
    const handle = env.client.temporal.workflow.getHandle(runId);
    expect((await handle.describe()).typedSearchAttributes.get(SEARCH_ATTRIBUTES.status)).toBe(
      'WAITING_APPROVAL',
    );
    const listed = await pollUntil(
      'the run in the QuiverStatus = "WAITING_APPROVAL" list',
      async () => {
        const ids: string[] = [];
        for await (const w of env.client.temporal.workflow.list({
          query: 'QuiverStatus = "WAITING_APPROVAL"',
        }))
          ids.push(w.workflowId);
        return ids;
      },
      (ids) => ids.includes(runId),
      15_000,
    );
    expect(listed).toContain(runId);

    await env.client.approve(runId, 'alice');
    const done = await env.client.wait(runId);
    expect(done.status, done.error ?? '').toBe('COMPLETED');
    expect(done.approval).toMatchObject({ decision: 'approved', by: 'alice' });
    expect(done.model).toMatchObject({ version: 2, alias: 'production' });
    expect((await registry.resolve('iris', 'production')).version).toBe(2);
  });

  it('fails a rejected run with its reason and deploys nothing', async () => {
    const runId = await approvalRun();
    await waitForRunStatus(env.client, runId, ['WAITING_APPROVAL'], 60_000);
    await env.client.reject(runId, 'holdout too small', 'bob');
    const done = await env.client.wait(runId);
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('deployment rejected by bob: holdout too small');
    expect(done.approval).toMatchObject({ decision: 'rejected', by: 'bob', reason: 'holdout too small' });
    expect(formatRun(done)).toMatch(/^approval: rejected by bob at \S+: holdout too small$/m);
    expect(stepOf(done, 'deploy').status).toBe('pending');
    expect((await registry.versions('iris')).map((v) => v.version)).toEqual([1, 2]);
    await expect(env.client.approve(runId)).rejects.toThrow(/is FAILED, not WAITING_APPROVAL/);
  });

  it('fails a run nobody decides on within deploy.approvalTimeout', async () => {
    const done = await env.client.wait(await approvalRun(['deploy.approvalTimeout=1s']));
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('deployment not approved within 1s');
    expect(done.approval?.decision).toBe('timed_out');
    expect((await registry.resolve('iris', 'production')).version).toBe(2);
  });
});

describe('quiver models', () => {
  async function quiver(...args: string[]): Promise<string> {
    let out = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    try {
      await buildProgram()
        .exitOverride()
        .parseAsync(['node', 'quiver', '--home', env.config.home, ...args]);
    } finally {
      write.mockRestore();
    }
    return out;
  }

  it('lists versions with their aliases, promotes any alias, and rolls back to the previous version', async () => {
    const listing = JSON.parse(await quiver('--json', 'models', 'ls')) as {
      name: string;
      aliases: Record<string, number>;
      versions: { version: number }[];
    }[];
    expect(listing).toEqual([expect.objectContaining({ name: 'iris', aliases: { production: 2 } })]);
    expect(listing[0].versions.map((v) => v.version)).toEqual([1, 2]);

    expect(await quiver('models', 'promote', 'iris', '1', '--alias', 'staging')).toContain(
      'iris: alias staging → version 1 (was unset)',
    );
    expect(await quiver('models', 'rollback', 'iris', '--alias', 'production')).toContain(
      'iris: alias production → version 1 (was 2)',
    );
    expect(await registry.aliases('iris')).toEqual({ production: 1, staging: 1 });
    const history = JSON.parse(await quiver('--json', 'models', 'history', 'iris', '--alias', 'production'));
    expect(history.map((m: { version: number; kind: string }) => [m.kind, m.version])).toEqual([
      ['deploy', 1],
      ['deploy', 2],
      ['rollback', 1],
    ]);
    await expect(quiver('models', 'rollback', 'iris', '--alias', 'production')).rejects.toThrow(
      /no earlier version to roll back to/,
    );
  });
});
