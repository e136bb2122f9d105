import fs from 'node:fs';
import path from 'node:path';
import {
  bundleWorkflowCode,
  NativeConnection,
  type Worker,
  type ActivityInterceptorsFactory,
  type WorkflowBundleOption,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { Duration } from '@temporalio/common';
import { trainThreads } from '../activities/train-thread-pool';
import { createActivities } from '../activities';
import { initBackend, type BackendInfo } from '../core/model/backend';
import type { QuiverConfig } from '../core/config';
import { checkStore } from '../core/object-store/index';
import type { QueueName } from '../core/queues';
import { installRuntime } from './telemetry';
import { limitTrainings } from './training-slots';
import { QuiverWorker } from './workflow-call-guard';
import { checkWorkerSettings } from './worker-settings';

export interface WorkerOptions {
  config: QuiverConfig;
  address: string;
  queues: QueueName[];
  /** Concurrent activities per queue: training runs one at a time by default. */
  concurrency?: Partial<Record<QueueName, number>>;
  /** Activity interceptors (the CPU bench times each step body with one); none by default. */
  activityInterceptors?: ActivityInterceptorsFactory[];
}

// Eager dispatch (the next step handed to this worker in the reply to the workflow task that schedules
// it, with no trip through the task queue) needs free activity slots beyond what the pollers hold.
// Measured with 2 pollers on `quiver up`'s server (bench/orchestration.ts prints it): 8 slots never
// dispatched eagerly (10-120 ms from schedule to start per step), 16, 32, 64 and the SDK's 100 always
// did (0 ms). 32 keeps that margin while bounding the CPU steps one worker runs at once.
const DEFAULT_CONCURRENCY: Record<QueueName, number> = { cpu: 32, gpu: 1 };
/** Activity pollers per queue: fewer than the CPU queue's slots (see DEFAULT_CONCURRENCY). */
const ACTIVITY_POLLERS = 2;

/** `QUIVER_GPU_CONCURRENCY` (or `worker --concurrency`): trainings one GPU worker runs at once. */
function gpuConcurrency(): number | undefined {
  const value = Number(process.env.QUIVER_GPU_CONCURRENCY);
  return Number.isInteger(value) && value >= 1 ? value : undefined;
}

/**
 * `QUIVER_STICKY_TIMEOUT` (a duration such as `1s`; the SDK's default is 10s): how long a workflow task
 * waits for the worker that cached the run before any worker takes it. A killed worker holds up each
 * run it cached that long; the test suite, which kills workers on purpose, sets 2s.
 */
function stickyTimeout(): { stickyQueueScheduleToStartTimeout: Duration } | Record<string, never> {
  const value = process.env.QUIVER_STICKY_TIMEOUT?.trim();
  return value ? { stickyQueueScheduleToStartTimeout: value as Duration } : {};
}

/** Workers for the requested queues, sharing one connection; `run()` resolves once all have shut down. */
export interface RunningWorkers {
  workers: Worker[];
  /** The training backend a GPU-queue worker chose at start (undefined without one). */
  backend?: BackendInfo;
  run(): Promise<void>;
  shutdown(): Promise<void>;
}

/** The workflows entry, as TypeScript source (tsx, vitest) or compiled JavaScript. */
export function workflowsPath(): string {
  const base = path.resolve(__dirname, '..', 'workflows', 'index');
  return fs.existsSync(`${base}.ts`) ? `${base}.ts` : `${base}.js`;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/**
 * Bundles the workflow code once per process (webpack takes seconds of CPU; several workers share it),
 * or uses the prebuilt bundle file `QUIVER_WORKFLOW_BUNDLE` names (`bundleWorkflowCode`'s `code`,
 * written out): the test suite builds it once for all its processes.
 */
function workflowBundle(): Promise<WorkflowBundleOption> {
  const prebuilt = process.env.QUIVER_WORKFLOW_BUNDLE?.trim();
  if (prebuilt) return Promise.resolve({ codePath: prebuilt });
  bundle ??= bundleWorkflowCode({
    workflowsPath: workflowsPath(),
    logger: quietBundlerLogger,
  });
  return bundle;
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

export async function createWorkers(options: WorkerOptions): Promise<RunningWorkers> {
  // A worker that cannot use its store (missing bucket, refused credentials) stops here, naming it.
  await checkStore(options.config.store);
  // A bad QUIVER_WORKFLOW_CALL_TIMEOUT or QUIVER_WORKFLOW_STACK_TRACES stops the worker before it
  // connects, naming the variable.
  checkWorkerSettings();
  installRuntime(undefined, options.config.metricsPort);
  // A GPU worker picks its backend up front: its start line names it, and a refused one stops it here.
  const backend = options.queues.includes('gpu') ? await initBackend() : undefined;
  const connection = await NativeConnection.connect({ address: options.address });
  const activities = createActivities(options.config);
  const trainingLimit = options.concurrency?.gpu ?? gpuConcurrency() ?? DEFAULT_CONCURRENCY.gpu;
  // Serving both queues, this process may get training from either (see limitTrainings).
  if (options.queues.includes('gpu') && options.queues.includes('cpu'))
    activities.train = limitTrainings(activities.train, trainingLimit);
  const workers = await Promise.all(
    options.queues.map(async (queue) =>
      QuiverWorker.create({
        connection,
        namespace: options.config.namespace,
        taskQueue: options.config.taskQueues[queue],
        // Only the CPU queue hosts workflows; the GPU queue is for training alone.
        ...(queue === 'cpu' ? { workflowBundle: await workflowBundle() } : {}),
        activities,
        maxConcurrentActivityTaskExecutions:
          queue === 'gpu' ? trainingLimit : (options.concurrency?.cpu ?? DEFAULT_CONCURRENCY.cpu),
        // Training's heartbeat carries its epoch checkpoint and brings back cancellation: send it within a
        // second, not the SDK's 0.8 × heartbeatTimeout (48 s at the default 1m), so a retry or a cancel
        // never works from a stale epoch.
        maxConcurrentActivityTaskPolls: ACTIVITY_POLLERS,
        maxHeartbeatThrottleInterval: '1s',
        defaultHeartbeatThrottleInterval: '1s',
        ...stickyTimeout(),
        ...(options.activityInterceptors ? { interceptors: { activity: options.activityInterceptors } } : {}),
      }),
    ),
  );
  let running: Promise<void> | undefined;
  return {
    workers,
    backend,
    run() {
      // Idle training threads hold TF.js and the WASM heap: free them once the workers have drained.
      running ??= Promise.all(workers.map((w) => w.run())).then(() =>
        Promise.all([connection.close(), trainThreads.close()]).then(() => undefined),
      );
      return running;
    },
    async shutdown() {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}
