import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../client/api';
import { parseParquet } from '../../core/sources/parquet';
import { IRIS_SPEC } from '../support/pipeline-env';
import { cliOffline } from '../support/cli-offline';

/** A pipeline name of this file's own, and a short training: the runs are real, in this process. */
const SETS = [
  '--set',
  'name=iris-cli-local',
  '--set',
  'train.epochs=3',
  '--set',
  'validate.min.accuracy=0.5',
];

const cli = cliOffline;

describe('run --local and what reads it, with no Temporal server', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-cli-local-'));
  const storeVar = process.env.QUIVER_STORE;
  let completed: RunView;

  beforeAll(async () => {
    delete process.env.QUIVER_STORE; // the store under `home`
    const run = await cli(home, 'run', IRIS_SPEC, '--local', '--json', ...SETS);
    expect(run.code, run.stdout.slice(0, 600) + run.stderr).toBe(0);
    completed = JSON.parse(run.stdout) as RunView;
    expect(completed.status).toBe('COMPLETED');
  });
  afterAll(() => {
    if (storeVar !== undefined) process.env.QUIVER_STORE = storeVar;
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('a failed local run prints {"error", "run"} with --json and exits 1; so does its status', async () => {
    const failed = await cli(
      home,
      ...['run', IRIS_SPEC, '--local', '--json', ...SETS, '--set', 'source.uri=/no/such/iris.csv'],
    );
    expect(failed.code).toBe(1);
    const printed = JSON.parse(failed.stdout) as { error: Record<string, unknown>; run: RunView };
    expect(printed.error).toEqual({
      type: 'RunFailedError',
      message: expect.stringMatching(/^run local-iris-cli-local-\S+ failed: step ingest failed: /) as string,
      field: null,
    });
    expect(printed.run.status).toBe('FAILED');
    expect(failed.stderr).toBe(''); // one JSON object on stdout, and nothing else
    const status = await cli(home, 'status', printed.run.runId);
    expect(status.code).toBe(1);
  });

  it('a failed local run prints its error once: `quiver: run … failed: …` on stderr', async () => {
    const failed = await cli(
      home,
      ...['run', IRIS_SPEC, '--local', ...SETS, '--set', 'source.uri=/no/such/iris.csv'],
    );
    expect(failed.code).toBe(1);
    const printed = failed.stdout + failed.stderr;
    expect(printed.match(/cannot read source/g), printed).toHaveLength(1);
    expect(failed.stderr).toMatch(/\nquiver: run local-iris-cli-local-\S+ failed: step ingest failed: .*\n$/);
    expect(failed.stdout).toContain('failed: see the error below');
  });

  it('refuses a destination the system will not create as bad input, exit 2', async () => {
    const data = completed.steps.find((s) => s.name === 'ingest')!.outputs.data;
    // A folder that exists but takes no new files, even for root: /proc.
    if (!fs.existsSync('/proc/self')) return;
    const result = await cli(home, 'checkpoints', 'export', data.sha256, '/proc/x.csv', '--json');
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      error: {
        type: 'SpecError',
        message:
          "cannot export to '/proc/x.csv': cannot create a file there (ENOENT: no such file or directory)",
        field: 'FILE',
      },
    });
  });

  it('lists, compares and reports local runs from their records', async () => {
    const ls = await cli(home, 'checkpoints', 'ls', completed.runId, '--json');
    expect(ls.code, ls.stderr).toBe(0);
    const outputs = (JSON.parse(ls.stdout) as { step: string; output: string }[]).map(
      (c) => `${c.step}/${c.output}`,
    );
    expect(outputs).toContain('train/model');

    const again = await cli(home, 'run', IRIS_SPEC, '--local', '--json', ...SETS, '--set', 'train.epochs=4');
    const second = JSON.parse(again.stdout) as RunView;
    const compare = await cli(home, 'runs', 'compare', completed.runId, second.runId, '--json');
    expect(compare.code, compare.stderr).toBe(0);
    const comparison = JSON.parse(compare.stdout) as { params: { path: string; values: unknown[] }[] };
    expect(comparison.params).toContainEqual({ path: 'train.epochs', values: [3, 4] });

    const report = await cli(home, 'report', completed.runId, '--json');
    expect(report.code, report.stderr).toBe(0);
    expect(fs.existsSync((JSON.parse(report.stdout) as { html: string }).html)).toBe(true);
  });

  it('exports a checkpoint as Parquet that reads back to the same rows', async () => {
    const data = completed.steps.find((s) => s.name === 'ingest')!.outputs.data;
    const file = path.join(home, 'iris.parquet');
    const result = await cli(home, 'checkpoints', 'export', data.sha256.slice(0, 12), file);
    expect(result.code, result.stderr).toBe(0);
    const table = parseParquet(fs.readFileSync(file));
    expect(table.numRows).toBe(150);
    expect(table.schema.fields.map((f) => f.name)).toContain('species');
  });
});
