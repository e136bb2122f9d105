import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { QuiverClient } from '../../client/api';
import { loadConfig, type QuiverConfig } from '../../core/config';
import { loadSpecFile } from '../../core/spec/load';
import { quiver } from '../support/cli';
import { connectTestClient, IRIS_SPEC } from '../support/pipeline-env';

/** `--plan` asks a CPU worker for its code versions: with none polling, it says so at once. */
describe('--plan with no worker on the CPU queue', () => {
  let home: string;
  let config: QuiverConfig;
  let client: QuiverClient;
  let cliEnv: NodeJS.ProcessEnv;
  const prefix = `plan-no-worker-${process.pid}-`;

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-plan-no-worker-'));
    config = loadConfig({ ...process.env, QUIVER_HOME: home, QUIVER_QUEUE_PREFIX: prefix }, {});
    client = await connectTestClient(config);
    cliEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      QUIVER_HOME: home,
      QUIVER_QUEUE_PREFIX: prefix,
    };
  });
  afterAll(async () => {
    await client.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('resume --plan exits 3 naming the queue nobody polls and how to start a worker', async () => {
    // A closed run to plan from; nothing ever polled this prefixed queue.
    const runId = await client.start(loadSpecFile(IRIS_SPEC).spec);
    await client.temporal.workflow.getHandle(runId).terminate('no worker: plan from a closed run');
    const planned = await quiver(['resume', runId, '--plan'], cliEnv);
    expect(planned.code, planned.stderr).toBe(3);
    expect(planned.stderr).toContain(
      `no worker polls ${config.taskQueues.cpu} (workflow tasks) or ${config.taskQueues.cpu} (steps)`,
    );
    expect(planned.stderr).toContain('start one with `npx quiver worker --queue cpu`');
    // The message is the poller check's, not the 30 s backstop's ("told its code versions (…)").
    expect(planned.stderr).not.toContain('told its code versions');
  });
});
