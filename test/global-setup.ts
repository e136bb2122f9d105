import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDevServer } from '../infra/dev-server';
import { findFreePorts } from '../infra/ports';
import { ensureTemporalCli } from '../infra/temporal-cli';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Frontend address of the dev server this run started, e.g. `127.0.0.1:41234`. */
    temporalAddress: string;
    temporalUiUrl: string;
  }
}

/**
 * Starts one real Temporal dev server for the whole test run, on free ports with a throwaway home,
 * so tests never touch a developer's server on 7233 or their `.quiver/`. Tests read the address with
 * `inject('temporalAddress')`; forked test processes also inherit it as TEMPORAL_ADDRESS.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (message: string) => process.stderr.write(`[global-setup] ${message}\n`);
  const cli = await ensureTemporalCli(log);
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'quiver-test-temporal-'));
  const [port, uiPort] = await findFreePorts(2);
  const started = Date.now();
  const server = await startDevServer({ home, port, uiPort, cli, log: () => {} });
  project.provide('temporalAddress', server.address);
  project.provide('temporalUiUrl', server.uiUrl);
  process.env.TEMPORAL_ADDRESS = server.address;
  console.log(
    `Temporal dev server for tests: ${server.address} (UI ${server.uiUrl}, pid ${server.pid}, ready in ${Date.now() - started} ms)`,
  );
  return async () => {
    await server.stop();
    await fs.rm(home, { recursive: true, force: true });
  };
}
