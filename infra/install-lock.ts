import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from './process-alive';

/** Where progress lines of an install go (stderr by default). */
export type InstallLog = (message: string) => void;

/** How long a waiter gives the lock holder before giving up (a `go install` on a busy machine: 25 min). */
const WAIT_LIMIT_MS = 45 * 60_000;

/** Thrown when another live process holds the lock longer than the wait limit. */
export class InstallLockTimeoutError extends Error {
  override readonly name = 'InstallLockTimeoutError';
}

/**
 * Runs `fn` while holding the lock file `lockPath`, so two processes (a test run and a demo, two CI jobs
 * sharing `~/.cache/quiver`) never install the same binary at once. Waits for a live holder; removes the
 * lock of a holder that died (same host, pid gone; or older than an hour).
 *
 * @param what - what is being installed, for the "waiting" line, e.g. `the Temporal CLI`.
 * @throws InstallLockTimeoutError after 45 minutes of waiting on a live holder.
 */
export async function withInstallLock<T>(
  lockPath: string,
  what: string,
  log: InstallLog,
  fn: () => Promise<T>,
): Promise<T> {
  await fs.mkdir(path.dirname(lockPath), { recursive: true });
  const deadline = Date.now() + WAIT_LIMIT_MS;
  let announced = false;
  for (;;) {
    try {
      const holder = JSON.stringify({ pid: process.pid, host: os.hostname(), at: Date.now() });
      await fs.writeFile(lockPath, holder, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readLock(lockPath);
    if (holder === 'stale') {
      log(`Removing stale install lock ${lockPath}`);
      await fs.rm(lockPath, { force: true });
      continue;
    }
    if (!announced) {
      log(`Another process${holder ? ` (pid ${holder.pid})` : ''} is installing ${what}; waiting for it`);
      announced = true;
    }
    if (Date.now() > deadline) {
      throw new InstallLockTimeoutError(
        `Timed out waiting for ${lockPath}; delete it if no install of ${what} is running.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lockPath, { force: true });
  }
}

async function readLock(lockPath: string): Promise<{ pid: number } | 'stale' | undefined> {
  let text: string;
  let age: number;
  try {
    [text, age] = await Promise.all([
      fs.readFile(lockPath, 'utf8'),
      fs.stat(lockPath).then((s) => Date.now() - s.mtimeMs),
    ]);
  } catch {
    return undefined; // released meanwhile
  }
  try {
    const lock = JSON.parse(text) as { pid: number; host: string };
    if (lock.host === os.hostname() && !isAlive(lock.pid)) return 'stale';
    return age > 60 * 60_000 ? 'stale' : { pid: lock.pid };
  } catch {
    return age > 10_000 ? 'stale' : undefined; // half-written by a process that died
  }
}
