import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import * as errors from '../core/errors';
import { BackendUnavailableError, type BackendName } from '../core/model/backend';
import type { EpochStats } from '../core/model/codec';
import type { BatchProgress, TrainArgs, TrainedModel } from '../core/model/train';

/** What the caller hears after each epoch: the stats, and a checkpoint built (in the thread) on request. */
export interface ThreadEpochEvent extends EpochStats {
  /** Builds the epoch checkpoint (weights + optimizer state + history) that `resumeFrom` accepts. */
  checkpoint: () => Promise<Table>;
}

/** `trainClassifier`'s arguments, with callbacks the thread reports to and data passed as Arrow tables. */
export interface OffThreadTrainArgs extends Omit<TrainArgs, 'onEpoch'> {
  onEpoch?: (event: ThreadEpochEvent) => void | Promise<void>;
}

/** `trainClassifier`'s result with the model already encoded as its Arrow table (`modelToArrowAsync`). */
export interface OffThreadTrained extends Omit<TrainedModel, 'model'> {
  modelTable: Table;
}

/** Messages from the training thread. */
export type FromThread =
  | { kind: 'epoch'; stats: EpochStats }
  | { kind: 'checkpoint'; ipc: Uint8Array }
  | { kind: 'progress'; progress: BatchProgress }
  | { kind: 'done'; trained: Omit<TrainedModel, 'model'>; modelIpc: Uint8Array }
  | { kind: 'error'; error: { name: string; message: string; stack?: string } };

/** Messages to the training thread. */
export type ToThread =
  | { kind: 'start'; args: ThreadArgs; tableIpc: Uint8Array; resumeIpc?: Uint8Array }
  | { kind: 'checkpoint' }
  | { kind: 'epochDone' }
  | { kind: 'abort' };

/** The plain (structured-cloneable) part of the arguments: everything but data, callbacks and signal. */
export type ThreadArgs = Omit<TrainArgs, 'table' | 'resumeFrom' | 'onEpoch' | 'onProgress' | 'signal'>;

/** Backends that compute on this thread's CPU and would hold the event loop for a whole batch loop. */
const CPU_BOUND: readonly BackendName[] = ['wasm', 'cpu'];

/**
 * Whether training with `backend` should run on a worker thread: the CPU-bound backends (wasm, pure
 * JS) starve the worker's event loop otherwise (workflow tasks, queries and heartbeats time out).
 * GPU backends compute asynchronously and use native addons that may not load in a thread, so they
 * stay in-process. `QUIVER_TRAIN_THREAD=0` keeps every backend in-process, `=1` threads every one.
 */
export function trainsOffThread(backend: BackendName, env: NodeJS.ProcessEnv = process.env): boolean {
  const forced = env.QUIVER_TRAIN_THREAD?.trim();
  if (forced === '0' || forced === 'false') return false;
  if (forced === '1' || forced === 'true') return true;
  return CPU_BOUND.includes(backend);
}

/**
 * Runs `trainClassifier` on a worker thread, so the calling event loop stays free for the Temporal
 * worker: heartbeats, cancellation, queries and other tasks. Epoch events and batch progress come back
 * as messages; `signal` stops training between batches; the checkpoint of an epoch is built in the
 * thread only when `onEpoch` asks for it. Errors keep their class (by name) for retry decisions.
 */
export function trainOffThread(args: OffThreadTrainArgs): Promise<OffThreadTrained> {
  const { table, resumeFrom, onEpoch, onProgress, signal, ...plain } = args;
  signal?.throwIfAborted();
  const worker = startThread();
  return new Promise<OffThreadTrained>((resolve, reject) => {
    let settled = false;
    let pendingCheckpoint: { resolve: (t: Table) => void; reject: (e: Error) => void } | undefined;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      pendingCheckpoint?.reject(new Error('training thread ended before its checkpoint was built'));
      void worker.terminate();
      outcome();
    };
    const fail = (error: unknown) =>
      finish(() => reject(signal?.aborted ? (signal.reason as Error) : toError(error)));
    const onAbort = () => post({ kind: 'abort' });
    const post = (message: ToThread, transfer: ArrayBuffer[] = []) => {
      if (!settled) worker.postMessage(message, transfer);
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    worker.on('message', (message: FromThread) => {
      switch (message.kind) {
        case 'epoch': {
          const checkpoint = () =>
            new Promise<Table>((res, rej) => {
              pendingCheckpoint = { resolve: res, reject: rej };
              post({ kind: 'checkpoint' });
            });
          Promise.resolve(onEpoch?.({ ...message.stats, checkpoint }))
            .then(() => post({ kind: 'epochDone' }))
            .catch(fail);
          return;
        }
        case 'checkpoint':
          pendingCheckpoint?.resolve(tableFromIPC(message.ipc));
          pendingCheckpoint = undefined;
          return;
        case 'progress':
          onProgress?.(message.progress);
          return;
        case 'done':
          finish(() => resolve({ ...message.trained, modelTable: tableFromIPC(message.modelIpc) }));
          return;
        case 'error':
          fail(message.error);
          return;
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) =>
      fail(new Error(`the training thread exited (code ${code}) before it finished`)),
    );

    const tableIpc = tableToIPC(table, 'file');
    const resumeIpc = resumeFrom ? tableToIPC(resumeFrom, 'file') : undefined;
    post({ kind: 'start', args: plain, tableIpc, resumeIpc }, [
      tableIpc.buffer as ArrayBuffer,
      ...(resumeIpc ? [resumeIpc.buffer as ArrayBuffer] : []),
    ]);
    if (signal?.aborted) onAbort();
  });
}

/** The thread entry, as compiled JavaScript or (tsx, vitest) TypeScript loaded through tsx. */
function startThread(): Worker {
  const base = path.join(__dirname, 'train-thread-entry');
  if (fs.existsSync(`${base}.js`)) return new Worker(`${base}.js`);
  // An eval'd thread resolves bare names from the cwd: resolve tsx from Quiver's own install instead.
  const tsx = require.resolve('tsx/cjs', { paths: [__dirname] });
  const code = `require(${JSON.stringify(tsx)}); require(${JSON.stringify(`${base}.ts`)});`;
  return new Worker(code, { eval: true });
}

/** Rebuilds an error from the thread with its original class when Quiver declares one (retryability). */
function toError(error: unknown): Error {
  if (error instanceof Error) return error;
  const { name, message, stack } = error as { name: string; message: string; stack?: string };
  const classes: Record<string, new (message: string) => Error> = {
    ...(errors as unknown as Record<string, new (message: string) => Error>),
    BackendUnavailableError,
  };
  const Class = typeof classes[name] === 'function' ? classes[name] : Error;
  const rebuilt = new Class(message);
  rebuilt.name = name;
  if (stack) rebuilt.stack = stack;
  return rebuilt;
}
