import { execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { QuiverClient, RunView } from '../../client/api';
import { openStore } from '../../core/checkpoint/store';
import type { CheckpointRef } from '../../core/checkpoint/types';
import type { StepName, StepState } from '../../core/run-types';
import { patient } from './patience';

/**
 * Polls `probe` until `done` holds, tolerating errors (a server that is down, a worker replaying).
 * `timeoutMs` is what an idle machine needs; the deadline stretches with the machine's load (patient()).
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  idleTimeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const timeoutMs = patient(idleTimeoutMs);
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await probe();
      lastError = undefined;
      if (done(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const seen = lastError ? `last error: ${String(lastError)}` : `last seen: ${JSON.stringify(last)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function stepOf(view: RunView, name: StepName): StepState {
  return view.steps.find((s) => s.name === name)!;
}

/** Compact `[step, status, attempts]` rows: what assertion messages show. */
export function stepRows(view: RunView): [string, string, number][] {
  return view.steps.map((s) => [s.name, s.status, s.attempts]);
}

/** Waits for the run to reach one of `statuses`, polling `status` (errors while the server is away are retried). */
export function waitForRunStatus(
  client: QuiverClient,
  runId: string,
  statuses: string[],
  timeoutMs: number,
): Promise<RunView> {
  return pollUntil(
    `run ${runId} to be ${statuses.join(' or ')}`,
    () => client.status(runId),
    (view) => statuses.includes(view.status),
    timeoutMs,
    250,
  );
}

/** `PENDING_ACTIVITY_STATE_STARTED` in Temporal's API: a worker has picked the activity up. */
const STARTED = 2;

/** The pending `train` activity as the server sees it, when a worker has started it. */
export interface RunningTraining {
  attempt: number;
  /** True once the attempt has sent at least one heartbeat (an epoch finished). */
  heartbeated: boolean;
}

/**
 * Waits until a worker is actually executing the train activity and has reported an epoch: the
 * workflow's own `running` only means the activity was scheduled, not that anyone picked it up.
 */
export async function waitForTrainingMidway(
  client: QuiverClient,
  runId: string,
  timeoutMs: number,
): Promise<RunningTraining> {
  return pollUntil(
    `the train activity of ${runId} to start and heartbeat`,
    async () => {
      const { raw } = await client.temporal.workflow.getHandle(runId).describe();
      const train = (raw.pendingActivities ?? []).find((a) => a.activityType?.name === 'train');
      if (!train || train.state !== STARTED) return undefined;
      return { attempt: train.attempt ?? 0, heartbeated: train.lastHeartbeatTime != null };
    },
    (training) => training?.heartbeated === true,
    timeoutMs,
  ) as Promise<RunningTraining>;
}

/** Every checkpoint any step of the run recorded, by `step/output`. */
export function checkpointsOf(view: RunView): Map<string, CheckpointRef> {
  const refs = new Map<string, CheckpointRef>();
  for (const step of view.steps)
    for (const [output, ref] of Object.entries(step.outputs)) refs.set(`${step.name}/${output}`, ref);
  return refs;
}

/** Verifies each checkpoint's bytes against its SHA-256; resolves to the names it checked. */
export async function verifyAll(storeUri: string, refs: Map<string, CheckpointRef>): Promise<string[]> {
  const store = openStore(storeUri);
  for (const [name, ref] of refs) {
    await store.verify(ref).catch((error: unknown) => {
      throw new Error(`checkpoint ${name} does not verify: ${String(error)}`);
    });
  }
  return [...refs.keys()].sort();
}

/** Every file under a store's `dir`, relative to it; the digest cache's records (`.digests/`) aside. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath ?? entry.path, entry.name)))
    .filter((file) => !file.startsWith(`.digests${path.sep}`))
    .sort();
}

/** SIGKILLs a child process (no draining, no goodbye) and resolves once it is gone. */
export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/**
 * SIGTERM (workers drain and exit), then SIGKILL after `graceMs`; resolves once the process is gone.
 * Safe on processes that already exited, killed ones included.
 */
export function stopWithin(child: ChildProcess, graceMs = 15_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A small tmpfs: a file system that really fills up, for disk-full tests. Needs root (or sudo -n). */
export interface Tmpfs {
  dir: string;
  /** Bytes free right now, as `statfs` reports them. */
  free(): number;
  /** Takes every free byte with one file; returns its path (delete it to free the space). */
  fill(): string;
  unmount(): void;
}

export function mountTmpfs(sizeBytes: number): Tmpfs {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-tmpfs-'));
  const asRoot = (args: string[]) => {
    const [cmd, ...rest] = process.getuid?.() === 0 ? args : ['sudo', '-n', ...args];
    execFileSync(cmd, rest, { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  try {
    asRoot(['mount', '-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0777`, 'quiver-test', dir]);
  } catch (error) {
    fs.rmdirSync(dir);
    throw new Error(
      `the disk-full test mounts a small tmpfs and needs root or password-less sudo: ${String(error)}`,
    );
  }
  let mounted = true;
  const free = () => {
    const stats = fs.statfsSync(dir);
    return stats.bavail * stats.bsize;
  };
  return {
    dir,
    free,
    fill() {
      const filler = path.join(dir, 'filler');
      const fd = fs.openSync(filler, 'w');
      try {
        // Write in pages until the file system refuses: exactly what a full disk looks like.
        const page = Buffer.alloc(4096, 1);
        for (;;) {
          try {
            fs.writeSync(fd, page);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
            throw error;
          }
        }
      } finally {
        fs.closeSync(fd);
      }
      return filler;
    },
    unmount() {
      if (!mounted) return;
      mounted = false;
      asRoot(['umount', '-l', dir]);
      fs.rmdirSync(dir);
    },
  };
}
