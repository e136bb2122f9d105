import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findFreePorts } from '../../infra/ports';
import { metricsTelemetry } from '../../worker/telemetry';
import { quiver, startQuiver, stopProcess } from '../support/cli';
import { startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';

/** The value of the first sample of `metric` whose labels include every one of `labels`. */
function sample(text: string, metric: string, labels: string[]): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    if (labels.every((label) => line.includes(label))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/**
 * Workers' Prometheus endpoint: Temporal's runtime metrics and Quiver's step metrics, scraped over
 * HTTP. This file runs in its own forked process, so the runtime it installs (with metrics) is its own.
 */
describe('worker metrics', () => {
  let env: PipelineEnv;
  let port: number;

  beforeAll(async () => {
    [port] = await findFreePorts(1);
    process.env.QUIVER_METRICS_PORT = String(port);
    env = await startPipelineEnv('metrics');
  });
  afterAll(async () => {
    delete process.env.QUIVER_METRICS_PORT;
    await env.close();
  });

  it('serves Temporal and Quiver metrics on QUIVER_METRICS_PORT', async () => {
    expect(env.config.metricsPort).toBe(port);
    const overrides = ['train.epochs=5', 'validate.min.accuracy=0', 'train.checkpointEvery=0s'];
    const view = await env.client.wait(await env.client.start(env.spec(overrides), overrides));
    expect(view.status).toBe('COMPLETED');
    const ingest = view.steps[0].checkpoint!;

    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    // Temporal's own: workflow completions and activity latencies on this suite's queues.
    expect(
      sample(text, 'temporal_workflow_completed_total', [`task_queue="${env.config.taskQueues.cpu}"`]),
    ).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^temporal_activity_execution_latency_bucket\{/m);
    // Quiver's: a duration histogram per step in seconds, checkpoint bytes per output, training throughput.
    for (const step of ['ingest', 'sanity', 'features', 'train', 'validate', 'deploy'])
      expect(sample(text, 'quiver_step_duration_seconds_count', [`step="${step}"`])).toBe(1);
    // Buckets reach hours: a long training lands in a finite bucket, not only in +Inf.
    expect(sample(text, 'quiver_step_duration_seconds_bucket', ['step="train"', 'le="28800"'])).toBe(1);
    expect(sample(text, 'quiver_checkpoint_bytes_total', ['step="ingest"', 'output="data"'])).toBe(
      ingest.bytes,
    );
    // Epoch checkpoints count too, under one label value.
    expect(
      sample(text, 'quiver_checkpoint_bytes_total', ['step="train"', 'output="epoch_checkpoint"']),
    ).toBeGreaterThan(0);
    // Loopback only unless QUIVER_METRICS_HOST says otherwise.
    expect(metricsTelemetry(port)?.metrics).toMatchObject({
      prometheus: { bindAddress: `127.0.0.1:${port}` },
    });
    const samplesPerSecond = sample(text, 'quiver_training_samples_per_second', ['step="train"']);
    expect(samplesPerSecond).toBeGreaterThan(0);
    expect(text).toMatch(/activity_type="train"/);
    // Every Quiver label is snake_case (the SDK's activity meter would add taskQueue/activityType).
    const quiverLines = text.split('\n').filter((line) => line.startsWith('quiver_'));
    expect(quiverLines.length).toBeGreaterThan(0);
    for (const line of quiverLines) expect(line, line).not.toMatch(/[a-z][A-Z]\w*="/);
  });

  it('quiver worker --metrics-port serves the endpoint; a bad port is refused', async () => {
    const [flagPort] = await findFreePorts(1);
    const cliEnv: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      QUIVER_HOME: env.config.home,
    };
    delete cliEnv.QUIVER_METRICS_PORT;
    const worker = await startQuiver(
      ['worker', '--queue', 'cpu', '--metrics-port', String(flagPort)],
      cliEnv,
      'worker on',
    );
    try {
      const text = await (await fetch(`http://127.0.0.1:${flagPort}/metrics`)).text();
      expect(text).toMatch(/^temporal_\w+/m);
    } finally {
      // A worker stopped by SIGTERM drains, then exits 128 + 15 (README, "Stopping and crashes").
      expect(await stopProcess(worker)).toBe(143);
    }
    const bad = await quiver(['worker', '--metrics-port', 'http'], cliEnv);
    expect(bad.code).toBe(2); // bad input, checked before anything starts
    expect(bad.stderr).toContain(
      "quiver: option '--metrics-port <port>' argument 'http' is invalid. Expected a TCP port from 1 to 65535.",
    );
  });
});
