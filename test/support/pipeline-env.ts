import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { QuiverClient } from '../../client/api';
import { loadConfig, type QuiverConfig } from '../../core/config';
import { loadSpecFile } from '../../core/spec/load';
import type { PipelineSpec } from '../../core/spec/schema';
import { createWorkers, workflowsPath, type RunningWorkers } from '../../worker/workers';

export const REPO = path.resolve(__dirname, '..', '..');
export const IRIS_SPEC = path.join(REPO, 'pipelines', 'iris.yaml');

/** A private Quiver world on the shared dev server: own home, own task queues, real workers. */
export interface PipelineEnv {
  config: QuiverConfig;
  client: QuiverClient;
  workers: RunningWorkers;
  address: string;
  spec(overrides?: string[], file?: string): PipelineSpec;
  close(): Promise<void>;
}

export async function startPipelineEnv(name: string): Promise<PipelineEnv> {
  const address = inject('temporalAddress');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `quiver-${name}-`));
  const { QUIVER_STORE: _store, ...inherited } = process.env;
  const config = loadConfig(
    { ...inherited, QUIVER_HOME: home, QUIVER_QUEUE_PREFIX: `${name}-${process.pid}-` },
    { temporalAddress: address },
  );
  const workers = await createWorkers({ config, address, queues: ['cpu', 'gpu'] });
  const running = workers.run();
  const client = await connectTestClient(config, address);
  return {
    config,
    client,
    workers,
    address,
    spec: (overrides = [], file = IRIS_SPEC) => loadSpecFile(file, overrides).spec,
    async close() {
      await client.close();
      await workers.shutdown();
      await running;
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A client for `config`'s task queues and store on the test run's dev server (or the one given). */
export function connectTestClient(
  config: QuiverConfig,
  address: string = inject('temporalAddress'),
  uiUrl: string = inject('temporalUiUrl'),
): Promise<QuiverClient> {
  return QuiverClient.connect({
    address,
    namespace: config.namespace,
    uiUrl,
    taskQueues: config.taskQueues,
    store: config.store,
  });
}

/**
 * The workflow code for replays and stand-in workers: the bundle test/global-setup.ts built once for
 * the run (QUIVER_WORKFLOW_BUNDLE), so a test does not spend seconds of webpack on it again; the
 * sources where that bundle is absent.
 */
export function testWorkflowCode(): { workflowBundle: { codePath: string } } | { workflowsPath: string } {
  const prebuilt = process.env.QUIVER_WORKFLOW_BUNDLE;
  return prebuilt ? { workflowBundle: { codePath: prebuilt } } : { workflowsPath: workflowsPath() };
}
