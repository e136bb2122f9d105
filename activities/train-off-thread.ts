import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import * as errors from '../core/errors';
import { BackendUnavailableError, type BackendName } from '../core/model/backend';
import type { EpochStats } from '../core/model/codec';
import type { BatchProgress, TrainArgs, TrainedModel } from '../core/model/train';
import { trainThreads } from './train-thread-pool';

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
  | { kind: 'done'; trained: Omit<TrainedModel, 'model'>; modelIpc: Uint8Array; liveTensors: number }
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
 * The thread comes from `trainThreads` (warm when an earlier training left one idle) and goes back to
 * it only after a successful training; after an error, an abort or its exit it is terminated.
 */
export function trainOffThread(args: OffThreadTrainArgs): Promise<OffThreadTrained> {
  const { table, resumeFrom, onEpoch, onProgress, signal, ...plain } = args;
  signal?.throwIfAborted();
  const worker = trainThreads.acquire();
  return new Promise<OffThreadTrained>((resolve, reject) => {
    let settled = false;
    let abortSent = false;
    let pendingCheckpoint: { resolve: (t: Table) => void; reject: (e: Error) => void } | undefined;
    const finish = (outcome: () => void, liveTensors?: number) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      worker.off('message', onMessage).off('error', fail).off('exit', onExit);
      pendingCheckpoint?.reject(new Error('training thread ended before its checkpoint was built'));
      // Only a clean finish goes back to the pool: a thread that saw an abort or failed is not trusted.
      if (liveTensors !== undefined && !abortSent) trainThreads.release(worker, liveTensors);
      else trainThreads.discard(worker);
      outcome();
    };
    const fail = (error: unknown) =>
      finish(() => reject(signal?.aborted ? (signal.reason as Error) : toError(error)));
    const onAbort = () => {
      abortSent = true;
      post({ kind: 'abort' });
    };
    const onExit = (code: number) =>
      fail(new Error(`the training thread exited (code ${code}) before it finished`));
    const post = (message: ToThread, transfer: ArrayBuffer[] = []) => {
      if (!settled) worker.postMessage(message, transfer);
    };
    const onMessage = (message: FromThread) => {
      switch (message.kind) {
        case 'epoch': {
          const checkpoint = () =>
            new Promise<Table>((res, rej) => {
              pendingCheckpoint = { resolve: res, reject: rej };
              post({ kind: 'checkpoint' });
            });
          // new Promise, not Promise.resolve: a callback that throws rejects instead of escaping.
          new Promise<void>((res) => res(onEpoch?.({ ...message.stats, checkpoint })))
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
        case 'done': {
          const trained = { ...message.trained, modelTable: tableFromIPC(message.modelIpc) };
          finish(() => resolve(trained), message.liveTensors);
          return;
        }
        case 'error':
          fail(message.error);
          return;
      }
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', onMessage).on('error', fail).on('exit', onExit);

    const tableIpc = tableToIPC(table, 'file');
    const resumeIpc = resumeFrom ? tableToIPC(resumeFrom, 'file') : undefined;
    post({ kind: 'start', args: plain, tableIpc, resumeIpc }, [
      tableIpc.buffer as ArrayBuffer,
      ...(resumeIpc ? [resumeIpc.buffer as ArrayBuffer] : []),
    ]);
    if (signal?.aborted) onAbort();
  });
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
