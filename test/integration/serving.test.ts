import fs from 'node:fs';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../core/checkpoint/store';
import { modelFromArrow } from '../../core/model/codec';
import { transformInstances } from '../../core/model/preprocess';
import { predictValues } from '../../core/model/regression-metrics';
import { ModelRegistry } from '../../core/registry';
import { Predictor } from '../../core/serving/predictor';
import { buildModelServer, type ModelServer } from '../../core/serving/server';
import { deployIrisInProcess, tempHome } from '../support/in-process-models';

const SETOSA = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
const VIRGINICA = { sepal_length: 7.7, sepal_width: 2.8, petal_length: 6.7, petal_width: 2.0 };

let home: string;
let server: ModelServer;
let base: string;
let registry: ModelRegistry;
let store: string;

/** iris regressed on petal_width (species a string feature): a model with no classes. */
const REGRESSION = [
  'name=reg2',
  'target.column=petal_width',
  'target.task=regression',
  'train.epochs=5',
  'validate.min={}',
];

beforeAll(async () => {
  const temp = tempHome('serving');
  home = temp.home;
  // Two real versions of iris: v1 and v2 (a different seed), production on v1.
  await deployIrisInProcess(temp.config, 'serve-run-1');
  await deployIrisInProcess(temp.config, 'serve-run-2', ['train.seed=7']);
  registry = ModelRegistry.at(home);
  await registry.promote('iris', 1, 'production');
  await deployIrisInProcess(temp.config, 'serve-run-reg', REGRESSION);
  store = temp.config.store;
  server = await buildModelServer({
    home,
    store: temp.config.store,
    reloadIntervalMs: 50,
    predictionLog: { flushIntervalMs: 200 },
  });
  base = await server.app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await server?.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

/** The JSON the server answers: a prediction, or an error naming the field. */
interface PredictReply {
  model: string;
  alias: string;
  version: number;
  predictions: string[];
  probabilities: Record<string, number>[];
  error?: string;
  field?: string;
}

async function predict(
  body: unknown,
  model = 'iris',
  query = '',
): Promise<{ status: number; json: PredictReply }> {
  const response = await fetch(`${base}/v1/models/${model}:predict${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as PredictReply };
}

describe('quiver serve over real HTTP', () => {
  it('answers predictions with class probabilities and the serving version', async () => {
    const { status, json } = await predict({ instances: [SETOSA, VIRGINICA] });
    expect(status).toBe(200);
    expect(json).toMatchObject({ model: 'iris', alias: 'production', version: 1 });
    expect(json.predictions).toEqual(['setosa', 'virginica']);
    expect(json.probabilities).toHaveLength(2);
    for (const row of json.probabilities) {
      expect(Object.keys(row).sort()).toEqual(['setosa', 'versicolor', 'virginica']);
      const total = Object.values(row).reduce((a, b) => a + b, 0);
      expect(total).toBeCloseTo(1, 4);
    }
    expect(json.probabilities[0].setosa).toBeGreaterThan(0.5);
  });

  it('serves any alias by ?alias= and lists versions and aliases', async () => {
    await registry.promote('iris', 2, 'staging');
    await server.slots.refresh();
    const staged = await predict({ instances: [SETOSA] }, 'iris', '?alias=staging');
    expect(staged.status).toBe(200);
    expect(staged.json.version).toBe(2);
    const info = await (await fetch(`${base}/v1/models/iris`)).json();
    expect(info.aliases).toEqual({ production: 1, staging: 2 });
    expect(info.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(info.versions[0].metrics.accuracy).toBeGreaterThan(0.8);
  });

  it('refuses bad requests with 400 naming the field, unknown models with 404', async () => {
    const malformed = await predict('{"instances": [');
    expect(malformed.status).toBe(400);
    expect(malformed.json.field).toBe('body');
    expect((await predict({})).json).toMatchObject({ field: 'instances', error: 'instances: missing' });
    expect((await predict({ instances: {} })).status).toBe(400);
    const { petal_width: _omitted, ...missing } = SETOSA;
    const noFeature = await predict({ instances: [SETOSA, missing] });
    expect(noFeature.status).toBe(400);
    expect(noFeature.json.field).toBe('instances[1].petal_width');
    const mistyped = await predict({ instances: [{ ...SETOSA, sepal_length: 'long' }] });
    expect(mistyped.status).toBe(400);
    expect(mistyped.json.error).toBe("instances[0].sepal_length: expected a finite number, got 'long'");
    const unknown = await predict({ instances: [SETOSA] }, 'tulips');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toContain('tulips');
    expect((await predict({ instances: [SETOSA] }, 'iris', '?alias=nope')).status).toBe(404);
    expect((await fetch(`${base}/v1/models/tulips`)).status).toBe(404);
    expect((await fetch(`${base}/v1/models/..%2F..%2Fregistry`)).status).toBe(404);
  });

  it('answers health, readiness and Prometheus metrics', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, errors: {} });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(
      /quiver_serving_requests_total\{model="iris",alias="production",version="1",status="200"\} \d+/,
    );
    expect(metrics).toMatch(/quiver_serving_requests_total\{[^}]*status="400"\} [1-9]/);
    expect(metrics).toContain('quiver_serving_model_version{model="iris",alias="production"} 1');
    expect(metrics).toContain('quiver_serving_batch_rows_bucket');
    // Unknown names from URLs are not labels (they would grow the metric without bound).
    expect(metrics).not.toContain('tulips');
    expect(metrics).toMatch(/quiver_serving_requests_total\{model="\(unknown\)",[^}]*status="404"\} [1-9]/);
  });

  it('switches versions under load on an alias move without a failed request', async () => {
    const seen: number[] = [];
    const failures: string[] = [];
    let stop = false;
    let moved = false;
    const client = async () => {
      while (!stop) {
        const { status, json } = await predict({ instances: [SETOSA] });
        if (status !== 200) failures.push(`${status} ${JSON.stringify(json)}`);
        else seen.push(json.version);
      }
    };
    const clients = Array.from({ length: 16 }, client);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await registry.promote('iris', 2, 'production', 'load test');
    moved = true;
    // Keep the load on until the server has served v2 for a while.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && seen.filter((v) => v === 2).length < 200)
      await new Promise((resolve) => setTimeout(resolve, 20));
    stop = true;
    await Promise.all(clients);
    expect(moved).toBe(true);
    expect(failures).toEqual([]);
    expect(seen.length).toBeGreaterThan(200);
    const firstV2 = seen.indexOf(2);
    expect(seen.slice(0, firstV2).every((v) => v === 1)).toBe(true);
    expect(firstV2).toBeGreaterThan(0);
    // After the switch no request is answered by the old version again.
    expect(seen.slice(firstV2 + 16).every((v) => v === 2)).toBe(true);
  });

  it('logs every prediction to Arrow files under QUIVER_HOME, readable like training data', async () => {
    await server.log.flush();
    const dir = path.join(home, 'predictions', 'iris');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.arrow'));
    expect(files.length).toBeGreaterThan(0);
    const tables = files.map((f) => tableFromIPC(fs.readFileSync(path.join(dir, f))));
    const rows = tables.reduce((n, t) => n + t.numRows, 0);
    expect(rows).toBe(server.log.written);
    const names = tables[0].schema.fields.map((f) => f.name);
    expect(names).toEqual(
      expect.arrayContaining(['sepal_length', 'petal_width', 'prediction', 'probability', 'version', 'time']),
    );
    const versions = new Set(
      tables.flatMap((t) => Array.from(t.getChild('version')!.toArray() as Float64Array)),
    );
    expect([...versions].sort()).toEqual([1, 2]);
    const first = tables.find((t) => t.getChild('prediction')!.get(0) === 'setosa')!;
    expect(first.getChild('sepal_length')!.get(0)).toBe(5.1);
  });

  it('serves a regression model: one number per instance, as the library predictor and validate score it', async () => {
    const rows = [
      { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, species: 'setosa' },
      { sepal_length: 7.7, sepal_width: 2.8, petal_length: 6.7, species: 'virginica' },
      { sepal_length: 6.0, sepal_width: 2.9, petal_length: 4.5, species: null },
    ];
    const { status, json } = await predict({ instances: rows }, 'reg2');
    expect(status).toBe(200);
    expect(json).toMatchObject({ model: 'reg2', alias: 'production', version: 1 });
    expect(json).not.toHaveProperty('probabilities');
    expect(json.predictions).toHaveLength(3);
    const served = json.predictions as unknown as number[];
    for (const p of served) expect(Number.isFinite(p)).toBe(true);
    // Iris petals: a setosa's width is far below a virginica's.
    expect(served[0]).toBeLessThan(served[1]);

    const record = (await registry.version('reg2', 1))!;
    const table = await openStore(store, { home }).read(record.model);
    const library = await Predictor.fromCheckpoint(table);
    const decoded = await modelFromArrow(table);
    try {
      expect(library.preprocessing.task).toBe('regression');
      const local = await library.predict(rows);
      expect(local.probabilities).toBeUndefined();
      // validate's scoring: model.predict over the encoded rows, unscaled to target units.
      const scored = predictValues(
        decoded.model,
        decoded.preprocessing,
        transformInstances(rows, decoded.preprocessing),
      );
      served.forEach((p, i) => {
        expect(Math.abs(p - (local.predictions[i] as number))).toBeLessThan(1e-5);
        expect(Math.abs(p - scored[i])).toBeLessThan(1e-5);
      });
    } finally {
      library.dispose();
      decoded.model.dispose();
    }

    // The prediction log keeps the values as numbers (the monitor's residuals read them).
    await server.log.flush();
    const dir = path.join(home, 'predictions', 'reg2');
    const logged = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.arrow'))
      .map((f) => tableFromIPC(fs.readFileSync(path.join(dir, f))));
    const predictionColumn = logged[0].getChild('prediction')!;
    expect(String(predictionColumn.type)).toBe('Float64');
    const values = logged.flatMap((t) => Array.from(t.getChild('prediction')!.toArray() as Float64Array));
    for (const p of served) expect(values.some((v) => Math.abs(v - p) < 1e-9)).toBe(true);
  });

  it('reads request strings as training read them: trimmed categories, ISO strings only for timestamps', async () => {
    const row = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, species: 'setosa' };
    const plain = await predict({ instances: [row] }, 'reg2');
    // iris.csv was read with source.trim on (the default): 'setosa ' is setosa, with no warning.
    const padded = await predict({ instances: [{ ...row, species: 'setosa ' }] }, 'reg2');
    expect(padded.status).toBe(200);
    expect(padded.json).not.toHaveProperty('warnings');
    expect(padded.json.predictions).toEqual(plain.json.predictions);
    const dated = await predict({ instances: [{ ...row, sepal_length: '2024-01-01' }] }, 'reg2');
    expect(dated.status).toBe(400);
    expect(dated.json).toEqual({
      error: "instances[0].sepal_length: expected a finite number, got '2024-01-01'",
      field: 'instances[0].sepal_length',
    });
  });
});
