import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QuiverClient } from '../client/api';
import { loadConfig, type QuiverConfig } from '../core/config';
import { startDevServer } from '../infra/dev-server';
import { findFreePorts } from '../infra/ports';
import { createWorkers, type WorkerOptions } from '../worker/workers';

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
