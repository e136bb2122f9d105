import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import autocannon from 'autocannon';
import { createActivities } from '../activities';
import { loadConfig } from '../core/config';
import type { StepInput } from '../core/run-types';
import { loadSpecFile } from '../core/spec/load';
import { runStandalone, type BenchResult } from './result';

const DURATION_S = Number(process.env.QUIVER_BENCH_SERVING_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.QUIVER_BENCH_SERVING_CONNECTIONS ?? 32);
const TARGET_RPS = 3000;
const TARGET_P99_MS = 25;
const BODY = JSON.stringify({
  instances: [{ sepal_length: 5.9, sepal_width: 3.0, petal_length: 5.1, petal_width: 1.8 }],
});

/** Trains and registers iris (production, v1) in-process under `home`. */
async function deployIris(home: string): Promise<string> {
  const config = loadConfig({ ...process.env, QUIVER_HOME: home, QUIVER_STORE: '' });
  const { spec } = loadSpecFile(path.join(__dirname, '..', 'pipelines', 'iris.yaml'));
  const steps = createActivities(config);
  const input = (inputs: StepInput['inputs']): StepInput => ({
    run: { runId: 'bench-serving', pipeline: spec.name },
    spec,
    inputs,
  });
  const data = (await steps.ingest(input({}))).outputs.data;
  const model = (await steps.train(input({ data }))).outputs.model;
  const metrics = (await steps.validate(input({ data, model }))).outputs.metrics;
  await steps.deploy(input({ model, metrics }));
  return config.store;
}

/** Starts bench/serving-server.ts in a child process; resolves with its URL. */
function startServer(home: string, store: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'serving-server.ts'), home, store],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`serving server exited with ${code}`)));
    readline.createInterface({ input: child.stdout! }).once('line', (line) => {
      resolve({ child, url: (JSON.parse(line) as { url: string }).url });
    });
  });
}

async function load(url: string, duration: number) {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BODY,
    connections: CONNECTIONS,
    duration,
  });
  if (result.errors || result.timeouts || result.non2xx)
    throw new Error(`${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`);
  return result;
}

/**
 * Single-row iris predictions over HTTP with autocannon (keep-alive connections), against the same
 * server answering a constant from `POST /constant` in the same run: the HTTP floor.
 */
export async function run(): Promise<BenchResult[]> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-bench-serving-'));
  let child: ChildProcess | undefined;
  try {
    const store = await deployIris(home);
    const server = await startServer(home, store);
    child = server.child;
    const predictUrl = `${server.url}/v1/models/iris:predict`;
    await load(predictUrl, 2); // warm-up: JIT, backend, connection pools
    await load(`${server.url}/constant`, 2);
    const floor = await load(`${server.url}/constant`, DURATION_S);
    const model = await load(predictUrl, DURATION_S);
    const rps = model.requests.average;
    const note = `${CONNECTIONS} connections, ${DURATION_S} s each, ${os.cpus().length} cores; p50 ${model.latency.p50} ms (floor ${floor.latency.p50} ms)`;
    return [
      {
        name: 'serving throughput, single-row iris predictions',
        value: rps,
        unit: 'req/s',
        baseline: floor.requests.average,
        ratio: rps / floor.requests.average,
        target: `≥ ${TARGET_RPS} req/s`,
        pass: rps >= TARGET_RPS,
        note,
      },
      {
        name: 'serving p99 latency',
        value: model.latency.p99,
        unit: 'ms',
        baseline: floor.latency.p99,
        ratio: model.latency.p99 / Math.max(floor.latency.p99, 1e-9),
        target: `≤ ${TARGET_P99_MS} ms`,
        pass: model.latency.p99 <= TARGET_P99_MS,
      },
    ];
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(home, { recursive: true, force: true });
  }
}

if (require.main === module) runStandalone(run);
