import type { Context } from '@temporalio/activity';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { QuiverWorker } from '../../worker/workflow-call-guard';
import type { CheckpointRef } from '../../core/checkpoint/types';
import type { StepName, StepResult } from '../../core/run-types';
import { testTemporalAddress } from '../helpers/temporal';
import { testWorkflowCode } from './pipeline-env';

/** A checkpoint reference that points nowhere, for stand-in step activities (its SHA-256 from `name`). */
export function standInRef(name: string): CheckpointRef {
  return {
    uri: `file:///dev/null#${name}`,
    sha256: name
      .padEnd(64, '0')
      .slice(0, 64)
      .replace(/[^0-9a-f]/g, 'a'),
    rows: 1,
    bytes: 1,
  };
}

/** A stand-in step's result: `outputs` as given, the first one primary, a fixed code version and cache key. */
export function standInResult(
  step: StepName,
  outputs: Record<string, CheckpointRef>,
  summary: StepResult['summary'] = {},
): StepResult {
  return {
    outputs,
    primary: Object.keys(outputs)[0] ?? 'none',
    summary,
    attempt: 1,
    durationMs: 0,
    stepCodeVersion: 'fake',
    params: {},
    paramsHash: 'fake',
    cacheKey: `fake-${step}`,
  };
}

/** Stand-ins for ingest, sanity and features, each completing at once with its usual outputs. */
export function completedDataSteps() {
  return {
    ingest: async () => standInResult('ingest', { data: standInRef('data') }),
    sanity: async () => standInResult('sanity', { profile: standInRef('profile') }),
    features: async () => standInResult('features', { data: standInRef('features-data') }),
  };
}

/**
 * A stand-in step that holds until its attempt is cancelled, heartbeating `details` every 200 ms as a
 * real step does (so the cancel reaches it); rejects with the cancellation.
 */
export async function heartbeatUntilCancelled(context: Context, details?: unknown): Promise<never> {
  const beating = setInterval(() => context.heartbeat(details), 200);
  try {
    await context.cancelled;
  } finally {
    clearInterval(beating);
  }
  throw new Error('cancelled'); // never reached: `cancelled` rejects
}

/** A real worker running the real workflow code with stand-in activities, and a client: see standInWorker. */
export interface StandInWorker {
  client: Client;
  close(): Promise<void>;
}

/**
 * Starts a worker on the test dev server for `taskQueue` with the real workflow bundle and the given
 * stand-in `activities` (plus any other worker `options`), and a client beside it; `close()` stops both.
 */
export async function standInWorker(
  taskQueue: string,
  activities: object,
  options: Partial<WorkerOptions> = {},
): Promise<StandInWorker> {
  const workerConnection = await NativeConnection.connect({ address: testTemporalAddress() });
  const worker = await QuiverWorker.create({
    ...options,
    connection: workerConnection,
    taskQueue,
    ...testWorkflowCode(),
    activities,
  });
  const running = worker.run();
  const connection = await Connection.connect({ address: testTemporalAddress() });
  return {
    client: new Client({ connection }),
    async close() {
      worker.shutdown();
      await running;
      await workerConnection.close();
      await connection.close();
    },
  };
}
