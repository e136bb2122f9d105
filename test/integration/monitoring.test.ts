import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monitorTraffic } from '../../activities/monitor';
import { monitorId, QuiverMonitors } from '../../client/monitors';
import type { MonitorConfig, MonitorResult } from '../../core/monitoring/monitor-config';
import { ModelRegistry } from '../../core/registry';
import { findFreePorts } from '../../infra/ports';
import { monitorModel } from '../../workflows';
import { quiver, startQuiver, stopProcess } from '../support/cli';
import { eventually } from '../support/eventually';
import { deployIrisInProcess } from '../support/in-process-models';
import { REPO, startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';

const IRIS_CLASSES = ['setosa', 'versicolor', 'virginica'];

const IRIS_ROWS = fs
  .readFileSync(path.join(REPO, 'data', 'iris.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',').slice(0, 4).map(Number));

/** Iris row `i` as served traffic; `shift` moves sepal_length far outside the training range. */
function instance(i: number, shift = 0) {
  const [sepalLength, sepalWidth, petalLength, petalWidth] = IRIS_ROWS[i % IRIS_ROWS.length];
  return {
    sepal_length: sepalLength + shift,
    sepal_width: sepalWidth,
    petal_length: petalLength,
    petal_width: petalWidth,
  };
}

/**
 * The loop after deployment against a real `quiver serve` process and real workers: served traffic
 * with a shifted feature raises a drift alert and starts a retraining run; wrong feedback labels
 * bring live accuracy below its bound and roll the alias back; the monitor's position is committed
 * only after its report, so a crash at that point counts nothing twice.
 */
describe('monitoring served models', () => {
  let env: PipelineEnv;
  let serve: ChildProcess;
  let base: string;
  let metricsPort: number;
  let cliEnv: NodeJS.ProcessEnv;

  async function predict(
    instances: object[],
  ): Promise<{ requestId: string; predictions: string[]; version: number }> {
    const response = await fetch(`${base}/v1/models/iris:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { requestId: string; predictions: string[]; version: number };
  }

  function logFiles(): string[] {
    const dir = path.join(env.config.home, 'predictions', 'iris');
    return fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((f) => f.endsWith('.arrow'))
          .map((f) => path.join(dir, f))
      : [];
  }

  /** Rows of the prediction log on disk (the server flushes every second). */
  function loggedRows(): number {
    return logFiles().reduce((n, f) => n + tableFromIPC(fs.readFileSync(f)).numRows, 0);
  }

  function monitorConfig(overrides: Partial<MonitorConfig> = {}): MonitorConfig {
    return {
      id: monitorId('iris', 'production'),
      model: 'iris',
      alias: 'production',
      onDrift: 'alert',
      psi: 0.2,
      linf: 0.1,
      minRows: 100,
      minFeedback: 20,
      ...overrides,
    };
  }

  beforeAll(async () => {
    [metricsPort] = await findFreePorts(1);
    process.env.QUIVER_METRICS_PORT = String(metricsPort);
    env = await startPipelineEnv('monitor');
    await deployIrisInProcess(env.config, 'monitor-run-1', ['train.epochs=5', 'validate.min.accuracy=0']);
    await deployIrisInProcess(env.config, 'monitor-run-2', [
      'train.epochs=5',
      'train.seed=7',
      'validate.min.accuracy=0',
    ]);
    const [port] = await findFreePorts(1);
    cliEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: env.address,
      QUIVER_HOME: env.config.home,
      QUIVER_QUEUE_PREFIX: env.config.taskQueues.cpu.replace(/quiver-cpu$/, ''),
    };
    delete cliEnv.QUIVER_METRICS_PORT;
    serve = await startQuiver(['serve', '--port', String(port)], cliEnv, 'serving on');
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    delete process.env.QUIVER_METRICS_PORT;
    if (serve) await stopProcess(serve);
    await env?.close();
  });

  it('answers every prediction with a requestId and accepts feedback for it', async () => {
    const reply = await predict([instance(1)]);
    expect(reply.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const ok = await fetch(`${base}/v1/models/iris:feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requestId: reply.requestId, label: reply.predictions[0] }),
    });
    expect(await ok.json()).toEqual({ model: 'iris', accepted: 1 });
    const bad = await fetch(`${base}/v1/models/iris:feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ feedback: [{ requestId: reply.requestId, label: { x: 1 } }] }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'feedback[0].label' });
  });

  it('serves the model card of a registry version as HTML, and 404 for a missing one', async () => {
    const card = await fetch(`${base}/models/iris/versions/2/card`);
    expect(card.status).toBe(200);
    expect(card.headers.get('content-type')).toContain('text/html');
    const html = await card.text();
    expect(html).toContain('Model card: iris version 2');
    expect(html).toContain('<section id="drift">');
    expect((await fetch(`${base}/models/iris/versions/99/card`)).status).toBe(404);
  });

  it('a shifted feature in served traffic raises the alert, sets the Prometheus gauge and starts a retraining run', async () => {
    for (let r = 0; r < 3; r++) await predict(Array.from({ length: 50 }, (_, i) => instance(r * 50 + i, 6)));
    await eventually(async () => (loggedRows() >= 151 ? true : undefined), 'the prediction log');
    const spec = env.spec(['train.epochs=3', 'validate.min.accuracy=0', 'name=iris']);
    const monitors = new QuiverMonitors(env.client.temporal, env.config.taskQueues);
    const config = monitorConfig({ onDrift: 'retrain', retrainSpec: spec });
    await monitors.create(config, '1h');
    await monitors.trigger(config.id);
    const found: MonitorResult = await eventually(
      async () => (await monitors.runs(config, 1))[0]?.result ?? undefined,
      'the monitor run',
      180_000,
    );
    expect(found.rows).toBeGreaterThanOrEqual(150);
    expect(found.breached).toContain('sepal_length');
    expect(found.breached).not.toContain('petal_width');
    expect(found.report?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(found.retrain).toMatch(/^quiver-iris-retrain-quiver-monitor-iris-production/);
    const retrained = await env.client.wait(found.retrain!);
    expect(retrained.status, retrained.error ?? '').toBe('COMPLETED');
    expect(retrained.model?.version).toBe(3);

    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const line = metrics
      .split('\n')
      .find((l) => l.startsWith('quiver_serving_feature_drift{') && l.includes('feature="sepal_length"'));
    expect(line, 'drift gauge for sepal_length').toBeTruthy();
    expect(Number(line!.split(' ').pop())).toBeGreaterThan(0.2);

    const status = await quiver(['monitor', 'status', config.id], cliEnv);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/ALERT .* iris v2: sepal_length psi \d/);
    expect(status.stdout).toContain(`retraining ${found.retrain}`);
    await monitors.delete(config.id);
  });

  it('feedback labels give live accuracy, and below the bound the alias rolls back with an audited reason', async () => {
    const registry = ModelRegistry.at(env.config.home);
    await eventually(
      async () => ((await predict([instance(0)])).version === 3 ? true : undefined),
      'serve to follow version 3',
    );
    const labels: { requestId: string; index: number; label: string }[] = [];
    for (let i = 0; i < 24; i++) {
      const reply = await predict([instance(i)]);
      // Every label disagrees with the prediction: live accuracy 0.
      const wrong = IRIS_CLASSES.find((c) => c !== reply.predictions[0])!;
      labels.push({ requestId: reply.requestId, index: 0, label: wrong });
    }
    await fetch(`${base}/v1/models/iris:feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ feedback: labels }),
    });
    await eventually(async () => (loggedRows() >= 151 + 25 ? true : undefined), 'the prediction log');
    const config = monitorConfig({ id: 'monitor-iris-quality', rollbackBelow: { accuracy: 0.8 } });
    const result = await env.client.temporal.workflow.execute(monitorModel, {
      taskQueue: env.config.taskQueues.cpu,
      workflowId: `quiver-monitor-iris-quality-${Date.now()}`,
      args: [{ config, taskQueues: env.config.taskQueues }],
    });
    expect(result.quality?.labelled).toBe(24);
    expect(result.quality?.accuracy).toBe(0);
    expect(result.rolledBack).toMatchObject({ from: 3, to: 2 });
    expect((await registry.aliases('iris')).production).toBe(2);
    const moves = await registry.history('iris', 'production');
    expect(moves.at(-1)).toMatchObject({ kind: 'rollback', version: 2 });
    expect(moves.at(-1)!.reason).toContain('live accuracy 0 < 0.8 on 24 labelled predictions');
  });

  it('commits its position only after the report: a crash there is repeated whole, nothing counted twice', async () => {
    await predict(Array.from({ length: 120 }, (_, i) => instance(i)));
    await eventually(async () => (loggedRows() >= 151 + 25 + 120 ? true : undefined), 'the prediction log');
    const config = monitorConfig({ id: 'monitor-iris-crash' });
    process.env.QUIVER_TEST_MONITOR_CRASH = '1';
    await expect(monitorTraffic({ config }, env.config)).rejects.toThrow('simulated crash');
    delete process.env.QUIVER_TEST_MONITOR_CRASH;
    const first = await monitorTraffic({ config }, env.config);
    const again = await monitorTraffic({ config }, env.config);
    // Every file read once: the crashed attempt consumed nothing, the repeat finds nothing new.
    expect(first.files).toBe(logFiles().length);
    expect(again.files).toBe(0);
    expect(again.rows).toBe(0);
    expect(again.skipped).toContain('0 new row(s)');
  });
});
