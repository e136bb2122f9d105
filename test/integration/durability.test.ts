import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { QuiverClient, type RunView } from '../../client/api';
import { contentPath, openStore } from '../../core/checkpoint/store';
import { LINEAGE_KEYS } from '../../core/checkpoint/types';
import { loadConfig, type QuiverConfig } from '../../core/config';
import { loadSpecFile } from '../../core/spec/load';
import { startDevServer, type DevServer } from '../../infra/dev-server';
import { findFreePorts } from '../../infra/ports';
import { createWorkers, type RunningWorkers } from '../../worker/workers';
import { startQuiver } from '../support/cli';
import {
  checkpointsOf,
  filesUnder,
  killHard,
  mountTmpfs,
  pollUntil,
  stepOf,
  stepRows,
  stopWithin,
  verifyAll,
  waitForRunStatus,
  waitForTrainingMidway,
  type Tmpfs,
} from '../support/durability';
import { connectTestClient, IRIS_SPEC } from '../support/pipeline-env';

/** Statuses a run ends in (or stops in, for PAUSED): waiting for COMPLETED alone would hide a failure. */
const SETTLED = ['COMPLETED', 'FAILED', 'CANCELED', 'TERMINATED', 'TIMED_OUT', 'PAUSED'];

/** The inherited environment minus a developer's QUIVER_STORE, which would send checkpoints elsewhere. */
function baseEnv(): NodeJS.ProcessEnv {
  const { QUIVER_STORE: _store, ...inherited } = process.env;
  return inherited;
}

function startRun(client: QuiverClient, overrides: string[]): Promise<string> {
  return client.start(loadSpecFile(IRIS_SPEC, overrides).spec, overrides);
}

/** How many checkpoint files in the store a given step wrote (read from each file's lineage). */
function checkpointFilesByStep(storeDir: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const file of filesUnder(storeDir)) {
    const table = tableFromIPC(fs.readFileSync(path.join(storeDir, file)));
    const step = table.schema.metadata.get(LINEAGE_KEYS.step) ?? '?';
    counts[step] = (counts[step] ?? 0) + 1;
  }
  return counts;
}

/** Stops in-process workers, but never lets a wedged connection hang the suite's teardown. */
async function shutdownWithin(workers: RunningWorkers | undefined, ms: number): Promise<void> {
  if (!workers) return;
  await Promise.race([workers.shutdown().catch(() => undefined), new Promise((r) => setTimeout(r, ms))]);
}

