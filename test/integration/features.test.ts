import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../core/checkpoint/store';
import { readCsv } from '../../core/csv';
import { applyFeatures } from '../../core/features/pipeline';
import { modelFeatures, modelFromArrow } from '../../core/model/codec';
import { argmaxRows, predictProbabilities } from '../../core/model/metrics';
import { decodeLabel, transformFeatures } from '../../core/model/preprocess';
import { ModelRegistry } from '../../core/registry';
import { buildModelServer } from '../../core/serving/server';
import type { RunView } from '../../client/api';
import { REPO, startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';

let env: PipelineEnv;
let userDir: string;

/** A user's repository: a spec, a custom transform module (importing a helper), our node_modules. */
function writeUserRepo(dir: string, offset: number): void {
  fs.mkdirSync(path.join(dir, 'features'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'features', 'helper.ts'), `export const OFFSET = ${offset};\n`);
  fs.writeFileSync(
    path.join(dir, 'features', 'center.ts'),
    `import type * as arrow from 'apache-arrow';
import { OFFSET } from './helper';

interface Context {
  trainRows: Int32Array;
  arrow: typeof arrow;
}

/** Centres one column on its training mean (plus OFFSET). */
export function fit(table: arrow.Table, params: { column: string }, context: Context) {
  const column = table.getChild(params.column)!;
  let sum = 0;
  for (const row of context.trainRows) sum += Number(column.get(row));
  return { column: params.column, mean: sum / context.trainRows.length + OFFSET };
}

export function apply(table: arrow.Table, state: { column: string; mean: number }, context: Context) {
  const column = table.getChild(state.column)!;
  const centred = Float64Array.from({ length: table.numRows }, (_, i) => Number(column.get(i)) - state.mean);
  return table.assign(new context.arrow.Table({ [state.column]: context.arrow.vectorFromArray(centred) }));
}
`,
  );
}

function writeSpec(dir: string, name: string, features: string): string {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(
    file,
    `name: ${name}
source: { uri: ${path.join(REPO, 'data', 'iris.csv')} }
target: { column: species }
sanity: { minRows: 100, maxNullFraction: 0 }
features:
${features}
train: { hiddenUnits: [8], epochs: 15, batchSize: 32, learningRate: 0.05, checkpointEvery: 1h }
validate: { min: { accuracy: 0.5 } }
`,
  );
  return file;
}

const CUSTOM_FEATURES = `  - derive: { petal_ratio: "petal_length / petal_width" }
  - module: ./features/center.ts
    params: { column: petal_ratio }
  - scale: { method: standard }`;

beforeAll(async () => {
  env = await startPipelineEnv('features');
  userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-user-'));
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(userDir, 'node_modules'), 'dir');
  writeUserRepo(userDir, 0);
});

afterAll(async () => {
  await env?.close();
  if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
});

/** What serving must answer for raw iris rows: the model's fitted transforms, as validate applies them. */
async function predictInProcess(view: RunView, rows: number[]) {
  const registry = ModelRegistry.at(env.config.home);
  const record = (await registry.version(view.model!.name, view.model!.version))!;
  const decoded = await modelFromArrow(await openStore(env.config.store).read(record.model));
  const raw = await readCsv(path.join(REPO, 'data', 'iris.csv'));
  const inputs = await applyFeatures(raw, modelFeatures(decoded)!);
  const width = decoded.preprocessing.inputWidth;
  const probabilities = predictProbabilities(
    decoded.model,
    transformFeatures(inputs, decoded.preprocessing, Int32Array.from(rows)),
    width,
  );
  const labels = Array.from(argmaxRows(probabilities, 3), (k) => decodeLabel(decoded.preprocessing, k));
  decoded.model.dispose();
  const instances = rows.map((row) =>
    Object.fromEntries(
      ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'].map((c) => [
        c,
        raw.getChild(c)!.get(row),
      ]),
    ),
  );
  return { labels, probabilities, instances };
}

