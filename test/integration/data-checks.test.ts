import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../client/api';
import { openStore } from '../../core/checkpoint/store';
import { schemaPath } from '../../core/data/schema-store';
import { ModelRegistry } from '../../core/registry';
import { quiver } from '../support/cli';
import { REPO, startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';

let env: PipelineEnv;
const IRIS_LINES = fs
  .readFileSync(path.join(REPO, 'data', 'iris.csv'), 'utf8')
  .trim()
  .split('\n');

beforeAll(async () => {
  env = await startPipelineEnv('datachecks');
});
afterAll(async () => {
  await env?.close();
});

/** A copy of iris under the test's home, with `edit` applied to each data row (0-based index). */
function irisCopy(name: string, edit: (fields: string[], row: number) => string[]): string {
  const file = path.join(env.config.home, `${name}.csv`);
  const rows = IRIS_LINES.slice(1).map((line, row) => edit(line.split(','), row).join(','));
  fs.writeFileSync(file, `${[IRIS_LINES[0], ...rows].join('\n')}\n`);
  return file;
}

async function run(overrides: string[]): Promise<RunView> {
  return env.client.wait(await env.client.start(env.spec(overrides)));
}

const step = (view: RunView, name: string) => view.steps.find((s) => s.name === name)!;
const rowsOf = async (ref: Parameters<ReturnType<typeof openStore>['read']>[0]) =>
  (await openStore(env.config.store).read(ref))
    .toArray()
    .map((r: { toJSON(): Record<string, unknown> }) => r.toJSON());

describe('data checks on a real dev server', () => {
  let first: RunView;

  beforeAll(async () => {
    first = await run([]);
  });

  it('the first passing run infers and pins the schema, profiles the data, and skips drift', async () => {
    expect(first.status, first.error ?? '').toBe('COMPLETED');
    const sanity = step(first, 'sanity');
    expect(sanity.summary).toMatchObject({ schema: 'inferred and pinned', droppedRows: 0 });
    expect(sanity.summary.drift).toBe('skipped (no production model iris)');
    expect(Object.keys(sanity.outputs).sort()).toEqual(['drift', 'flags', 'profile', 'report']);
    const pinned = JSON.parse(fs.readFileSync(schemaPath(env.config.home, 'iris'), 'utf8'));
    expect(pinned.columns.sepal_width).toMatchObject({ type: 'number', nullable: false });
    expect(pinned.columns.species.categories).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(pinned.inferredFrom.runId).toBe(first.runId);
    // Iris repeats one row: flagged as a duplicate, kept by the default policy.
    expect(await rowsOf(sanity.outputs.flags)).toEqual([
      { row: 142, line: 144, checks: 'duplicate', reason: 'line 144: duplicate of line 103', action: 'kept' },
    ]);
    expect((await rowsOf(sanity.outputs.drift))[0].note).toBe('skipped: no production model iris');
    // Deploy records the profile as the model's drift reference.
    const version = await ModelRegistry.at(env.config.home).resolve('iris', 'production');
    expect(version.reference?.sha256).toBe(sanity.outputs.profile.sha256);
    const profile = await rowsOf(sanity.outputs.profile);
    expect(profile.filter((r) => r.feature === 'species').map((r) => [r.category, r.count])).toEqual([
      ['setosa', 50],
      ['versicolor', 50],
      ['virginica', 50],
    ]);
  });

  it('`quiver schema show` prints the pinned schema', async () => {
    const cliEnv = { ...process.env, QUIVER_HOME: env.config.home };
    const json = await quiver(['schema', 'show', 'iris', '--json'], cliEnv);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).columns.petal_length.type).toBe('number');
    const text = await quiver(['schema', 'show', 'iris'], cliEnv);
    expect(text.stdout).toMatch(/species\s+string\s+no\s+'setosa', 'versicolor', 'virginica'/);
  });

  it('the pinned schema catches a changed column type and fails sanity once', async () => {
    const csv = irisCopy('typed', (f, row) => (row === 7 ? [f[0], 'wide', ...f.slice(2)] : f));
    const view = await run([`source.uri=${csv}`]);
    expect(view.status).toBe('FAILED');
    const sanity = step(view, 'sanity');
    expect(sanity).toMatchObject({ status: 'failed', attempts: 1 });
    expect(sanity.error).toContain('SanityCheckError');
    expect(sanity.error).toContain(
      "schema_type(sepal_width): observed string (not a number: line 9, column 'sepal_width': 'wide'), expected number",
    );
    expect(step(view, 'train').status).toBe('pending');
    const report = await rowsOf(sanity.outputs.report);
    // The numeric-with-tokens check names the odd token, and the spec's own range check on that
    // column fails too: it is no longer numeric.
    expect(report.filter((r) => !r.passed).map((r) => `${r.check}(${r.column})`)).toEqual([
      'schema_type(sepal_width)',
      'numeric_tokens(sepal_width)',
      'numeric_range(sepal_width)',
    ]);
  });

  describe('drop policy', () => {
    const outliers = [10, 60, 120];
    const csvWithOutliers = () =>
      irisCopy('outliers', (f, row) => (outliers.includes(row) ? [f[0], f[1], '19', ...f.slice(3)] : f));

    it('drops the flagged rows, reports them, and trains on the cleaned data', async () => {
      const view = await run([`source.uri=${csvWithOutliers()}`, 'sanity.flags.outOfRange.policy=drop']);
      expect(view.status, view.error ?? '').toBe('COMPLETED');
      const sanity = step(view, 'sanity');
      expect(sanity.summary).toMatchObject({ schema: 'pinned', droppedRows: 3, flaggedRows: 4 });
      const flags = await rowsOf(sanity.outputs.flags);
      expect(flags.filter((r) => r.action === 'dropped')).toEqual(
        outliers.map((row) => ({
          row,
          line: row + 2,
          checks: 'outOfRange',
          reason: expect.stringMatching(
            new RegExp(`^line ${row + 2}, column 'petal_length': 19 > max 7\\.\\d+$`),
          ),
          action: 'dropped',
        })),
      );
      expect(sanity.outputs.clean.rows).toBe(147);
      const train = step(view, 'train');
      const lineage = await openStore(env.config.store).readLineage(train.checkpoint!);
      expect(lineage.inputs).toEqual([sanity.outputs.clean.sha256]);
      const validate = await openStore(env.config.store).readLineage(step(view, 'validate').checkpoint!);
      expect(validate.inputs).toContain(sanity.outputs.clean.sha256);
      expect(train.summary.trainRows).toBeLessThan(120);
    });

    it('fails when a check would drop more than its maxFraction', async () => {
      const view = await run([
        `source.uri=${csvWithOutliers()}`,
        'sanity.flags.outOfRange.policy=drop',
        'sanity.flags.outOfRange.maxFraction=0.01',
      ]);
      expect(view.status).toBe('FAILED');
      const sanity = step(view, 'sanity');
      expect(sanity.error).toMatch(
        /row_flags\(outOfRange\): observed 3 row\(s\) \(2\.00%\), e\.g\. line 12, column 'petal_length': 19 > max 7\.\d+ \| line 62, column 'petal_length': 19 > max 7\.\d+ \| line 122, column 'petal_length': 19 > max 7\.\d+, expected <= 1\.00% dropped \(policy drop\)/,
      );
      expect(sanity.outputs.clean).toBeUndefined();
      const flags = await rowsOf(sanity.outputs.flags);
      expect(flags.filter((r) => r.checks === 'outOfRange').map((r) => [r.row, r.action])).toEqual(
        outliers.map((row) => [row, 'run failed']),
      );
    });
  });

  describe('drift against the production model', () => {
    // Every measurement 2 cm longer: out of the pinned ranges too, which these runs keep.
    const shifted = () =>
      irisCopy('shifted', (f) => [...f.slice(0, 4).map((v) => String(Number(v) + 2)), f[4]]);
    const keepOutliers = 'sanity.flags.outOfRange.policy=keep';

    it('fails the run on a breach when the spec says fail, with a drift report per feature', async () => {
      const view = await run([`source.uri=${shifted()}`, keepOutliers, 'sanity.drift.onBreach=fail']);
      expect(view.status).toBe('FAILED');
      const sanity = step(view, 'sanity');
      expect(sanity.error).toMatch(/drift\(petal_length\): observed psi \d+\.\d+, expected <= 0\.2/);
      const drift = await rowsOf(sanity.outputs.drift);
      expect(drift.map((r) => [r.feature, r.metric, r.breached])).toEqual([
        ['sepal_length', 'psi', true],
        ['sepal_width', 'psi', true],
        ['petal_length', 'psi', true],
        ['petal_width', 'psi', true],
        ['species', 'linf', false],
      ]);
      for (const row of drift.slice(0, 4)) expect(row.value as number).toBeGreaterThan(1);
      expect(step(view, 'train').status).toBe('pending');
    });

    it('warns and goes on by default, naming the drifted features', async () => {
      const view = await run([`source.uri=${shifted()}`, keepOutliers]);
      expect(view.status, view.error ?? '').toBe('COMPLETED');
      const production = await ModelRegistry.at(env.config.home).resolve('iris', 'production');
      expect(step(view, 'sanity').summary.drift).toMatch(
        /^4 feature\(s\) drifted: sepal_length \(psi \d+\.\d{4} > 0\.2\), sepal_width \(psi \d+\.\d{4} > 0\.2\), petal_length \(psi \d+\.\d{4} > 0\.2\), petal_width \(psi \d+\.\d{4} > 0\.2\)$/,
      );
      expect(production.reference?.sha256).toBe(step(view, 'sanity').outputs.profile.sha256);
    });
  });

  it('`quiver schema reset` forgets the pinned schema', async () => {
    const cliEnv = { ...process.env, QUIVER_HOME: env.config.home };
    const reset = await quiver(['schema', 'reset', 'iris'], cliEnv);
    expect(reset.stdout).toContain('schema of iris reset');
    expect(fs.existsSync(schemaPath(env.config.home, 'iris'))).toBe(false);
    const show = await quiver(['schema', 'show', 'iris'], cliEnv);
    expect(show.code).toBe(2);
    expect(show.stderr).toContain("quiver: no pinned schema for pipeline 'iris'");
  });
});
