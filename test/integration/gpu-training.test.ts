import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRun } from '../../client/format';
import { openStore } from '../../core/checkpoint/store';
import { readCsv } from '../../core/csv';
import { initBackend } from '../../core/model/backend';
import { modelFromArrow } from '../../core/model/codec';
import { evaluateClassifier } from '../../core/model/metrics';
import { trainClassifier } from '../../core/model/train';
import { loadSpecFile } from '../../core/spec/load';
import { filesUnder, killHard, pollUntil, stepOf, stepRows, waitForRunStatus } from '../support/durability';
import { startGpuWorld, type GpuWorld } from '../support/gpu-world';
import { IRIS_SPEC, REPO } from '../support/pipeline-env';
import { requireSystemNeed } from '../support/system-packages';

const SETTLED = ['COMPLETED', 'FAILED', 'CANCELED', 'TERMINATED', 'TIMED_OUT', 'PAUSED'];

/** Holdout accuracy the validate step recorded. */
function validatedAccuracy(view: Awaited<ReturnType<GpuWorld['client']['status']>>): number {
  return Number(stepOf(view, 'validate').summary.accuracy);
}

describe('training on a GPU-queue worker with WebGPU (lavapipe software adapter)', () => {
  let world: GpuWorld;
  beforeAll(async () => {
    requireSystemNeed('vulkan');
    world = await startGpuWorld('gpu-webgpu');
  });
  afterAll(() => world?.close());

  it('a GPU worker refuses a software adapter unless told to accept it', async () => {
    await expect(world.startGpuWorker({ QUIVER_TF_BACKEND: 'webgpu' })).rejects.toThrow(
      /"webgpu" is unavailable: only a software WebGPU adapter \(.*llvmpipe.*\); set QUIVER_ACCEPT_SOFTWARE_GPU=1/,
    );
  });

  it('routes train to the GPU worker, which trains on WebGPU to the accuracy of the CPU backend', async () => {
    const { output } = await world.startGpuWorker({ QUIVER_TF_BACKEND: 'webgpu' }, ['--accept-software-gpu']);
    // The start line names the backend and the device.
    expect(output()).toMatch(/worker on \S*quiver-gpu .*; training on webgpu · .*llvmpipe.* \(software\)/);

    const overrides = ['train.epochs=12', 'train.learningRate=0.03'];
    const runId = await world.startRun(overrides);
    const view = await waitForRunStatus(world.client, runId, SETTLED, 110_000);
    expect(view.status, view.error ?? '').toBe('COMPLETED');
    const train = stepOf(view, 'train');
    expect(train.routing).toEqual({ queue: 'gpu', reason: null });
    expect(train.summary).toMatchObject({ backend: 'webgpu', epochs: 12, task: 'classification' });
    expect(String(train.summary.device)).toMatch(/llvmpipe.*\(software\)/);
    // The model checkpoint records the backend and device that trained it.
    const decoded = await modelFromArrow(await openStore(world.config.store).read(train.checkpoint!));
    decoded.model.dispose();
    expect([decoded.backend, decoded.device]).toEqual(['webgpu', train.summary.device]);

    // The same training on the pure-JS CPU backend, in this process, scores the same holdout.
    const spec = loadSpecFile(IRIS_SPEC, overrides).spec;
    const table = await readCsv(path.join(REPO, 'data', 'iris.csv'));
    const onCpu = await trainClassifier({
      table,
      target: spec.target.column,
      split: spec.split,
      params: spec.train,
      backend: 'cpu',
    });
    const cpuAccuracy = evaluateClassifier(
      onCpu.model,
      onCpu.preprocessing,
      table,
      onCpu.split.holdoutRows,
    ).accuracy;
    onCpu.model.dispose();
    await initBackend();
    expect(Math.abs(validatedAccuracy(view) - cpuAccuracy)).toBeLessThanOrEqual(1 / 30 + 1e-9);
    expect(validatedAccuracy(view)).toBeGreaterThanOrEqual(0.9);
  });
});

