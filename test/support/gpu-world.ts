import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { QuiverClient } from '../../client/api';
import { loadConfig, type QuiverConfig } from '../../core/config';
import { loadSpecFile } from '../../core/spec/load';
import { createWorkers, type RunningWorkers } from '../../worker/workers';
import { trackChild, QUIVER_BIN } from './cli';
import { stopWithin } from './durability';
import { connectTestClient, IRIS_SPEC } from './pipeline-env';

/**
 * A private world for GPU-queue tests: its own home and task queues, a CPU worker in this process
 * (workflows and CPU steps, and training when it falls back), and GPU workers only as `quiver worker
 * --queue gpu` child processes the test starts and kills, so "no GPU worker" really means none.
 */
export interface GpuWorld {
  config: QuiverConfig;
  client: QuiverClient;
  /** The environment a `quiver` child process of this world runs with. */
  env: NodeJS.ProcessEnv;
  /** Starts a GPU-queue worker process; resolves with it and its start line once it polls. */
  startGpuWorker(
    extraEnv?: NodeJS.ProcessEnv,
    args?: string[],
  ): Promise<{ child: ChildProcess; output: () => string }>;
  startRun(overrides: string[], file?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startGpuWorld(name: string): Promise<GpuWorld> {
  const address = inject('temporalAddress');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `quiver-${name}-`));
  const { QUIVER_STORE: _store, QUIVER_TF_BACKEND: _backend, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    TEMPORAL_ADDRESS: address,
    QUIVER_HOME: home,
    QUIVER_QUEUE_PREFIX: `${name}-${process.pid}-`,
  };
  const config = loadConfig(env);
  const workers: RunningWorkers = await createWorkers({ config, address, queues: ['cpu'] });
  const running = workers.run();
  const client = await connectTestClient(config, address);
  const children: ChildProcess[] = [];
  return {
    config,
    client,
    env,
    async startGpuWorker(extraEnv = {}, args = []) {
      const { child, output } = await startWorker(['worker', '--queue', 'gpu', ...args], {
        ...env,
        ...extraEnv,
      });
      children.push(child);
      return { child, output };
    },
    startRun: (overrides, file = IRIS_SPEC) => client.start(loadSpecFile(file, overrides).spec, overrides),
    async close() {
      await Promise.all(children.map((child) => stopWithin(child)));
      await client.close();
      await workers.shutdown();
      await running;
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Spawns `quiver ARGS`, resolving once it prints its start line, with everything it printed so far and later. */
function startWorker(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = trackChild(
      spawn(process.execPath, [QUIVER_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    let output = '';
    let started = false;
    const onData = (d: Buffer) => {
      output += d.toString();
      if (!started && output.includes('worker on')) {
        started = true;
        resolve({ child, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      if (!started) reject(new Error(`quiver ${args.join(' ')} exited with ${code}\n${output}`));
    });
  });
}
