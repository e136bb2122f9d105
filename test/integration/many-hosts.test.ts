import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { QuiverClient } from '../../client/api';
import { openStore } from '../../core/checkpoint/store';
import { loadConfig } from '../../core/config';
import { ModelRegistry } from '../../core/registry';
import { loadSpecFile } from '../../core/spec/load';
import { QUIVER_BIN, quiver, stopProcess } from '../support/cli';
import { eventually } from '../support/eventually';
import { patient } from '../support/patience';
import { connectTestClient, IRIS_SPEC, REPO } from '../support/pipeline-env';
import { startS3TestServer, testS3Client, type S3TestServer } from '../support/s3-server';

/**
 * Many hosts, simulated honestly: three CPU workers and a GPU worker as separate processes, each
 * with its own QUIVER_HOME (no shared disk), the data set and every shared state in one S3 bucket.
 */
const RUNS = 20;
/**
 * How long the runs may take before the test stops waiting and reports where each unfinished one
 * stands (its status, step and pending activities): the test's own timeout would say nothing.
 */
const RUNS_DEADLINE_MS = 720_000;
/** Worker logs survive the test here, for a failure's post-mortem. */
const LOG_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-hosts-logs-'));
let s3: S3TestServer;
let env: NodeJS.ProcessEnv;
let client: QuiverClient;
const homes: string[] = [];
const workers: ChildProcess[] = [];
let sourceUri: string;

function newHome(tag: string): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `quiver-host-${tag}-`));
  homes.push(home);
  return home;
}

beforeAll(async () => {
  s3 = await startS3TestServer('hosts');
  const s3Client = testS3Client(s3.server.endpoint);
  await s3Client.send(
    new PutObjectCommand({
      Bucket: s3.bucket,
      Key: 'data/iris.csv',
      Body: fs.readFileSync(path.join(REPO, 'data', 'iris.csv')),
    }),
  );
  s3Client.destroy();
  sourceUri = `s3://${s3.bucket}/data/iris.csv`;
  const { QUIVER_STORE: _store, QUIVER_HOME: _home, QUIVER_TF_BACKEND: _backend, ...inherited } = process.env;
  env = {
    ...inherited,
    ...s3.env,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    QUIVER_STORE: s3.storeUri('cluster'),
    QUIVER_QUEUE_PREFIX: `hosts-${process.pid}-`,
    QUIVER_GPU_CONCURRENCY: '4',
  };
  const started = await Promise.all([
    // Three CPU workers (one is killed mid-test, the others take its tasks) and one GPU worker.
    ...['cpu1', 'cpu2', 'cpu3'].map((tag) => startWorker('cpu', newHome(tag))),
    startWorker('gpu', newHome('gpu')),
  ]);
  workers.push(...started);
  client = await connectTestClient(loadConfig({ ...env, QUIVER_HOME: newHome('client') }));
}, 400_000);

afterAll(async () => {
  await client?.close();
  await Promise.all(workers.map((w) => stopProcess(w)));
  await s3?.close();
  for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
});

