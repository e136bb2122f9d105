/** The signals that stop a Quiver process cleanly (workers drain, then the server it started stops). */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

let watching: NodeJS.Timeout | undefined;

/**
 * Stops this process (a SIGTERM to itself, so the ordinary shutdown path runs) when the process that
 * started it dies: a `quiver up`, `demo` or worker whose parent was killed, even with SIGKILL, does not
 * live on as an orphan. Linux and macOS re-parent orphans, so a changed `process.ppid` says the parent
 * is gone. Checks every `intervalMs` without keeping the process alive. `QUIVER_KEEP_ORPHANS=1`
 * (e.g. under `nohup`) turns it off. Idempotent.
 */
export function stopWhenParentDies(intervalMs = 1_000, env: NodeJS.ProcessEnv = process.env): void {
  if (watching || process.platform === 'win32' || env.QUIVER_KEEP_ORPHANS === '1') return;
  const parent = process.ppid;
  if (parent <= 1) return; // started by init/a container entrypoint: nothing to outlive
  watching = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watching);
    process.stderr.write(
      `[quiver] parent process ${parent} is gone: shutting down (QUIVER_KEEP_ORPHANS=1 keeps it running, e.g. under nohup)\n`,
    );
    process.kill(process.pid, 'SIGTERM');
  }, intervalMs);
  watching.unref();
}

/** 128 + the signal's number, as a shell reports a process ended by it. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as Record<string, number>)[signal]!;
}
