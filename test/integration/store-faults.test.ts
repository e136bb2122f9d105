import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { QuiverClient } from '../../client/api';
import { loadConfig } from '../../core/config';
import { loadSpecFile } from '../../core/spec/load';
import { createWorkers, type RunningWorkers } from '../../worker/workers';
import { eventually } from '../support/eventually';
import { connectTestClient, IRIS_SPEC, REPO } from '../support/pipeline-env';
import { startS3TestServer, testS3Client, type S3TestServer } from '../support/s3-server';

let s3: S3TestServer;
let client: QuiverClient;
let workers: RunningWorkers;
let running: Promise<void>;
let home: string;

beforeAll(async () => {
  s3 = await startS3TestServer('faults');
  const tamper = testS3Client(s3.server.endpoint);
  await tamper.send(
    new PutObjectCommand({
      Bucket: s3.bucket,
      Key: 'data/iris.csv',
      Body: fs.readFileSync(path.join(REPO, 'data', 'iris.csv')),
    }),
  );
  tamper.destroy();
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-faults-'));
  const { QUIVER_STORE: _store, ...inherited } = process.env;
  const config = loadConfig(
    {
      ...inherited,
      QUIVER_HOME: home,
      QUIVER_STORE: s3.storeUri('faults'),
      QUIVER_QUEUE_PREFIX: `faults-${process.pid}-`,
    },
    { temporalAddress: inject('temporalAddress') },
  );
  workers = await createWorkers({ config, address: inject('temporalAddress'), queues: ['cpu', 'gpu'] });
  running = workers.run();
  client = await connectTestClient(config);
}, 300_000);

afterAll(async () => {
  await client?.close();
  await workers?.shutdown();
  await running;
  await s3?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('faults on the S3 store', () => {
  it('pauses a step while the S3 server is down, and `retry` completes the run once it is back', async () => {
    const overrides = [
      `source.uri=s3://${s3.bucket}/data/iris.csv`,
      'train.epochs=150',
      'train.retry.maximumAttempts=1',
      'validate.min.accuracy=0',
    ];
    const runId = await client.start(loadSpecFile(IRIS_SPEC, overrides).spec, overrides);
    await eventually(
      async () =>
        (await client.status(runId)).steps.find((s) => s.name === 'train')?.status === 'running'
          ? true
          : undefined,
      'training to start',
      120_000,
    );
    await s3.stop();
    const paused = await eventually(
      async () => {
        const view = await client.status(runId);
        return view.status === 'PAUSED' ? view : undefined;
      },
      'the run to pause on the store outage',
      180_000,
    );
    const failed = paused.steps.find((s) => s.status === 'paused');
    expect(failed?.name).toMatch(/train|validate/);
    // Earlier checkpoints are intact: they are back once the server is.
    await s3.start();
    await client.retry(runId);
    const done = await client.wait(runId, undefined, 1_000);
    expect(done.status).toBe('COMPLETED');
    expect(done.steps.every((s) => s.status === 'completed')).toBe(true);
  }, 600_000);
});
