import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * How long a training thread waits idle for the next training before it is terminated: long enough
 * for the trainings that follow each other (exploration trials, back-to-back small runs, a retry),
 * short enough that the WASM heap of a large training (which never shrinks) is not held for good.
 */
export const IDLE_THREAD_MS = 30_000;

/** What the pool knows of one thread, for tests and diagnostics. */
export interface TrainThreadInfo {
  /** The thread's `threadId` (unique in this process). */
  threadId: number;
  /** Trainings it finished successfully. */
  trainings: number;
  /** `tf.memory().numTensors` in the thread after its first and its latest training (model disposed). */
  tensorsAfterFirst: number;
  tensorsAfterLast: number;
}

interface Idle {
  worker: Worker;
  info: TrainThreadInfo;
  expiry: NodeJS.Timeout;
}

/**
 * Warm training threads: starting one loads TensorFlow.js (and, from source, the TypeScript loader),
 * about half a second of CPU, so a thread that finished a training well waits (unref'd, so it never
 * keeps the process alive) for the next one. A training takes an idle thread or starts a new one, so
 * two live trainings never share a thread and the idle ones never outnumber the most trainings that
 * ran at once. A thread that failed, was aborted or exited is terminated, never reused.
 */
class TrainThreadPool {
  private readonly idle: Idle[] = [];
  private readonly known = new WeakMap<Worker, TrainThreadInfo>();
  private started = 0;
  private idleMs = IDLE_THREAD_MS;

  /** A thread for one training: an idle one when there is one, else a new one. */
  acquire(): Worker {
    const warm = this.idle.pop();
    if (warm) {
      clearTimeout(warm.expiry);
      warm.worker.ref();
      return warm.worker;
    }
    const worker = startThread();
    this.started++;
    // A thread that dies while idle leaves the pool; its error must not crash the process.
    worker.on('error', () => this.forget(worker));
    worker.on('exit', () => this.forget(worker));
    return worker;
  }

  /**
   * Returns a thread whose training finished successfully, with the live tensor count it reported.
   * A thread holding more tensors than after its first training leaks: it is dropped, not reused.
   */
  release(worker: Worker, liveTensors: number): void {
    const info = this.known.get(worker) ?? {
      threadId: worker.threadId,
      trainings: 0,
      tensorsAfterFirst: liveTensors,
      tensorsAfterLast: liveTensors,
    };
    info.trainings++;
    info.tensorsAfterLast = liveTensors;
    this.known.set(worker, info);
    if (liveTensors > info.tensorsAfterFirst || worker.threadId < 0) return this.discard(worker);
    worker.unref();
    const expiry = setTimeout(() => {
      this.forget(worker);
      void worker.terminate();
    }, this.idleMs);
    expiry.unref();
    this.idle.push({ worker, info, expiry });
  }

  /** Terminates a thread that failed, was aborted or exited: its TF.js state is not trusted again. */
  discard(worker: Worker): void {
    this.forget(worker);
    void worker.terminate();
  }

  /** Terminates every idle thread (worker shutdown, tests). Threads in use end with their training. */
  async close(): Promise<void> {
    const idle = this.idle.splice(0);
    for (const { expiry } of idle) clearTimeout(expiry);
    await Promise.all(idle.map(({ worker }) => worker.terminate()));
  }

  /** Sets how long an idle thread lives (tests); applies to threads released from now on. */
  setIdleMs(ms: number): void {
    this.idleMs = ms;
  }

  /** Threads started so far and the idle ones, oldest first. */
  stats(): { started: number; idle: TrainThreadInfo[] } {
    return { started: this.started, idle: this.idle.map(({ info }) => ({ ...info })) };
  }

  private forget(worker: Worker): void {
    const at = this.idle.findIndex((entry) => entry.worker === worker);
    if (at < 0) return;
    clearTimeout(this.idle[at].expiry);
    this.idle.splice(at, 1);
  }
}

/** The process's training threads. */
export const trainThreads = new TrainThreadPool();

/** The thread entry, as compiled JavaScript or (tsx, vitest) TypeScript loaded through tsx. */
function startThread(): Worker {
  const base = path.join(__dirname, 'train-thread-entry');
  if (fs.existsSync(`${base}.js`)) return new Worker(`${base}.js`);
  // An eval'd thread resolves bare names from the cwd: resolve tsx from Quiver's own install instead.
  const tsx = require.resolve('tsx/cjs', { paths: [__dirname] });
  const code = `require(${JSON.stringify(tsx)}); require(${JSON.stringify(`${base}.ts`)});`;
  return new Worker(code, { eval: true });
}
