import { spawnSync } from 'node:child_process';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BACKEND_ENV,
  BackendUnavailableError,
  ensureBackend,
  initBackend,
  setBackendLogger,
} from '../../core/model/backend';

const messages: string[] = [];
setBackendLogger((message) => messages.push(message));

afterEach(() => {
  delete process.env[BACKEND_ENV];
});

describe('initBackend', () => {
  it('walks the ladder to wasm here, recording why each faster backend was skipped', async () => {
    const info = await initBackend();
    expect(info.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.device).toMatch(/^cpu \(wasm( simd)?, \d+ threads?\)$/);
    expect(info.fellBackFrom.map((f) => f.backend)).toEqual(['tfjs-node-gpu', 'webgpu', 'tfjs-node']);
    expect(info.fellBackFrom[0].reason).toBe('@tensorflow/tfjs-node-gpu is not installed');
    // CI and this machine have lavapipe (software Vulkan): Dawn's adapter is refused unless accepted.
    expect(info.fellBackFrom[1].reason).toMatch(
      /^only a software WebGPU adapter \(.*llvmpipe.*\); set QUIVER_ACCEPT_SOFTWARE_GPU=1/,
    );
    expect(info.fellBackFrom[2].reason).toBe('@tensorflow/tfjs-node is not installed');
    expect(messages).toEqual([
      'training backend tfjs-node-gpu skipped: @tensorflow/tfjs-node-gpu is not installed',
      `training backend webgpu skipped: ${info.fellBackFrom[1].reason}`,
      'training backend tfjs-node skipped: @tensorflow/tfjs-node is not installed',
    ]);
  });

  it('is memoised: a second call neither reloads nor logs again', async () => {
    const count = messages.length;
    const again = await initBackend();
    expect(again.backend).toBe('wasm');
    expect(messages.length).toBe(count);
  });

  it("loads no Dawn where its adapter is refused: Dawn's native warnings never reach stderr", () => {
    // A fresh process, so that Dawn is not loaded yet, whose stderr the native code writes to.
    const script = `require('tsx/cjs'); require('./core/model/backend.ts').initBackend()
      .then((info) => { process.stdout.write(JSON.stringify(info)); process.exit(0); })`;
    const env = { ...process.env };
    for (const name of [BACKEND_ENV, 'QUIVER_ACCEPT_SOFTWARE_GPU', 'QUIVER_LOG_LEVEL']) delete env[name];
    const child = spawnSync(process.execPath, ['-e', script], {
      cwd: path.resolve(__dirname, '..', '..'),
      encoding: 'utf8',
      env,
      timeout: 120_000,
    });
    expect(child.status, child.stderr).toBe(0);
    expect((JSON.parse(child.stdout) as { backend: string }).backend).toBe('wasm');
    expect(child.stderr).toBe('');
  });

  it('wasm actually trains: a tiny model fits XOR-ish data', async () => {
    await initBackend();
    const model = tf.sequential({
      layers: [
        tf.layers.dense({
          units: 8,
          inputShape: [2],
          activation: 'tanh',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        }),
        tf.layers.dense({
          units: 2,
          activation: 'softmax',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
        }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'sparseCategoricalCrossentropy' });
    const x = tf.tensor2d([0, 0, 0, 1, 1, 0, 1, 1], [4, 2]);
    const y = tf.tensor1d([0, 1, 1, 0]);
    const history = await model.fit(x, y, { epochs: 150, batchSize: 4, shuffle: false, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] / 2);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('honours an explicit backend and QUIVER_TF_BACKEND, switching the global backend', async () => {
    const cpu = await initBackend('cpu');
    expect(cpu).toEqual({ backend: 'cpu', device: 'cpu (js)', fellBackFrom: [] });
    expect(tf.getBackend()).toBe('cpu');
    // Loading a model only ensures a backend: it keeps the forced one.
    expect((await ensureBackend()).backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    process.env[BACKEND_ENV] = 'wasm';
    expect((await initBackend()).backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('fails loudly, naming why, when a forced backend cannot load', async () => {
    await expect(initBackend('tfjs-node')).rejects.toThrow(
      new BackendUnavailableError(
        'TensorFlow.js backend "tfjs-node" is unavailable: @tensorflow/tfjs-node is not installed',
      ),
    );
    process.env[BACKEND_ENV] = 'webgpu';
    // A software adapter is refused by name too, unless QUIVER_ACCEPT_SOFTWARE_GPU says otherwise.
    await expect(initBackend()).rejects.toThrow(
      /"webgpu" is unavailable: only a software WebGPU adapter .*QUIVER_ACCEPT_SOFTWARE_GPU=1/,
    );
    process.env[BACKEND_ENV] = 'cuda';
    await expect(initBackend()).rejects.toThrow(
      /QUIVER_TF_BACKEND "cuda" is not one of: auto, tfjs-node-gpu/,
    );
    await expect(initBackend('tpu')).rejects.toThrow(BackendUnavailableError);
    // The process keeps its working backend.
    expect(tf.getBackend()).toBe('wasm');
  });
});