async function serve(view: RunView, instances: unknown[]) {
  const server = await buildModelServer({
    home: env.config.home,
    store: env.config.store,
    reloadIntervalMs: 60_000,
  });
  try {
    const base = await server.app.listen({ port: 0, host: '127.0.0.1' });
    const response = await fetch(`${base}/v1/models/${view.model!.name}:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances }),
    });
    return {
      status: response.status,
      json: (await response.json()) as {
        predictions: string[];
        probabilities: Record<string, number>[];
        error?: string;
      },
    };
  } finally {
    await server.close();
  }
}

describe('pipelines/iris-select.yaml: selectKBest k=2, then logistic regression', () => {
  let view: RunView;
  beforeAll(async () => {
    const spec = env.spec(['train.epochs=60'], path.join(REPO, 'pipelines', 'iris-select.yaml'));
    view = await env.client.wait(await env.client.start(spec));
  });

  it('trains on the two petal measurements and deploys', () => {
    expect(view.status, view.error ?? '').toBe('COMPLETED');
    const features = view.steps.find((s) => s.name === 'features')!;
    expect(features.summary).toMatchObject({
      transforms: 1,
      features: 2,
      columns: 'petal_length, petal_width',
    });
    expect(features.transforms).toHaveLength(1);
    expect(features.transforms![0]).toMatchObject({
      index: 0,
      name: 'selectKBest',
      reused: false,
      columns: 2,
    });
    expect(Object.keys(features.outputs).sort()).toEqual(['data', 'split', 'transform-0', 'transforms']);
    const validate = view.steps.find((s) => s.name === 'validate')!;
    expect(validate.summary.accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('serves raw columns through the fitted transforms: the same prediction as validation computes', async () => {
    const rows = [0, 60, 120, 149];
    const expected = await predictInProcess(view, rows);
    const { status, json } = await serve(view, expected.instances);
    expect(status, json.error).toBe(200);
    expect(json.predictions).toEqual(expected.labels);
    rows.forEach((_, i) => {
      const served = json.probabilities[i];
      ['setosa', 'versicolor', 'virginica'].forEach((label, k) =>
        expect(served[label]).toBeCloseTo(expected.probabilities[i * 3 + k], 5),
      );
    });
    // A raw column missing from the request is named.
    const { sepal_width: _dropped, ...partial } = expected.instances[0];
    const refused = await serve(view, [partial]);
    expect(refused.status).toBe(400);
    expect(refused.json.error).toBe('instances[0].sepal_width: missing');
  });
});

describe('a custom transform module from a user directory', () => {
  let view: RunView;
  beforeAll(async () => {
    writeUserRepo(userDir, 0);
    const spec = env.spec([], writeSpec(userDir, 'custom', CUSTOM_FEATURES));
    view = await env.client.wait(await env.client.start(spec));
  });

  it('runs end to end with one checkpoint per transform and serves raw rows', async () => {
    expect(view.status, view.error ?? '').toBe('COMPLETED');
    const features = view.steps.find((s) => s.name === 'features')!;
    expect(features.transforms!.map((t) => t.name)).toEqual(['derive', 'center.ts', 'scale']);
    const store = openStore(env.config.store);
    const centred = await store.read(features.transforms![1].output);
    expect(centred.getChild('petal_ratio')).toBeTruthy();
    const expected = await predictInProcess(view, [5, 77]);
    const { status, json } = await serve(view, expected.instances);
    expect(status, json.error).toBe(200);
    expect(json.predictions).toEqual(expected.labels);
  });

  it('editing the module re-plans that transform and everything after it, nothing before it', async () => {
    writeUserRepo(userDir, 1); // helper.ts changes: center.ts's code version changes with it
    const plan = await env.client.plan(view.runId);
    const features = plan.steps.find((s) => s.name === 'features')!;
    expect(plan.steps.slice(0, 2).map((s) => s.action)).toEqual(['reuse', 'reuse']);
    expect(features.action).toBe('run');
    expect(features.reason).toMatch(/^features\[1\] center\.ts: code changed: [0-9a-f]{12} → [0-9a-f]{12}$/);
    expect(features.transforms!.map((t) => [t.label, t.action])).toEqual([
      ['features[0] derive', 'reuse'],
      ['features[1] center.ts', 'run'],
      ['features[2] scale', 'run'],
    ]);
    expect(features.transforms![2].reason).toBe('input changed: features[1] center.ts output');

    const resumed = await env.client.wait(await env.client.startPlanned(plan));
    expect(resumed.status, resumed.error ?? '').toBe('COMPLETED');
    const ran = resumed.steps.find((s) => s.name === 'features')!.transforms!;
    expect(ran.map((t) => t.reused)).toEqual([true, false, false]);
    const before = view.steps.find((s) => s.name === 'features')!.transforms!;
    expect(ran[0].output).toEqual(before[0].output);
    expect(ran[1].cacheKey).not.toBe(before[1].cacheKey);
  });

  it('a transform that throws fails the run non-retryably, naming it; earlier checkpoints stay', async () => {
    fs.writeFileSync(
      path.join(userDir, 'features', 'broken.ts'),
      `export function fit() { throw new Error('no ratio for you'); }\nexport function apply(t: unknown) { return t; }\n`,
    );
    const spec = env.spec(
      [],
      writeSpec(
        userDir,
        'broken',
        `  - scale: { method: standard }
  - module: ./features/broken.ts`,
      ),
    );
    const failed = await env.client.wait(await env.client.start(spec));
    expect(failed.status).toBe('FAILED');
    const features = failed.steps.find((s) => s.name === 'features')!;
    expect(features).toMatchObject({ status: 'failed', attempts: 1 });
    expect(features.error).toContain(
      `FeatureTransformError: features[1] broken.ts (${path.join(userDir, 'features', 'broken.ts')}): fit threw: no ratio for you`,
    );
    // The split and the first transform were checkpointed before the failure, as were earlier steps.
    expect(Object.keys(features.outputs).sort()).toEqual(['split', 'transform-0']);
    const store = openStore(env.config.store);
    for (const step of failed.steps.slice(0, 2)) await store.verify(step.checkpoint!);
    for (const ref of Object.values(features.outputs)) await store.verify(ref);
  });
});
