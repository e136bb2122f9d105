import fs from 'node:fs';
import path from 'node:path';
import { RunNotFoundError, SpecError } from '../core/errors';
import { RunClosedError, type RunView } from './api';
import type { RunRecords } from './run-records';

/** The signals that stop a local run: Ctrl-C, `kill`, a closed terminal. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type StopSignal = (typeof STOP_SIGNALS)[number];
const SIGNAL_NUMBERS: Record<StopSignal, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** The file beside a running local run's record naming the process that runs it (`cancel` signals it). */
export function localRunPidFile(records: RunRecords, runId: string): string {
  return path.join(records.dir, `${runId.replace(/:/g, '_')}.pid`);
}

/**
 * Marks a running local run cancelled at `at`: status `CANCELED`, `closedAt`, an `error` saying how,
 * and its running step `cancelled` (pending steps stay pending; completed ones keep their checkpoints).
 */
export function markCancelled(view: RunView, how: string, at = new Date()): RunView {
  const when = at.toISOString();
  view.status = 'CANCELED';
  view.closedAt = when;
  view.error = `cancelled (${how}) at ${when}`;
  for (const step of view.steps)
    if (step.status === 'running') Object.assign(step, { status: 'cancelled', error: view.error });
  return view;
}

/** Writes a record synchronously: used while the process is about to exit on a signal. */
function saveNow(records: RunRecords, view: RunView): void {
  fs.mkdirSync(records.dir, { recursive: true });
  const file = path.join(records.dir, `${view.runId.replace(/:/g, '_')}.json`);
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(view, null, 2));
  fs.renameSync(temp, file);
}

/**
 * While a local run executes in this process: writes its pid file, and on SIGINT, SIGTERM or SIGHUP
 * marks the record `CANCELED` (with the time), calls `onStop` (one line for the user) and exits with
 * 128 + the signal's number, so no record stays `RUNNING` forever. Returns the function that undoes it.
 */
export function cancelOnSignal(
  records: RunRecords,
  view: RunView,
  onStop: (view: RunView, signal: StopSignal) => void,
): () => void {
  const pidFile = localRunPidFile(records, view.runId);
  fs.mkdirSync(records.dir, { recursive: true });
  fs.writeFileSync(pidFile, String(process.pid));
  const handlers = STOP_SIGNALS.map((signal) => {
    const handler = () => {
      markCancelled(view, signal);
      saveNow(records, view);
      fs.rmSync(pidFile, { force: true });
      onStop(view, signal);
      process.exit(128 + SIGNAL_NUMBERS[signal]);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    fs.rmSync(pidFile, { force: true });
  };
}

/** The pid a pid file names, or 0 when there is none (a run recorded before pid files, or gone). */
function readPid(file: string): number {
  try {
    return Number(fs.readFileSync(file, 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

/**
 * Whether process `pid` exists (signal 0 checks without sending anything) and, where /proc tells,
 * still runs Quiver: a pid file left by a run killed with -9 may name a pid reused by another program.
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('quiver');
  } catch {
    return true; // no /proc (macOS): the signal check is all there is
  }
}

/**
 * `quiver cancel local-…`: sends SIGTERM to the process running the local run (its pid file), which
 * records the run `CANCELED` and exits; waits up to `waitMs` for the record to say so. A run whose
 * process is gone (killed with -9, machine restarted) is marked `CANCELED` here.
 *
 * @throws RunNotFoundError with no record; RunClosedError (exit 1, as for a durable run) for a closed
 *   run; SpecError (exit 2) for a run whose process does not stop, saying how: Ctrl-C in its terminal
 */
export async function cancelLocalRun(records: RunRecords, runId: string, waitMs = 15_000): Promise<RunView> {
  const view = await records.load(runId);
  if (!view) throw new RunNotFoundError(`run '${runId}' not found: no local run record under ${records.dir}`);
  if (view.status !== 'RUNNING')
    throw new RunClosedError(`run ${runId} already closed as ${view.status}: nothing to cancel`, view.status);
  const pid = readPid(localRunPidFile(records, runId));
  if (!(pid > 0) || !alive(pid)) {
    const cancelled = markCancelled(view, 'its process had already gone');
    await records.save(cancelled);
    fs.rmSync(localRunPidFile(records, runId), { force: true });
    return cancelled;
  }
  process.kill(pid, 'SIGTERM');
  for (const deadline = Date.now() + waitMs; Date.now() < deadline;) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = await records.load(runId);
    if (now && now.status !== 'RUNNING') return now;
  }
  throw new SpecError(
    `local run '${runId}' (process ${pid}) did not stop within ${waitMs / 1000}s of SIGTERM: ` +
      `press Ctrl-C in its terminal, or \`kill ${pid}\``,
    [{ path: 'RUN', message: 'did not stop' }],
  );
}