describe('many hosts sharing one S3 store', () => {
  it('runs 20 pipelines across workers that share no disk, survives a killed worker, and serves from a fresh host', async () => {
    const overrides = [
      `source.uri=${sourceUri}`,
      ...stepLimits(['source', 'sanity', 'validate', 'deploy']),
      // One epoch: the test proves distribution and shared state, not accuracy (lean on a 2-core CI).
      'train.epochs=1',
      'validate.min.accuracy=0',
    ];
    const spec = loadSpecFile(IRIS_SPEC, overrides).spec;
    const runIds = await Promise.all(Array.from({ length: RUNS }, () => client.start(spec, overrides)));

    // Kill one CPU worker with SIGKILL once runs are in flight: its tasks move to the others.
    await eventually(
      async () => {
        // A query may meet a workflow task being retried: ask again rather than fail.
        const views = await Promise.all(runIds.slice(0, 5).map((id) => client.status(id).catch(() => null)));
        return views.some((v) => v?.steps.some((s) => s.status === 'completed')) || undefined;
      },
      'a first completed step',
      300_000,
    );
    workers[0].kill('SIGKILL');

    const views = await withinDeadline(
      Promise.all(runIds.map((id) => client.wait(id, undefined, 2_000))),
      RUNS_DEADLINE_MS,
      async () =>
        `runs not closed after ${RUNS_DEADLINE_MS / 1000} s:\n${await whereRunsStand(runIds)}\nworker logs: ${LOG_DIR}`,
    );
    const failures = views
      .filter((v) => v.status !== 'COMPLETED')
      .map((v) => `${v.runId}: ${v.status} ${v.error}`);
    expect(failures, `${failures.join('\n')}\nworker logs: ${LOG_DIR}`).toEqual([]);

    // Every checkpoint of every step verifies against its content address, read from S3.
    const store = openStore(env.QUIVER_STORE!);
    const refs = views.flatMap((v) => v.steps.flatMap((s) => Object.values(s.outputs ?? {})));
    expect(refs.length).toBeGreaterThanOrEqual(RUNS * 5);
    expect(refs.every((ref) => ref.uri.startsWith(`s3://${s3.bucket}/cluster/checkpoints/`))).toBe(true);
    for (const ref of new Map(refs.map((r) => [r.sha256, r])).values()) await store.verify(ref);

    // The registry: 20 distinct versions, numbered 1..20 with no gap or duplicate.
    const registry = ModelRegistry.at({ home: newHome('check'), store: env.QUIVER_STORE! });
    const versions = await registry.versions('iris');
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: RUNS }, (_, i) => i + 1));
    expect(new Set(versions.map((v) => v.runId)).size).toBe(RUNS);
    const production = (await registry.aliases('iris')).production;

    // `quiver serve` on a fourth, empty home serves production and follows a move made elsewhere.
    const serveHome = newHome('serve');
    const { child: serve, url } = await startServe({ ...env, QUIVER_HOME: serveHome });
    try {
      const predict = async () => {
        const reply = await fetch(`${url}/v1/models/iris:predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            instances: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }],
          }),
        });
        expect(reply.status).toBe(200);
        return (await reply.json()) as { version: number };
      };
      expect((await predict()).version).toBe(production);
      const target = production === 1 ? 2 : 1;
      const moved = await quiver(['models', 'promote', 'iris', String(target), '--alias', 'production'], {
        ...env,
        QUIVER_HOME: newHome('operator'),
      });
      expect(moved.code, moved.stderr).toBe(0);
      await eventually(
        async () => ((await predict()).version === target ? true : undefined),
        `serve to follow production to v${target}`,
      );
      expect(fs.readdirSync(serveHome).filter((f) => f !== 'digests')).toEqual([]);
    } finally {
      await stopProcess(serve);
    }
  }, 900_000);
});

/**
 * Step limits that stretch with the machine's load (test/support/patience.ts), as the test's waits
 * do: 20 runs on five processes beside a CPU-bound neighbour starve event loops for many seconds,
 * and a step whose attempts time out that way pauses the run (waiting for `quiver retry`) instead of
 * completing. A start-to-close timeout only catches a hung attempt, so it is generous. The CPU
 * steps' heartbeat timeout stays at its 30 s default: it is how soon the killed worker's steps move
 * (stretched, it cost the suite minutes); one more attempt than the default covers the attempt the
 * SIGKILL costs and one starved heartbeat.
 */
function stepLimits(steps: string[]): string[] {
  const seconds = (idleMs: number) => `${Math.round(patient(idleMs) / 1000)}s`;
  return [
    ...steps.flatMap((step) => [`${step}.timeout=${seconds(120_000)}`, `${step}.retry.maximumAttempts=4`]),
    // Training (iris.yaml: 2 attempts, 1 m heartbeat) shares the GPU worker 4 at a time; its first
    // heartbeat comes after a TF.js start-up in a fresh thread, slow on a starved machine.
    `train.heartbeatTimeout=${seconds(60_000)}`,
    'train.retry.maximumAttempts=3',
  ];
}

/** `work`'s value, or an error with `explain()`'s text once `ms` have passed. */
async function withinDeadline<T>(work: Promise<T>, ms: number, explain: () => Promise<string>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => void explain().then((text) => reject(new Error(text)), reject), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** One line per open run: its Temporal status, Quiver's status and step, and its pending activities. */
async function whereRunsStand(runIds: string[]): Promise<string> {
  const lines = await Promise.all(
    runIds.map(async (id) => {
      const described = await client.temporal.workflow
        .getHandle(id)
        .describe()
        .catch((e: Error) => e);
      if (described instanceof Error) return `${id}: describe failed: ${described.message}`;
      if (described.status.name !== 'RUNNING') return null;
      const attributes = described.searchAttributes as Record<string, unknown[] | undefined>;
      const pending = (described.raw.pendingActivities ?? []).map(
        (a) =>
          `${a.activityType?.name} ${a.state} attempt ${a.attempt}${a.lastFailure ? ` (${a.lastFailure.message})` : ''}`,
      );
      return `${id}: ${attributes.QuiverStatus?.[0]} at ${attributes.QuiverStep?.[0]}; pending: ${pending.join('; ') || 'none'}`;
    }),
  );
  return lines.filter(Boolean).join('\n');
}

/** Starts `quiver worker --queue QUEUE` on its own home; its output goes to `<home>/worker.log`. */
function startWorker(queue: 'cpu' | 'gpu', home: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [QUIVER_BIN, 'worker', '--queue', queue], {
      env: { ...env, QUIVER_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = fs.createWriteStream(path.join(LOG_DIR, `${path.basename(home)}.log`));
    let output = '';
    const onData = (d: Buffer) => {
      log.write(d);
      output += d.toString();
      if (output.includes('worker on')) resolve(child);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`quiver worker exited with ${code}\n${output}`)));
  });
}

/** Starts `quiver serve --port 0 --json` and resolves with the URL it printed. */
function startServe(serveEnv: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [QUIVER_BIN, 'serve', '--port', '0', '--reload-interval', '300', '--json'],
      {
        env: serveEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = /"url":\s*"([^"]+)"/.exec(output);
      if (match) resolve({ child, url: match[1] });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`quiver serve exited with ${code}\n${output}`)));
  });
}
