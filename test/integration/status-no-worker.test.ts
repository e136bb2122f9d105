import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuiverClient } from '../../client/api';
import { formatRun } from '../../client/format';
import { loadConfig, type QuiverConfig } from '../../core/config';
import { loadSpecFile } from '../../core/spec/load';
import { connectTestClient, IRIS_SPEC } from '../support/pipeline-env';

describe('status with no worker on the run’s task queues', () => {
  let home: string;
  let config: QuiverConfig;
  let client: QuiverClient;
  const runs: string[] = [];

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-status-no-worker-'));
    config = loadConfig(
      { ...process.env, QUIVER_HOME: home, QUIVER_QUEUE_PREFIX: `no-worker-${process.pid}-` },
      {},
    );
    client = await connectTestClient(config);
  });
  afterAll(async () => {
    for (const runId of runs)
      await client.temporal.workflow
        .getHandle(runId)
        .terminate('test over')
        .catch(() => undefined);
    await client.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('answers from the history and names each queue nobody polls (no hang, no gRPC error)', async () => {
    const runId = await client.start(loadSpecFile(IRIS_SPEC).spec);
    runs.push(runId);
    const view = await client.status(runId);
    expect(view.status).toBe('RUNNING');
    expect(view.progressFrom).toBe('history');
    expect(view.steps.map((s) => [s.name, s.status])).toEqual(
      ['ingest', 'sanity', 'features', 'train', 'validate', 'deploy'].map((name) => [name, 'pending']),
    );
    expect(view.workerWarnings).toEqual([
      expect.stringContaining(`no worker polls ${config.taskQueues.cpu} (workflow tasks)`),
      expect.stringContaining(`no worker polls ${config.taskQueues.cpu} (steps)`),
      expect.stringContaining(`no worker polls ${config.taskQueues.gpu} (steps)`),
    ]);
    expect(formatRun(view)).toContain(
      `warning: no worker polls ${config.taskQueues.cpu} (workflow tasks): start one with \`npx quiver worker --queue cpu\``,
    );
  }, 30_000);

  it('a run that does not exist is a one-line error', async () => {
    await expect(client.status('no-such-run')).rejects.toThrow(/^run 'no-such-run' not found$/);
  });
});
