import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuiverClient } from '../../client/api';
import { monitorId } from '../../client/monitors';
import type { MonitorConfig } from '../../core/monitoring/monitor-config';
import { findFreePorts } from '../../infra/ports';
import { monitorModel } from '../../workflows';
import { startQuiver, stopProcess } from '../support/cli';
import { eventually } from '../support/eventually';
import { deployIrisInProcess, tempHome } from '../support/in-process-models';
import { connectTestClient, REPO } from '../support/pipeline-env';

const IRIS_ROWS = fs
  .readFileSync(path.join(REPO, 'data', 'iris.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',').slice(0, 4).map(Number));

/**
 * The monitor's position survives a real worker kill: a `quiver worker` process is SIGKILLed while its
 * monitor activity sits between the drift report and the position, a fresh worker takes the retry,
 * and the run counts every logged row exactly once; the next run finds nothing new.
 */
describe('a monitor run whose worker is killed mid-run', () => {
  const { home, config } = tempHome('monitor-kill');
  // Queues no other suite's workers poll: only the worker processes started here run the monitor.
  const prefix = `mkill-${process.pid}-`;
  const taskQueues = { cpu: `${prefix}quiver-cpu`, gpu: `${prefix}quiver-gpu` };
  const workerEnv: NodeJS.ProcessEnv = {
    ...process.env,
    QUIVER_HOME: home,
    QUIVER_STORE: config.store,
    QUIVER_QUEUE_PREFIX: prefix,
  };
  delete workerEnv.QUIVER_METRICS_PORT;
  const monitor: MonitorConfig = {
    id: monitorId('iris', 'production'),
    model: 'iris',
    alias: 'production',
    onDrift: 'alert',
    psi: 0.2,
    linf: 0.1,
    minRows: 100,
    minFeedback: 20,
  };
  let client: QuiverClient;
  let worker: ChildProcess | undefined;

  function logFiles(): string[] {
    const dir = path.join(home, 'predictions', 'iris');
    return fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((f) => f.endsWith('.arrow'))
          .map((f) => path.join(dir, f))
      : [];
  }
  const loggedRows = () => logFiles().reduce((n, f) => n + tableFromIPC(fs.readFileSync(f)).numRows, 0);

  beforeAll(async () => {
    await deployIrisInProcess(config, 'monitor-kill-run', ['train.epochs=3', 'validate.min.accuracy=0']);
    // Real traffic through a real server: 130 predictions in three requests, logged as Arrow.
    const [port] = await findFreePorts(1);
    const serve = await startQuiver(['serve', '--port', String(port)], workerEnv, 'serving on');
    try {
      for (const [from, to] of [
        [0, 50],
        [50, 100],
        [100, 130],
      ]) {
        const instances = IRIS_ROWS.slice(from, to).map(([a, b, c, d]) => ({
          sepal_length: a,
          sepal_width: b,
          petal_length: c,
          petal_width: d,
        }));
        const reply = await fetch(`http://127.0.0.1:${port}/v1/models/iris:predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ instances }),
        });
        expect(reply.status).toBe(200);
      }
      await eventually(async () => (loggedRows() === 130 ? true : undefined), 'the prediction log');
    } finally {
      await stopProcess(serve);
    }
    client = await connectTestClient(config);
  });
  afterAll(async () => {
    if (worker) await stopProcess(worker);
    await client?.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('repeats the killed attempt on a new worker and counts every logged row once', async () => {
    let output = '';
    worker = await startQuiver(
      ['worker', '--queue', 'cpu'],
      { ...workerEnv, QUIVER_TEST_MONITOR_CRASH: 'hold' },
      'worker on',
    );
    const held = new Promise<void>((resolve) => {
      const watch = (d: Buffer) => {
        output += d.toString();
        if (output.includes('monitor: holding before the position is saved')) resolve();
      };
      worker!.stdout!.on('data', watch);
      worker!.stderr!.on('data', watch);
    });
    const handle = await client.temporal.workflow.start(monitorModel, {
      taskQueue: taskQueues.cpu,
      workflowId: `quiver-monitor-kill-${process.pid}-1`,
      // A dead worker is noticed within seconds rather than the default minute.
      args: [{ config: monitor, taskQueues, heartbeatTimeout: '5s' }],
    });
    // The event: the activity wrote its drift report and now sits before saving the position.
    await held;
    const killed = worker;
    const exited = new Promise((resolve) => killed.once('exit', resolve));
    killed.kill('SIGKILL');
    await exited;

    worker = await startQuiver(['worker', '--queue', 'cpu'], workerEnv, 'worker on');
    const result = await handle.result();
    const attempts = (await handle.fetchHistory()).events
      ?.map((e) => e.activityTaskStartedEventAttributes?.attempt)
      .filter((a) => a !== undefined && a !== null);
    expect(attempts, 'the monitor activity ran a second attempt after the kill').toEqual([2]);
    // Everything the log holds, once: the killed attempt saved no position.
    expect(result.files).toBe(logFiles().length);
    expect(result.rows).toBe(loggedRows());
    expect(result.rows).toBe(130);

    const next = await client.temporal.workflow.execute(monitorModel, {
      taskQueue: taskQueues.cpu,
      workflowId: `quiver-monitor-kill-${process.pid}-2`,
      args: [{ config: monitor, taskQueues }],
    });
    expect([next.files, next.rows]).toEqual([0, 0]);
  });
});
