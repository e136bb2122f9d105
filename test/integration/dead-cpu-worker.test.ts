import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { QuiverClient } from '../../client/api';
import { loadConfig } from '../../core/config';
import { loadSpecFile } from '../../core/spec/load';
import { createWorkers, type RunningWorkers } from '../../worker/workers';
import { startQuiver } from '../support/cli';
import { stopWithin } from '../support/durability';
import { eventually } from '../support/eventually';
import { connectTestClient, IRIS_SPEC } from '../support/pipeline-env';

/**
 * Every CPU step heartbeats: a CPU worker killed mid-step is noticed within the step's
 * heartbeatTimeout (seconds), not its start-to-close timeout (10 minutes for deploy here).
 */
describe('a CPU worker killed mid-step', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-dead-cpu-'));
  const { QUIVER_STORE: _store, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    QUIVER_HOME: home,
    QUIVER_QUEUE_PREFIX: `dead-cpu-${process.pid}-`,
  };
  const config = loadConfig(env);
  let client: QuiverClient;
  let gpu: RunningWorkers | undefined;
  let cpu: RunningWorkers | undefined;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    client = await connectTestClient(config);
    gpu = await createWorkers({ config, address: env.TEMPORAL_ADDRESS!, queues: ['gpu'] });
    void gpu.run();
  });
  afterAll(async () => {
    await Promise.all(children.map((child) => stopWithin(child, 1000)));
    await Promise.all([gpu?.shutdown(), cpu?.shutdown()]);
    await client?.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('retries the step on another worker within heartbeatTimeout, and the run completes', async () => {
    // This worker hangs in deploy (the test hook), as a worker would whose host died mid-step.
    const doomed = await startQuiver(
      ['worker', '--queue', 'cpu'],
      { ...env, QUIVER_TEST_DEPLOY_DELAY_MS: '600000' },
      'worker on',
    );
    children.push(doomed);
    const overrides = [
      'train.epochs=3',
      'validate.min.accuracy=0',
      'deploy.heartbeatTimeout=3s',
      'deploy.timeout=10m',
    ];
    const runId = await client.start(loadSpecFile(IRIS_SPEC, overrides).spec, overrides);
    await eventually(
      async () => {
        const view = await client.status(runId);
        return view.steps.find((s) => s.name === 'deploy')?.status === 'running' ? true : undefined;
      },
      'deploy running on the doomed worker',
      180_000,
    );
    doomed.kill('SIGKILL');
    cpu = await createWorkers({ config, address: env.TEMPORAL_ADDRESS!, queues: ['cpu'] });
    void cpu.run();
    const view = await client.wait(runId);
    expect(view.status, view.error ?? '').toBe('COMPLETED');
    const deploy = view.steps.find((s) => s.name === 'deploy')!;
    expect(deploy.attempts).toBe(2);
    expect(view.model).toMatchObject({ version: 1, moved: true });
  }, 300_000);
});
