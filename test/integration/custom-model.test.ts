import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../client/api';
import { loadSpecFile } from '../../core/spec/load';
import { buildModelServer, type ModelServer } from '../../core/serving/server';
import { REPO, startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';

let env: PipelineEnv;
let userDir: string;
let first: RunView;

/** A wide-and-deep style model a user keeps in their own repository, with a relative import. */
const MODEL = `
import { hiddenUnits } from './sizes';
import type * as TF from '@tensorflow/tfjs';

export default function buildModel(ctx: { tf: typeof TF; inputWidth: number; outputs: number; seed: number }) {
  const { tf } = ctx;
  const input = tf.input({ shape: [ctx.inputWidth] });
  const deep = tf.layers
    .dense({ units: hiddenUnits, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed }) })
    .apply(input) as TF.SymbolicTensor;
  const wide = tf.layers.concatenate().apply([input, deep]) as TF.SymbolicTensor;
  const output = tf.layers
    .dense({ units: ctx.outputs, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed + 1 }) })
    .apply(wide) as TF.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}
`;

const SPEC = `
name: wide-iris
source: { uri: iris.csv }
target: { column: species }
train:
  model: { module: ./models/wide.ts }
  epochs: 12
  learningRate: 0.05
  checkpointEvery: 0s
validate:
  min: { accuracy: 0.6 }
`;

const step = (view: RunView, name: string) => view.steps.find((s) => s.name === name)!;

beforeAll(async () => {
  env = await startPipelineEnv('custom-model');
  userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-user-'));
  fs.mkdirSync(path.join(userDir, 'models'));
  fs.writeFileSync(path.join(userDir, 'models', 'wide.ts'), MODEL);
  fs.writeFileSync(path.join(userDir, 'models', 'sizes.ts'), 'export const hiddenUnits = 8;\n');
  fs.writeFileSync(path.join(userDir, 'spec.yaml'), SPEC);
  fs.copyFileSync(path.join(REPO, 'data', 'iris.csv'), path.join(userDir, 'iris.csv'));
  const { spec } = loadSpecFile(path.join(userDir, 'spec.yaml'));
  first = await env.client.wait(await env.client.start(spec));
});
afterAll(async () => {
  await env?.close();
  if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
});

describe('a custom model module', () => {
  it('trains, validates and deploys from a user directory', () => {
    expect(first.status, first.error ?? '').toBe('COMPLETED');
    expect(step(first, 'train').summary).toMatchObject({
      model: expect.stringMatching(/^module:[0-9a-f]{12}$/),
    });
    expect(step(first, 'train').stepCodeVersion).toMatch(/^[0-9a-f]{12}\+[0-9a-f]{12}$/);
    expect(first.model).toMatchObject({ name: 'wide-iris', version: 1, alias: 'production' });
  });

  it('is served over HTTP like a built-in model', async () => {
    const server: ModelServer = await buildModelServer({ home: env.config.home, store: env.config.store });
    try {
      const base = await server.app.listen({ port: 0, host: '127.0.0.1' });
      const response = await fetch(`${base}/v1/models/wide-iris:predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          instances: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }],
        }),
      });
      const reply = (await response.json()) as { predictions: string[]; version: number };
      expect(response.status, JSON.stringify(reply)).toBe(200);
      expect(reply.version).toBe(1);
      expect(['setosa', 'versicolor', 'virginica']).toContain(reply.predictions[0]);
    } finally {
      await server.close();
    }
  });

  it('after an edit to its import, resume --plan says train: code changed, and the resumed run retrains', async () => {
    const before = await env.client.plan(first.runId);
    expect(before.steps.find((s) => s.name === 'train')).toMatchObject({ action: 'reuse' });

    fs.writeFileSync(path.join(userDir, 'models', 'sizes.ts'), 'export const hiddenUnits = 12;\n');
    const plan = await env.client.plan(first.runId);
    const train = plan.steps.find((s) => s.name === 'train')!;
    expect(train.action).toBe('run');
    expect(train.reason).toMatch(/^code changed: [0-9a-f]{12}\+[0-9a-f]{12} → [0-9a-f]{12}\+[0-9a-f]{12}$/);
    for (const name of ['ingest', 'sanity'])
      expect(plan.steps.find((s) => s.name === name)!.action).toBe('reuse');

    const resumed = await env.client.wait(await env.client.startPlanned(plan));
    expect(resumed.status, resumed.error ?? '').toBe('COMPLETED');
    const retrained = step(resumed, 'train');
    expect(retrained.reusedFrom ?? null).toBeNull();
    expect(retrained.summary?.model).not.toBe(step(first, 'train').summary?.model);
    expect(retrained.summary?.resumedFromEpoch).toBe(0); // never continues an epoch checkpoint of other code
    expect(resumed.model).toMatchObject({ name: 'wide-iris', version: 2 });
    // One authority: the run recorded the version its plan showed, so the next plan sees no change.
    expect(retrained.stepCodeVersion).toBe(train.reason.split(' → ')[1]);
    const again = await env.client.plan(resumed.runId);
    expect(again.steps.find((s) => s.name === 'train')).toMatchObject({ action: 'reuse' });
  });
});

describe('numeric safety in a pipeline', () => {
  it('a sentinel near 1e308 fails sanity by name; let past sanity, it fails train non-retryably, and deploys nothing', async () => {
    const csv = path.join(userDir, 'sentinel.csv');
    const lines = fs
      .readFileSync(path.join(REPO, 'data', 'iris.csv'), 'utf8')
      .trim()
      .split(/\r?\n/);
    const withSentinel = lines.map((line, i) =>
      i === 0 ? `elevation,${line}` : `${i % 10 === 0 ? '1.7e308' : String(i)},${line}`,
    );
    fs.writeFileSync(csv, withSentinel.join('\n') + '\n');
    const caught = await env.client.wait(
      await env.client.start(env.spec([`source.uri=${csv}`, 'name=sentinel', 'train.epochs=2'])),
    );
    expect(caught.status).toBe('FAILED');
    expect(step(caught, 'sanity').error).toMatch(/sentinel\(elevation\).*1\.7e\+?308/);
    expect(step(caught, 'train').status).toBe('pending');
    // Train's own guard, for a sentinel sanity is told to accept (a share no value reaches).
    const view = await env.client.wait(
      await env.client.start(
        env.spec([`source.uri=${csv}`, 'name=sentinel', 'train.epochs=2', 'sanity.dataset.sentinelShare=1']),
      ),
    );
    expect(view.status).toBe('FAILED');
    const train = step(view, 'train');
    expect(train).toMatchObject({ status: 'failed', attempts: 1 });
    expect(train.error).toMatch(/NonFiniteValueError: .*'elevation': scaling statistics are not finite/);
    expect(view.model ?? null).toBeNull();
  });
});
