import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunView } from '../../client/api';
import { quiver, startQuiver, stopProcess } from '../support/cli';
import { IRIS_SPEC } from '../support/pipeline-env';

/** The CLI as a user runs it: separate worker processes, `run`, `status`, `checkpoints`. */
describe('quiver CLI against a real dev server', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-cli-'));
  const { QUIVER_STORE: _store, ...inherited } = process.env;
  const env = {
    ...inherited,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    QUIVER_HOME: home,
    QUIVER_QUEUE_PREFIX: `cli-${process.pid}-`,
  };
  const workers: ChildProcess[] = [];
  let runId = '';

  beforeAll(async () => {
    // Both at once: each start is seconds of module loading, and neither needs the other.
    const started = await Promise.allSettled(
      (['cpu', 'gpu'] as const).map((queue) => startQuiver(['worker', '--queue', queue], env, 'worker on')),
    );
    for (const result of started) if (result.status === 'fulfilled') workers.push(result.value);
    for (const result of started) if (result.status === 'rejected') throw result.reason;
  });
  afterAll(async () => {
    const codes = await Promise.all(workers.map(stopProcess));
    // Workers drain and exit on SIGTERM with 128 + 15 (README, "Stopping and crashes").
    expect(codes).toEqual([143, 143]);
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('refuses an invalid spec before starting anything, naming the field', async () => {
    const result = await quiver(['run', IRIS_SPEC, '--set', 'train.epochs=zero'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('train.epochs: expected number, received string');
  });

  it('runs a pipeline with --wait and reports it with status --json', async () => {
    const run = await quiver(['run', IRIS_SPEC, '--set', 'train.epochs=40', '--wait', '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const finished = JSON.parse(run.stdout) as RunView;
    runId = finished.runId;
    expect(finished.status).toBe('COMPLETED');

    const status = await quiver(['status', runId, '--json'], env);
    const view = JSON.parse(status.stdout) as RunView;
    expect(view).toMatchObject({
      runId,
      pipeline: 'iris',
      status: 'COMPLETED',
      model: { name: 'iris', alias: 'production' },
    });
    expect(view.uiUrl).toMatch(/^http:\/\/.*\/namespaces\/default\/workflows\//);
    for (const step of view.steps) {
      expect(step).toMatchObject({ status: 'completed', attempts: 1, reusedFrom: null });
      expect(Object.keys(step.checkpoint!).sort()).toEqual(['bytes', 'rows', 'sha256', 'uri']);
      expect(step.durationMs).toBeGreaterThanOrEqual(0);
    }
    const human = await quiver(['status', runId], env);
    expect(human.stdout).toMatch(/train\s+completed\s+1/);
    expect(human.stdout).toContain('Temporal UI: http');
  });

  it('lists, shows and exports checkpoints', async () => {
    const ls = JSON.parse((await quiver(['checkpoints', 'ls', runId, '--json'], env)).stdout) as {
      step: string;
      output: string;
      sha256: string;
    }[];
    expect(ls.map((c) => `${c.step}/${c.output}`).sort()).toEqual(
      [
        'ingest/data',
        'sanity/report',
        'sanity/flags',
        'sanity/drift',
        'sanity/profile',
        // The features stage: the train/holdout split; with no `features:` in iris.yaml, its `data` is
        // ingest's checkpoint passed on.
        'features/split',
        'features/data',
        'train/history',
        'train/model',
        'validate/metrics',
        'validate/report',
        'validate/predictions',
        'deploy/deployment',
      ].sort(),
    );
    const data = ls.find((c) => c.step === 'ingest' && c.output === 'data')!;
    expect(ls.find((c) => c.step === 'features' && c.output === 'data')!.sha256).toBe(data.sha256);

    const show = await quiver(['checkpoints', 'show', data.sha256.slice(0, 12), '--head', '3'], env);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('sha256 verified');
    expect(show.stdout).toContain('step ingest/data');
    expect(show.stdout).toContain('setosa');

    const out = path.join(home, 'data.arrow');
    const exported = await quiver(['checkpoints', 'export', data.sha256, out], env);
    expect(exported.code, exported.stderr).toBe(0);
    expect(tableFromIPC(fs.readFileSync(out)).numRows).toBe(150);
    const csv = path.join(home, 'data.csv');
    await quiver(['checkpoints', 'export', data.sha256, csv], env);
    expect(fs.readFileSync(csv, 'utf8').split('\n')[0]).toBe(
      'sepal_length,sepal_width,petal_length,petal_width,species',
    );
  });

  it('says which checkpoint is unknown', async () => {
    const result = await quiver(['checkpoints', 'show', 'deadbeefdeadbeef'], env);
    expect(result.code).toBe(2); // bad input
    expect(result.stderr).toContain('no checkpoint deadbeefdeadbeef');
  });
});
