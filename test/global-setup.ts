import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
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
  const started = Date.now();
  // Built while the server starts, once for every test process and `quiver worker` child.
  const bundled = prebuildWorkflowBundle(home);
  bundled.catch(() => undefined); // awaited below, once the server is up
  const server = await startOnFreePorts(home, cli, log);
  process.env.QUIVER_WORKFLOW_BUNDLE = await bundled.catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
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

/**
 * Bundles the workflow code (webpack: seconds of CPU) into `dir` once for the run; workers read it
 * through QUIVER_WORKFLOW_BUNDLE, which forked test processes and their children inherit.
 */
async function prebuildWorkflowBundle(dir: string): Promise<string> {
  const quiet = () => undefined;
  const { code } = await bundleWorkflowCode({
    // worker/workers.ts's workflowsPath(), without loading the worker's modules (TF.js) here.
    workflowsPath: path.resolve(__dirname, '..', 'workflows', 'index.ts'),
    logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: console.error },
  });
  const file = path.join(dir, 'workflow-bundle.js');
  await fs.writeFile(file, code);
  return file;
}

/**
 * Free ports are only free when asked: on a shared machine another server (or this one's own
 * internal services) may bind one before the dev server does, so a start that loses that race is retried.
 */
async function startOnFreePorts(home: string, cli: string, log: (message: string) => void) {
  for (let attempt = 1; ; attempt++) {
    const [port, uiPort] = await findFreePorts(2);
    try {
      return await startDevServer({ home, port, uiPort, cli, log: () => {} });
    } catch (error) {
      if (attempt >= 3 || !/address already in use|already in use/i.test(String(error))) throw error;
      log(`ports ${port}/${uiPort} were taken before the server bound them; retrying on others`);
    }
  }
}
