import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monitorTraffic } from '../../activities/monitor';
import { RunJournal } from '../../client/run-notes';
import type { QuiverConfig } from '../../core/config';
import { StoreStateError } from '../../core/errors';
import type { MonitorConfig } from '../../core/monitoring/monitor-config';
import { S3ObjectStore } from '../../core/object-store';
import { ModelRegistry } from '../../core/registry';
import { buildModelServer, type ModelServer } from '../../core/serving/server';
import { quiver } from '../support/cli';
import { deployIrisInProcess, tempHome } from '../support/in-process-models';
import { REPO } from '../support/pipeline-env';
import { startS3TestServer, type S3TestServer } from '../support/s3-server';

const IRIS_ROWS = fs
  .readFileSync(path.join(REPO, 'data', 'iris.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',').slice(0, 4).map(Number));

function instance(i: number) {
  const [sepal_length, sepal_width, petal_length, petal_width] = IRIS_ROWS[i % IRIS_ROWS.length];
  return { sepal_length, sepal_width, petal_length, petal_width };
}

/**
 * Cards, feedback, journal notes, prediction logs and monitor positions live in the `s3://` store,
 * not on a host: three hosts (each its own empty QUIVER_HOME, no shared disk) share them through a
 * real S3 server (SeaweedFS).
 */
describe('shared serving and monitoring state in an s3:// store', () => {
  let s3: S3TestServer;
  let store: string;
  /** Host A trains, serves and writes cards and notes; host B serves too; host C only monitors. */
  const hosts: Record<'a' | 'b' | 'c', QuiverConfig> = {} as never;
  const servers: Record<'a' | 'b', { server: ModelServer; base: string }> = {} as never;

  beforeAll(async () => {
    s3 = await startS3TestServer('shared-state');
    store = s3.storeUri('team');
    for (const name of ['a', 'b', 'c'] as const) {
      const { config } = tempHome(`host-${name}`);
      hosts[name] = { ...config, store };
    }
    await deployIrisInProcess(hosts.a, 'shared-run-1', ['train.epochs=5', 'validate.min.accuracy=0']);
    for (const name of ['a', 'b'] as const) {
      const server = await buildModelServer({
        home: hosts[name].home,
        store,
        predictionLog: { flushIntervalMs: 60_000 },
      });
      servers[name] = { server, base: await server.app.listen({ port: 0, host: '127.0.0.1' }) };
    }
  });

  afterAll(async () => {
    for (const { server } of Object.values(servers)) await server.close();
    for (const config of Object.values(hosts)) fs.rmSync(config.home, { recursive: true, force: true });
    await s3?.close();
  });

  /** `quiver ARGS` as host `name` runs it (its own QUIVER_HOME, the shared store). */
  function cliOn(name: 'a' | 'b' | 'c', args: string[]) {
    return quiver(['--json', ...args], {
      ...process.env,
      ...s3.env,
      QUIVER_HOME: hosts[name].home,
      QUIVER_STORE: store,
    });
  }

  it('serves from host B the card `quiver models card` wrote on host A', async () => {
    const written = await cliOn('a', ['models', 'card', 'iris', '1']);
    expect(written.code, written.stderr).toBe(0);
    const { stored } = JSON.parse(written.stdout) as { stored: { html: string; markdown: string } };
    expect(stored.html).toBe(`s3://${s3.bucket}/team/cards/iris/1.html`);
    const object = await new S3ObjectStore(store).get('cards/iris/1.html');
    expect(object?.body.toString()).toContain('Model card: iris version 1');
    const served = await fetch(`${servers.b.base}/models/iris/versions/1/card`);
    expect(served.status).toBe(200);
    expect(await served.text()).toBe(object!.body.toString());
    expect(fs.existsSync(path.join(hosts.b.home, 'cards'))).toBe(false);
  });

  it('lists on host B the note `quiver runs note` wrote on host A', async () => {
    const noted = await cliOn('a', ['runs', 'note', 'shared-run-1', 'tried 5 epochs', '--by', 'ana']);
    expect(noted.code, noted.stderr).toBe(0);
    await RunJournal.at(hosts.c).add('shared-run-1', 'written on C', 'ben');
    const notes = await RunJournal.at(hosts.b).list('shared-run-1');
    expect(notes.map((n) => [n.by, n.text])).toEqual([
      ['ana', 'tried 5 epochs'],
      ['ben', 'written on C'],
    ]);
    expect((await RunJournal.at(hosts.b).all()).get('shared-run-1')).toHaveLength(2);
    expect(fs.existsSync(path.join(hosts.a.home, 'notes'))).toBe(false);
  });

  it('monitors from host C the traffic and concurrent feedback of hosts A and B, counting each once', async () => {
    const predicted: { base: string; requestId: string; predictions: string[] }[] = [];
    for (const [k, name] of (['a', 'b', 'a', 'b'] as const).entries()) {
      const response = await fetch(`${servers[name].base}/v1/models/iris:predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances: Array.from({ length: 30 }, (_, i) => instance(k * 30 + i)) }),
      });
      expect(response.status).toBe(200);
      predicted.push({
        base: servers[name].base,
        ...((await response.json()) as Omit<(typeof predicted)[0], 'base'>),
      });
    }
    await Promise.all([servers.a.server.log.flush(), servers.b.server.log.flush()]);

    // 20 feedback requests at once, half to each server, two labels each: 40 labels, all kept.
    const feedback = (request: (typeof predicted)[0], indices: number[]) =>
      fetch(`${request.base}/v1/models/iris:feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          feedback: indices.map((index) => ({
            requestId: request.requestId,
            index,
            label: request.predictions[index],
          })),
        }),
      });
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, k) =>
        feedback(predicted[k % 4], [2 * Math.floor(k / 4), 2 * Math.floor(k / 4) + 1]),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
    const objects = new S3ObjectStore(store);
    expect(await objects.list('feedback/iris/')).toHaveLength(20);

    const config: MonitorConfig = {
      id: 'monitor-iris-shared',
      model: 'iris',
      alias: 'production',
      onDrift: 'alert',
      psi: 0.2,
      linf: 0.1,
      minRows: 100,
      minFeedback: 20,
    };
    const logged = await objects.list('predictions/iris/');
    expect(logged.length).toBeGreaterThanOrEqual(2);
    expect(fs.existsSync(path.join(hosts.a.home, 'predictions'))).toBe(false);

    // A run that dies between its report and its position commits nothing.
    process.env.QUIVER_TEST_MONITOR_CRASH = '1';
    await expect(monitorTraffic({ config }, hosts.c)).rejects.toThrow('simulated crash');
    delete process.env.QUIVER_TEST_MONITOR_CRASH;
    expect(await objects.get('monitors/monitor-iris-shared.json')).toBeNull();

    const first = await monitorTraffic({ config }, hosts.c);
    expect(first.files).toBe(logged.length);
    expect(first.rows).toBe(120);
    expect(first.drift.length).toBeGreaterThan(0);
    expect(first.quality).toMatchObject({ labelled: 40, accuracy: 1 });
    expect(await objects.get('monitors/monitor-iris-shared.json')).not.toBeNull();

    // The position persists in the store: a run on another host reads nothing twice.
    const again = await monitorTraffic({ config }, hosts.a);
    expect(again).toMatchObject({ files: 0, rows: 0 });
    expect(again.quality?.labelled).toBe(40);

    // New labels after that are joined once more, and only they.
    expect((await feedback(predicted[0], [28, 29])).status).toBe(200);
    const third = await monitorTraffic({ config }, hosts.c);
    expect(third.quality?.labelled).toBe(42);
    expect((await monitorTraffic({ config }, hosts.c)).quality?.labelled).toBe(42);
  });

  it('names the position object when it cannot be parsed, and never starts over', async () => {
    const objects = new S3ObjectStore(store);
    await objects.put('monitors/monitor-iris-broken.json', '{"files": [');
    const config = { id: 'monitor-iris-broken', model: 'iris', alias: 'production' } as MonitorConfig;
    const error = await monitorTraffic({ config }, hosts.c).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreStateError);
    expect(String(error)).toContain(`s3://${s3.bucket}/team/monitors/monitor-iris-broken.json`);
    expect((await ModelRegistry.at(hosts.c).aliases('iris')).production).toBe(1);
  });
});