// The worlds below have their own task queues and workers and mostly wait (gpuWait, heartbeat
// timeouts, worker start-up): they run at once. The WebGPU one above runs alone first, since it
// switches this process's TF.js backend for its CPU comparison.
describe.concurrent('no GPU worker running', () => {
  let world: GpuWorld;
  beforeAll(async () => {
    world = await startGpuWorld('gpu-none');
  });
  afterAll(() => world?.close());

  it('falls back to the CPU queue after train.gpuWait, and status says so', async () => {
    const runId = await world.startRun(['train.gpuWait=2s', 'train.epochs=20']);
    const view = await waitForRunStatus(world.client, runId, SETTLED, 60_000);
    expect(view.status, view.error ?? '').toBe('COMPLETED');
    const train = stepOf(view, 'train');
    expect(train.routing?.queue).toBe('cpu');
    expect(train.routing?.reason).toMatch(
      /^no GPU worker started training on .*quiver-gpu within train\.gpuWait \(2s\): fell back to .*quiver-cpu$/,
    );
    expect(train.attempts).toBe(1);
    expect(formatRun(view)).toContain(`train: ${train.routing!.reason}`);
  });

  it('fails with a clear message when train.requireGpu is set, keeping earlier checkpoints', async () => {
    const runId = await world.startRun(['train.gpuWait=1s', 'train.requireGpu=true']);
    const view = await waitForRunStatus(world.client, runId, SETTLED, 60_000);
    expect(view.status).toBe('FAILED');
    expect(stepRows(view).slice(0, 4)).toEqual([
      ['ingest', 'completed', 1],
      ['sanity', 'completed', 1],
      ['features', 'completed', 1],
      ['train', 'failed', 0],
    ]);
    expect(stepOf(view, 'train').error).toMatch(
      /no GPU worker started training on .*quiver-gpu within train\.gpuWait \(1s\), and train\.requireGpu is set/,
    );
    expect(view.error).toMatch(/train\.requireGpu is set/);
    const store = openStore(world.config.store);
    await store.verify(stepOf(view, 'ingest').checkpoint!);
    await store.verify(stepOf(view, 'sanity').checkpoint!);
    await store.verify(stepOf(view, 'features').checkpoint!);
  });
});