describe('a worker killed with SIGKILL mid-training', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-durable-kill-'));
  const env: NodeJS.ProcessEnv = {
    ...baseEnv(),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    QUIVER_HOME: home,
    QUIVER_QUEUE_PREFIX: `durable-kill-${process.pid}-`,
  };
  const config = loadConfig(env);
  /** Every worker process this suite started, killed or not: afterAll makes sure none survives. */
  const processes: ChildProcess[] = [];
  let client: QuiverClient;

  /** A CPU and a GPU worker, each its own `quiver worker` process as a user would run them. */
  const startWorkers = () =>
    Promise.all(
      (['cpu', 'gpu'] as const).map((queue) =>
        startQuiver(['worker', '--queue', queue], env, 'worker on').then((child) => {
          processes.push(child);
          return child;
        }),
      ),
    );

  beforeAll(async () => {
    client = await connectTestClient(config);
  });
  afterAll(async () => {
    await Promise.all(processes.map((child) => stopWithin(child)));
    await client?.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('retries only the training on fresh workers; completed steps are not executed again', async () => {
    const first = await startWorkers();
    const runId = await startRun(client, [
      'train.epochs=600',
      'train.heartbeatTimeout=3s',
      'train.checkpointEvery=1s',
    ]);

    // Kill only once a worker is inside the training loop (started, and at least one epoch reported).
    const midway = await waitForTrainingMidway(client, runId, 60_000);
    expect(midway.attempt).toBe(1);
    const before = await client.status(runId);
    expect(stepRows(before).slice(0, 4)).toEqual([
      ['ingest', 'completed', 1],
      ['sanity', 'completed', 1],
      ['features', 'completed', 1],
      ['train', 'running', 1], // its first attempt, by the server's count
    ]);
    // Past the first epoch checkpoint: the server holds a heartbeat naming it (what a retry reads).
    await pollUntil(
      'an epoch checkpoint in the heartbeat',
      () => client.status(runId),
      (view) => (stepOf(view, 'train').live?.checkpointEpoch ?? 0) >= 1,
      60_000,
    );
    await Promise.all(first.map(killHard));
    expect(first.map((child) => child.signalCode)).toEqual(['SIGKILL', 'SIGKILL']);

    // Nobody is left to run anything; fresh processes take over the run where it stood.
    await startWorkers();
    const view = await waitForRunStatus(client, runId, SETTLED, 90_000);

    expect(view.status, view.error ?? '').toBe('COMPLETED');
    expect(stepRows(view)).toEqual([
      ['ingest', 'completed', 1],
      ['sanity', 'completed', 1],
      ['features', 'completed', 1],
      ['train', 'completed', 2], // the killed attempt timed out on its heartbeat; the second finished
      ['validate', 'completed', 1],
      ['deploy', 'completed', 1],
    ]);
    expect(stepOf(view, 'train').summary.epochs).toBe(600);
    // The retried attempt continued from the last epoch checkpoint its predecessor heartbeated.
    expect(stepOf(view, 'train').summary.resumedFromEpoch).toBeGreaterThan(0);
    expect(view.model).toMatchObject({ name: 'iris', alias: 'production' });
    // Ingest and sanity wrote their checkpoints once: nothing re-ran them after the crash.
    const storeDir = openStore(config.store).root;
    expect(checkpointFilesByStep(storeDir)).toMatchObject({ ingest: 1, sanity: 4 });
    expect(await verifyAll(config.store, checkpointsOf(view))).toEqual([
      'deploy/deployment',
      'features/data',
      'features/split',
      'ingest/data',
      'sanity/drift',
      'sanity/flags',
      'sanity/profile',
      'sanity/report',
      'train/history',
      'train/model',
      'validate/metrics',
      'validate/predictions',
      'validate/report',
    ]);
  });
});

describe('the Temporal dev server stopped and restarted mid-run', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-durable-server-'));
  let ports: [number, number];
  let server: DevServer;
  let config: QuiverConfig;
  let workers: RunningWorkers | undefined;
  let workerFailure: unknown;
  let client: QuiverClient | undefined;

  const startServer = () => startDevServer({ home, port: ports[0], uiPort: ports[1], log: () => undefined });

  beforeAll(async () => {
    ports = (await findFreePorts(2)) as [number, number];
    server = await startServer();
    config = loadConfig(
      { ...baseEnv(), QUIVER_HOME: home, QUIVER_QUEUE_PREFIX: `durable-server-${process.pid}-` },
      { temporalAddress: server.address },
    );
    workers = await createWorkers({ config, address: server.address, queues: ['cpu', 'gpu'] });
    workers.run().catch((error: unknown) => (workerFailure = error));
    client = await connectTestClient(config, server.address, server.uiUrl);
  });
  afterAll(async () => {
    await client?.close().catch(() => undefined);
    await shutdownWithin(workers, 20_000);
    await server?.stop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('the run completes after the server comes back from its SQLite file', async () => {
    const runId = await startRun(client!, ['train.epochs=700']);
    await waitForTrainingMidway(client!, runId, 60_000);

    const stoppedAt = Date.now();
    await server.stop();
    expect(fs.statSync(path.join(home, 'temporal.db')).size).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    server = await startServer();
    const downMs = Date.now() - stoppedAt;

    // Same workers, same client: their connections find the new server on their own. A worker that
    // gave up on the server ends the wait at once (its error is the failure), rather than a timeout.
    const view = await pollUntil(
      `run ${runId} to settle`,
      () => client!.status(runId),
      (v) => workerFailure !== undefined || SETTLED.includes(v.status),
      90_000,
      250,
    );
    expect(workerFailure).toBeUndefined();
    expect(view.status, view.error ?? '').toBe('COMPLETED');
    // The training kept going through the outage (down ~downMs, well inside its 1 m heartbeat
    // timeout) and its result reached the new server: one attempt, like every other step.
    expect(stepRows(view), `server was down ${downMs} ms`).toEqual([
      ['ingest', 'completed', 1],
      ['sanity', 'completed', 1],
      ['features', 'completed', 1],
      ['train', 'completed', 1],
      ['validate', 'completed', 1],
      ['deploy', 'completed', 1],
    ]);
    expect(view.model).toMatchObject({ name: 'iris', alias: 'production' });
    await verifyAll(config.store, checkpointsOf(view));
  });
});

describe('a full disk during training', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-durable-disk-'));
  let disk: Tmpfs | undefined;
  let storeDir: string;
  let config: QuiverConfig;
  let workers: RunningWorkers | undefined;
  let client: QuiverClient | undefined;

  beforeAll(async () => {
    disk = mountTmpfs(1 << 20);
    storeDir = path.join(disk.dir, 'store');
    const address = inject('temporalAddress');
    config = loadConfig(
      {
        ...baseEnv(),
        QUIVER_HOME: home,
        QUIVER_STORE: `file://${storeDir}`,
        QUIVER_QUEUE_PREFIX: `durable-disk-${process.pid}-`,
      },
      { temporalAddress: address },
    );
    workers = await createWorkers({ config, address, queues: ['cpu', 'gpu'] });
    void workers.run();
    client = await connectTestClient(config, address);
  });
  afterAll(async () => {
    await client?.close();
    await shutdownWithin(workers, 20_000);
    disk?.unmount();
    fs.rmSync(home, { recursive: true, force: true });
  });

  /** The store holds exactly these checkpoints, each at its content address: no temp or partial files. */
  function expectStoreToHoldExactly(refs: RunView['steps'][number]['outputs'][]): void {
    // The features step passes its input on as its own `data` output: one file, listed twice.
    const expected = [
      ...new Set(
        refs
          .flatMap((outputs) => Object.values(outputs))
          .map((ref) => path.relative(storeDir, contentPath(storeDir, ref.sha256))),
      ),
    ].sort();
    expect(filesUnder(storeDir)).toEqual(expected);
  }

  it('pauses the run on train with ENOSPC, keeps earlier checkpoints, and `retry` finishes it', async () => {
    // No epoch checkpoints: the store must hold exactly the step outputs, however slow training runs.
    const runId = await startRun(client!, [
      'train.epochs=300',
      'train.retry.maximumAttempts=1',
      'train.checkpointEvery=1h',
    ]);
    await waitForTrainingMidway(client!, runId, 60_000);
    // Ingest and sanity have written their checkpoints; now the disk fills up under the training.
    const filler = disk!.fill();
    expect(disk!.free()).toBe(0);

    const paused = await waitForRunStatus(client!, runId, SETTLED, 60_000);
    expect(paused.status, paused.error ?? '').toBe('PAUSED');
    const [ingest, sanity, features, train, validate, deploy] = paused.steps;
    expect(stepRows(paused)).toEqual([
      ['ingest', 'completed', 1],
      ['sanity', 'completed', 1],
      ['features', 'completed', 1],
      ['train', 'paused', 1],
      ['validate', 'pending', 0],
      ['deploy', 'pending', 0],
    ]);
    expect(train.error).toMatch(/^step train failed: .*ENOSPC: no space left on device/);
    expect([validate.checkpoint, deploy.checkpoint]).toEqual([null, null]);
    // Earlier checkpoints are intact; the failed write left nothing behind (no temp file, no half model).
    expect(await verifyAll(config.store, checkpointsOf(paused))).toEqual([
      'features/data',
      'features/split',
      'ingest/data',
      'sanity/drift',
      'sanity/flags',
      'sanity/profile',
      'sanity/report',
    ]);
    expectStoreToHoldExactly([ingest.outputs, sanity.outputs, features.outputs]);

    // The operator frees space and retries the same run.
    fs.rmSync(filler);
    await client!.retry(runId);
    const done = await waitForRunStatus(client!, runId, ['COMPLETED', 'FAILED', 'CANCELED'], 60_000);
    expect(done.status, done.error ?? '').toBe('COMPLETED');
    expect(stepRows(done)).toEqual([
      ['ingest', 'completed', 1],
      ['sanity', 'completed', 1],
      ['features', 'completed', 1],
      ['train', 'completed', 2],
      ['validate', 'completed', 1],
      ['deploy', 'completed', 1],
    ]);
    expect(stepOf(done, 'train').error).toBeNull();
    expect(checkpointsOf(done).get('ingest/data')).toEqual(ingest.checkpoint);
    await verifyAll(config.store, checkpointsOf(done));
    expectStoreToHoldExactly(done.steps.map((s) => s.outputs));
  });

  it('the disk really is full while filled: a plain write fails with ENOSPC', async () => {
    // Guards the test above against a tmpfs that silently grew (it would pass for the wrong reason).
    const filler = disk!.fill();
    try {
      expect(() => fs.writeFileSync(path.join(disk!.dir, 'probe'), Buffer.alloc(8192))).toThrow(/ENOSPC/);
    } finally {
      fs.rmSync(filler);
      fs.rmSync(path.join(disk!.dir, 'probe'), { force: true });
    }
    await pollUntil(
      'space to come back',
      async () => disk!.free(),
      (free) => free > 0,
      5_000,
    );
  });
});
