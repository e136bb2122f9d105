import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Schema, Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunView } from '../../client/api';
import { buildProgram } from '../../client/cli';
import { Quiver } from '../../client/library';
import { LINEAGE_KEYS } from '../../core/checkpoint/types';
import { buildModelServer, type ModelServer } from '../../core/serving/server';
import { quiver as cli } from '../support/cli';
import { IRIS_SPEC, startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';

/** A pipeline name of this file's own: other suites' iris runs on the shared server never interfere. */
const PIPELINE = 'iris-explore';
const SPEC_SETS = [`name=${PIPELINE}`, 'train.epochs=12'];
const ROWS = [
  { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 },
  { sepal_length: 6.0, sepal_width: 2.7, petal_length: 5.1, petal_width: 1.6 },
  { sepal_length: 7.7, sepal_width: 2.8, petal_length: 6.7, petal_width: 2.0 },
];

let env: PipelineEnv;
let durable: RunView;
let library: Quiver;
let server: ModelServer;

/** The CLI's environment for this world; `offline` points it at a port where no server listens. */
function cliEnv(offline: boolean): NodeJS.ProcessEnv {
  const { QUIVER_STORE: _store, ...inherited } = process.env;
  return {
    ...inherited,
    QUIVER_HOME: env.config.home,
    QUIVER_QUEUE_PREFIX: env.config.taskQueues.cpu.replace(/quiver-cpu$/, ''),
    TEMPORAL_ADDRESS: offline ? '127.0.0.1:1' : env.address,
  };
}

/** `quiver ARGS` in this process (commands that need no server); returns what it printed. */
async function inProcess(...args: string[]): Promise<string> {
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

/** A checkpoint's bytes with the lineage keys (run id, time, …) taken out of its schema metadata. */
function withoutLineage(file: string): Buffer {
  const table = tableFromIPC(fs.readFileSync(file));
  const metadata = new Map(table.schema.metadata);
  for (const key of Object.values(LINEAGE_KEYS)) metadata.delete(key);
  const schema = new Schema(table.schema.fields, metadata);
  return Buffer.from(tableToIPC(new Table(schema, table.batches), 'file'));
}

async function served(rows: object[]) {
  await server.slots.refresh(); // the alias may have moved since the last poll
  const response = await server.app.inject({
    method: 'POST',
    url: `/v1/models/${PIPELINE}:predict`,
    payload: { instances: rows },
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ predictions: string[]; probabilities: Record<string, number>[] }>();
}

beforeAll(async () => {
  env = await startPipelineEnv('explore');
  durable = await env.client.wait(await env.client.start(env.spec(SPEC_SETS)));
  expect(durable.status, durable.error ?? '').toBe('COMPLETED');
  library = new Quiver({ home: env.config.home, address: env.address });
  server = await buildModelServer({ home: env.config.home, store: env.config.store });
});
afterAll(async () => {
  await server?.close();
  await env?.close();
});

describe('library API against the dev server', () => {
  it('finds the latest run of a pipeline, and reads a step output equal to its checkpoint file', async () => {
    const runs = await library.runs({ pipeline: PIPELINE });
    expect(runs.map((r) => r.runId)).toContain(durable.runId);
    const run = await library.run('latest', { pipeline: PIPELINE });
    expect(run.id).toBe(durable.runId);

    const ingest = run.step('ingest');
    const table = await ingest.output('data');
    const file = ingest.checkpoint!.path;
    const bytes = fs.readFileSync(file);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(ingest.checkpoint!.sha256);
    expect(table.numRows).toBe(150);
    expect(JSON.stringify(table.toArray())).toBe(JSON.stringify(tableFromIPC(bytes).toArray()));
    expect(run.step('train').params).toMatchObject({ train: { epochs: 12 } });
    expect(run.step('validate').summary.accuracy).toBeGreaterThan(0.8);

    const checkpoint = await library.checkpoint(ingest.checkpoint!.sha256.slice(0, 10));
    expect(checkpoint.path).toBe(file);
    expect(checkpoint.lineage).toMatchObject({ runId: durable.runId, step: 'ingest', output: 'data' });
    expect((await inProcess('checkpoints', 'path', ingest.checkpoint!.sha256.slice(0, 12))).trim()).toBe(
      file,
    );
  });

  it('predicts with run.model() exactly what the server answers', async () => {
    const model = await (await library.run(durable.runId)).model();
    try {
      const local = await model.predict(ROWS);
      const remote = await served(ROWS);
      expect(local.predictions).toEqual(remote.predictions);
      expect(local.probabilities).toHaveLength(ROWS.length);
      (local.probabilities ?? []).forEach((row, i) => {
        for (const [label, p] of Object.entries(row))
          expect(p).toBeCloseTo(remote.probabilities[i][label], 6);
      });
    } finally {
      model.dispose();
    }
  });

  it('says clearly when no Temporal server answers', async () => {
    const offline = new Quiver({ home: env.config.home, address: '127.0.0.1:1' });
    await expect(offline.runs({ pipeline: PIPELINE })).rejects.toThrow(
      /no Temporal server answers at 127\.0\.0\.1:1/,
    );
  });
});

describe('quiver step run', () => {
  it('reproduces the durable run’s training byte for byte (lineage aside) with no server', async () => {
    await library.run(durable.runId); // a run read once is remembered: later reads need no server
    const result = await cli(['step', 'run', 'train', '--from', durable.runId, '--json'], cliEnv(true));
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { run: RunView; paramChanges: string[] };
    expect(report.run.runId).toMatch(/^local-/);
    expect(report.paramChanges).toEqual([]);
    const mine = report.run.steps.find((s) => s.name === 'train')!;
    const theirs = durable.steps.find((s) => s.name === 'train')!;
    expect(mine.cacheKey).toBe(theirs.cacheKey);
    for (const output of ['model', 'history']) {
      const local = mine.outputs[output];
      expect(local.sha256).not.toBe(theirs.outputs[output].sha256); // lineage differs…
      const file = (uri: string) => new URL(uri).pathname;
      expect(withoutLineage(file(local.uri)).equals(withoutLineage(file(theirs.outputs[output].uri)))).toBe(
        true, // …and nothing else does
      );
      const lineage = tableFromIPC(fs.readFileSync(file(local.uri))).schema.metadata;
      expect(lineage.get(LINEAGE_KEYS.runId)).toBe(report.run.runId);
    }
  });
});

describe('quiver run --local, then --reuse-from', () => {
  it('runs every step in-process, and a durable run reuses all of them', async () => {
    const sets = SPEC_SETS.flatMap((s) => ['--set', s]);
    // In this process: a local run touches no Temporal server, so none is configured for it.
    const localRun = JSON.parse(
      await inProcess('--address', '127.0.0.1:1', 'run', IRIS_SPEC, '--local', ...sets, '--json'),
    ) as RunView;
    expect(localRun.runId).toMatch(/^local-iris-explore-/);
    expect(localRun.status).toBe('COMPLETED');
    expect(localRun.steps.map((s) => [s.name, s.status, s.attempts])).toEqual(
      ['ingest', 'sanity', 'features', 'train', 'validate', 'deploy'].map((n) => [n, 'completed', 1]),
    );

    const promoted = await cli(
      ['run', IRIS_SPEC, ...sets, '--reuse-from', localRun.runId, '--wait', '--json'],
      cliEnv(false),
    );
    expect(promoted.code, promoted.stderr).toBe(0);
    const view = JSON.parse(promoted.stdout) as RunView;
    expect(view.runId).toMatch(/^quiver-iris-explore-/);
    expect(view.resumedFrom).toBe(localRun.runId);
    for (const [i, step] of view.steps.entries()) {
      // attempts 0: the durable run executed no step; it points at the local run's checkpoints.
      expect(step).toMatchObject({ status: 'completed', attempts: 0, reusedFrom: localRun.runId });
      expect(step.cacheKey).toBe(localRun.steps[i].cacheKey);
      expect(step.checkpoint).toEqual(localRun.steps[i].checkpoint);
    }
  });
});

describe('quiver models export', () => {
  it('writes TensorFlow.js layers files that load with tf.loadLayersModel and predict what serving does', async () => {
    const dir = path.join(env.config.home, 'export');
    const result = JSON.parse(await inProcess('models', 'export', `${PIPELINE}@production`, dir, '--json'));
    expect(result).toMatchObject({ model: PIPELINE, task: 'classification', weights: 6 });
    const modelJson = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    const weights = fs.readFileSync(path.join(dir, modelJson.weightsManifest[0].paths[0]));
    const model = await tf.loadLayersModel({
      load: async () => ({
        modelTopology: modelJson.modelTopology,
        weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      }),
    });
    // The preprocessing applied from its JSON alone, as a user of another language would.
    const prep = JSON.parse(fs.readFileSync(path.join(dir, 'preprocessing.json'), 'utf8')) as {
      format: string;
      inputWidth: number;
      classes: string[];
      features: { name: string; kind: string; mean: number; std: number; offset: number }[];
    };
    expect(prep.format).toBe('quiver-preprocessing/1');
    const inputs = ROWS.map((row) => {
      const x = new Array<number>(prep.inputWidth).fill(0);
      for (const f of prep.features) x[f.offset] = (row[f.name as keyof typeof row] - f.mean) / f.std;
      return x;
    });
    const probabilities = (model.predict(tf.tensor2d(inputs)) as tf.Tensor).arraySync() as number[][];
    const labels = probabilities.map((p) => prep.classes[p.indexOf(Math.max(...p))]);
    const remote = await served(ROWS);
    expect(labels).toEqual(remote.predictions);
    probabilities.forEach((p, i) =>
      prep.classes.forEach((label, k) => expect(p[k]).toBeCloseTo(remote.probabilities[i][label], 5)),
    );
    model.dispose();
  });
});
