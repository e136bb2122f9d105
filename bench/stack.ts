import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NativeConnection, Worker, type ActivityInterceptorsFactory } from '@temporalio/worker';
import { QuiverClient } from '../client/api';
import { loadConfig, type QuiverConfig } from '../core/config';
import { startDevServer } from '../infra/dev-server';
import { findFreePorts } from '../infra/ports';
import { QuiverWorker } from '../worker/workflow-call-guard';
import { createWorkers, type WorkerOptions } from '../worker/workers';
import * as bareActivities from './bare-activities';

/** What a benchmark runs against: its own dev server, in-process workers, a client. */
export interface BenchStack {
  home: string;
  /** The dev server's frontend address. */
  address: string;
  /** The dev server's process id (its CPU time is read from /proc by bench/orchestration-cpu.ts). */
  serverPid: number;
  config: QuiverConfig;
  client: QuiverClient;
  close(): Promise<void>;
}

/**
 * Starts a bench's stack. `sqliteFile` runs the server as `quiver up` does (a SQLite file under the
 * home, same flags): what users get, and 1.3-1.6× slower for short steps than the in-memory default.
 */
export async function startBenchStack(
  name: string,
  options: { sqliteFile?: boolean; activityInterceptors?: WorkerOptions['activityInterceptors'] } = {},
): Promise<BenchStack> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `quiver-bench-${name}-`));
  const [port, uiPort] = await findFreePorts(2);
  const server = await startDevServer({
    home,
    port,
    uiPort,
    ...(options.sqliteFile ? {} : { dbFile: ':memory:' }),
    log: () => undefined,
  });
  const { QUIVER_STORE: _store, ...inherited } = process.env;
  const config = loadConfig(
    { ...inherited, QUIVER_HOME: home, QUIVER_QUEUE_PREFIX: `bench-${name}-` },
    { temporalAddress: server.address },
  );
  const workers = await createWorkers({
    config,
    address: server.address,
    queues: ['cpu', 'gpu'],
    activityInterceptors: options.activityInterceptors,
  });
  const running = workers.run();
  const client = await QuiverClient.connect({
    address: server.address,
    namespace: 'default',
    uiUrl: server.uiUrl,
    taskQueues: config.taskQueues,
    store: config.store,
  });
  return {
    home,
    address: server.address,
    serverPid: server.pid,
    config,
    client,
    async close() {
      await client.close();
      await workers.shutdown();
      await running;
      await server.stop();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * A worker for the bare-Temporal floors (bench/workflows/bare.ts, bench/bare-activities.ts) on its own
 * connection and task queue, with the SDK's defaults: Temporal as it comes. `likeQuiver` runs it on
 * Quiver's worker class instead (QuiverWorker: workflow code on the main thread, no watchdog per call), to show what that
 * class alone changes. `stop()` shuts it down and closes its connection.
 */
export async function startBareWorker(
  address: string,
  taskQueue: string,
  options: { activityInterceptors?: ActivityInterceptorsFactory[]; likeQuiver?: boolean } = {},
): Promise<{ stop(): Promise<void> }> {
  const connection = await NativeConnection.connect({ address });
  const workerClass = options.likeQuiver ? QuiverWorker : Worker;
  const worker = await workerClass.create({
    connection,
    taskQueue,
    workflowsPath: require.resolve('./workflows/bare'),
    activities: bareActivities,
    ...(options.activityInterceptors ? { interceptors: { activity: options.activityInterceptors } } : {}),
  });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