// One world for these: the worker that replaces the killed one trains the tests after it.
describe.concurrent('a GPU worker killed mid-training; cancel, resume, timeouts and long epochs', () => {
  let world: GpuWorld;
  let gpu: Awaited<ReturnType<GpuWorld['startGpuWorker']>>;
  let longCsv: string;
  beforeAll(async () => {
    world = await startGpuWorld('gpu-cancel');
    gpu = await world.startGpuWorker();
    longCsv = writeLongEpochSpec(world.config.home);
  });
  afterAll(() => world?.close());

  /** Files in the store: a training that kept running would keep adding epoch checkpoints. */
  function epochCheckpointCount(): number {
    return filesUnder(openStore(world.config.store).root).length;
  }

  it.sequential(
    'the retried attempt starts at the saved epoch and ends within 2 points of an uninterrupted run',
    async () => {
      const overrides = ['train.epochs=300', 'train.heartbeatTimeout=3s', 'train.checkpointEvery=300ms'];
      const straightId = await world.startRun(overrides);
      const straight = await waitForRunStatus(world.client, straightId, SETTLED, 100_000);
      expect(straight.status, straight.error ?? '').toBe('COMPLETED');

      const runId = await world.startRun(overrides);
      // Kill once the server holds a heartbeat naming an epoch checkpoint past the first few epochs
      // (status reads `live` from that heartbeat).
      await pollUntil(
        'an epoch checkpoint',
        () => world.client.status(runId),
        (view) => (stepOf(view, 'train').live?.checkpointEpoch ?? 0) >= 5,
        60_000,
      );
      await killHard(gpu.child);
      await world.startGpuWorker();
      const view = await waitForRunStatus(world.client, runId, SETTLED, 100_000);
      expect(view.status, view.error ?? '').toBe('COMPLETED');
      const train = stepOf(view, 'train');
      expect(train.attempts).toBe(2);
      expect(train.summary.resumedFromEpoch, JSON.stringify(train)).toBeGreaterThan(0);
      expect(train.summary.epochs).toBe(300);
      expect(Math.abs(validatedAccuracy(view) - validatedAccuracy(straight))).toBeLessThanOrEqual(0.02);
    },
  );

  it.sequential(
    'cancel stops training, the run records its last epoch checkpoint, and resume continues from it',
    async () => {
      const overrides = ['train.epochs=300', 'train.checkpointEvery=0s'];
      const runId = await world.startRun(overrides);
      await pollUntil(
        'a few epoch checkpoints',
        () => world.client.status(runId),
        (view) => (stepOf(view, 'train').live?.checkpointEpoch ?? 0) >= 10,
        60_000,
      );
      await world.client.cancel(runId);
      const canceled = await waitForRunStatus(world.client, runId, SETTLED, 30_000);
      expect(canceled.status).toBe('CANCELED');
      // What the run recorded (by signal, at most a second behind the heartbeat's latest epoch).
      const live = stepOf(canceled, 'train').live!;
      expect(live.checkpointEpoch).toBeGreaterThan(0);
      expect(live.checkpoint).not.toBeNull();
      expect(formatRun(canceled)).toContain(`last epoch checkpoint: epoch ${live.checkpointEpoch}`);
      // The attempt really stopped: no epoch checkpoint appears after the cancellation settled.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const files = epochCheckpointCount();
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(epochCheckpointCount()).toBe(files);

      const plan = await world.client.plan(runId);
      expect(plan.resumeTraining).toEqual(live.checkpoint);
      expect(plan.steps.find((s) => s.name === 'train')?.reason).toContain(
        `continues from its epoch ${live.checkpointEpoch} checkpoint`,
      );
      const resumedId = await world.client.startPlanned(plan);
      const resumed = await waitForRunStatus(world.client, resumedId, SETTLED, 100_000);
      expect(resumed.status, resumed.error ?? '').toBe('COMPLETED');
      expect(stepOf(resumed, 'train').summary).toMatchObject({
        resumedFromEpoch: live.checkpointEpoch,
        epochs: 300,
      });
      expect(resumed.steps.map((s) => [s.name, s.reusedFrom])).toEqual([
        ['ingest', runId],
        ['sanity', runId],
        ['features', runId],
        ['train', null],
        ['validate', null],
        ['deploy', null],
      ]);
    },
  );

  it.sequential(
    'a timed-out attempt stops itself: no epoch checkpoint is written after its timeout',
    async () => {
      const runId = await world.startRun([
        'train.epochs=5000',
        'train.checkpointEvery=0s',
        'train.timeout=3s',
        'train.retry.maximumAttempts=1',
      ]);
      // A waiter returns the paused run (it would wait for `quiver retry` forever), naming step and cause.
      const paused = await world.client.wait(runId, undefined, 500, 500);
      expect(paused.status).toBe('PAUSED');
      expect(stepOf(paused, 'train').status).toBe('paused');
      expect(stepOf(paused, 'train').error).toMatch(/timed out|Timeout|START_TO_CLOSE/i);
      expect(paused.error).toMatch(/^step train paused after 1 attempt\(s\): /);
      expect(paused.error).toContain(`(fix the cause, then \`quiver retry ${runId}\`)`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const files = epochCheckpointCount();
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(epochCheckpointCount()).toBe(files);
      await world.client.cancel(runId);
    },
  );

  it.sequential(
    'heartbeats and live progress keep coming while one epoch runs longer than the heartbeat timeout',
    async () => {
      const runId = await world.startRun(
        // One epoch of 3200 single-row batches: several seconds, however idle the machine.
        ['train.epochs=1', 'train.heartbeatTimeout=2s', 'train.batchSize=1'],
        longCsv,
      );
      // Inside the first epoch: the heartbeat reports batches, and status an ETA, before any epoch ends.
      const midEpoch = await pollUntil(
        'a mid-epoch heartbeat',
        () => world.client.status(runId),
        (view) => {
          const train = stepOf(view, 'train');
          return train.status === 'running' && train.live?.epoch === 0 && train.live.etaMs !== null;
        },
        60_000,
        200,
      );
      expect(stepOf(midEpoch, 'train').live).toMatchObject({ epoch: 0, epochs: 1 });
      expect(formatRun(midEpoch)).toMatch(/training: epoch 0\/1 · ETA \d+/);
      const view = await waitForRunStatus(world.client, runId, SETTLED, 110_000);
      expect(view.status, view.error ?? '').toBe('COMPLETED');
      // One attempt: the heartbeat never lapsed, though the epoch took longer than its 2 s timeout.
      expect(stepOf(view, 'train').attempts).toBe(1);
      expect(stepOf(view, 'train').durationMs).toBeGreaterThan(3_000);
      expect(stepOf(view, 'train').summary).toMatchObject({ task: 'classification', epochs: 1 });
      // A binary target: validate reports AUC beside accuracy.
      expect(stepOf(view, 'validate').summary.auc).toBeGreaterThan(0.9);
    },
  );

  it.sequential(
    'a regression target trains with early stopping and validates with RMSE, MAE and R²',
    async () => {
      const runId = await world.startRun(
        [
          'train.epochs=300',
          'train.earlyStopping={patience: 3, minDelta: 0.001}',
          'validate.min={r2: 0.8}',
          'validate.max={rmse: 10}',
        ],
        writeRegressionSpec(world.config.home),
      );
      const view = await waitForRunStatus(world.client, runId, SETTLED, 110_000);
      expect(view.status, view.error ?? '').toBe('COMPLETED');
      const train = stepOf(view, 'train').summary;
      expect(train).toMatchObject({ task: 'regression', accuracy: null });
      expect(train.stoppedEarlyAt).toBe(train.epochs);
      expect(Number(train.epochs)).toBeLessThan(300);
      expect(typeof train.valLoss).toBe('number');
      const metrics = stepOf(view, 'validate').summary;
      expect(Object.keys(metrics).sort()).toEqual(['baseline.rmse', 'mae', 'r2', 'rmse']);
      // The naive baseline (the training mean) is recorded beside the metrics, and beaten.
      expect(Number(metrics.rmse)).toBeLessThan(Number(metrics['baseline.rmse']));
      expect(Number(metrics.r2)).toBeGreaterThan(0.8);
      expect(Number(metrics.mae)).toBeLessThanOrEqual(Number(metrics.rmse));
    },
  );
});

/**
 * A binary task whose epochs take seconds at batch size 4: 4000 rows of four features, labelled by
 * which of two sums is larger. Returns the spec file's path.
 */
function writeLongEpochSpec(dir: string): string {
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const lines = ['a,b,c,d,label'];
  for (let i = 0; i < 4000; i++) {
    const [a, b, c, d] = [random(), random(), random(), random()];
    lines.push(
      `${a.toFixed(4)},${b.toFixed(4)},${c.toFixed(4)},${d.toFixed(4)},${a + b > c + d ? 'yes' : 'no'}`,
    );
  }
  fs.writeFileSync(path.join(dir, 'long.csv'), lines.join('\n') + '\n');
  const spec = path.join(dir, 'long.yaml');
  fs.writeFileSync(
    spec,
    [
      'name: long-epochs',
      'source: { uri: long.csv }',
      'target: { column: label }',
      'sanity: { minRows: 100 }',
      'train: { hiddenUnits: [8], learningRate: 0.01, seed: 3 }',
      'validate: { min: { accuracy: 0.8 } }',
    ].join('\n'),
  );
  return spec;
}

/** A regression task: price = 50 + 40·a − 25·b + 10·c (+ a little noise). Returns the spec file's path. */
function writeRegressionSpec(dir: string): string {
  let seed = 13;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const lines = ['a,b,c,price'];
  for (let i = 0; i < 800; i++) {
    const [a, b, c, noise] = [random(), random(), random(), random() - 0.5];
    lines.push(
      `${a.toFixed(4)},${b.toFixed(4)},${c.toFixed(4)},${(50 + 40 * a - 25 * b + 10 * c + noise).toFixed(3)}`,
    );
  }
  fs.writeFileSync(path.join(dir, 'prices.csv'), lines.join('\n') + '\n');
  const spec = path.join(dir, 'prices.yaml');
  fs.writeFileSync(
    spec,
    [
      'name: prices',
      'source: { uri: prices.csv }',
      'target: { column: price }',
      'sanity: { minRows: 100 }',
      'train: { hiddenUnits: [16], batchSize: 32, learningRate: 0.01, seed: 3 }',
    ].join('\n'),
  );
  return spec;
}
