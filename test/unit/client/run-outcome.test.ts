import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunView } from '../../../client/api';
import { emitCancelOutcome, emitRunOutcome } from '../../../client/commands/runs';
import { formatRun } from '../../../client/format';

/** What `emitRunOutcome` writes to stdout and stderr for one view. */
function printed(
  view: Partial<RunView>,
  json: boolean,
  stderrLine = false,
  emitter: 'run' | 'cancel' = 'run',
): { stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const full = { runId: 'quiver-iris-1', steps: [], ...view } as unknown as RunView;
  if (emitter === 'cancel') emitCancelOutcome({ json }, full);
  else emitRunOutcome({ json }, full, stderrLine);
  vi.restoreAllMocks();
  return { stdout, stderr };
}

afterEach(() => vi.restoreAllMocks());

describe('emitRunOutcome (run --wait, resume --wait, run --local)', () => {
  it('prints a failed run as an {"error"} object with the run beside it under --json', () => {
    const { stdout } = printed({ status: 'FAILED', error: "step ingest failed: line 3: 'x'" }, true);
    const out = JSON.parse(stdout) as { error: Record<string, unknown>; run: { runId: string } };
    expect(out.error).toEqual({
      type: 'RunFailedError',
      message: "run quiver-iris-1 failed: step ingest failed: line 3: 'x'",
      field: null,
    });
    expect(out.run.runId).toBe('quiver-iris-1');
  });

  it('names a cancelled run as not completed, and prints a completed run as the plain view', () => {
    const cancelled = JSON.parse(printed({ status: 'CANCELED' }, true).stdout) as {
      error: { type: string; message: string };
    };
    expect(cancelled.error).toMatchObject({
      type: 'RunNotCompletedError',
      message: 'run quiver-iris-1 was cancelled',
    });
    const completed = JSON.parse(printed({ status: 'COMPLETED' }, true).stdout) as {
      status: string;
      error?: unknown;
    };
    expect(completed.status).toBe('COMPLETED');
    expect(completed.error).toBeUndefined();
  });

  it('names a run that paused while waited for (client.wait returns it) as not completed, with the step', () => {
    const error =
      'step train paused after 2 attempt(s): disk full (fix the cause, then `quiver retry quiver-iris-1`)';
    const paused = JSON.parse(printed({ status: 'PAUSED', error }, true).stdout) as {
      error: { type: string; message: string };
    };
    expect(paused.error).toMatchObject({
      type: 'RunNotCompletedError',
      message: `run quiver-iris-1 paused: ${error}`,
    });
  });

  it("prints a paused run's retry hint once: in its error when waited for, else on a line of its own", () => {
    const error =
      'step train paused after 2 attempt(s): disk full (fix the cause, then `quiver retry quiver-iris-1`)';
    expect(printed({ status: 'PAUSED', error }, false).stdout.match(/quiver retry/g)).toHaveLength(1);
    const fromStatus = formatRun({
      runId: 'quiver-iris-1',
      steps: [],
      status: 'PAUSED',
      error: 'step train paused after 2 attempt(s): disk full',
    } as unknown as RunView);
    expect(fromStatus.match(/quiver retry/g)).toHaveLength(1);
    expect(fromStatus).toContain('paused: fix the cause, then `npx quiver retry quiver-iris-1`');
  });

  it('without --json prints the run and, when asked, the failure on stderr', () => {
    const { stderr } = printed({ status: 'FAILED', error: 'boom' }, false, true);
    expect(stderr).toBe('quiver: run quiver-iris-1 failed: boom\n');
  });
});

describe('emitCancelOutcome (cancel --wait)', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('prints a cancelled run as the plain view and exits 0', () => {
    const { stdout, stderr } = printed(
      { status: 'CANCELED', error: 'cancelled during step train' },
      true,
      false,
      'cancel',
    );
    expect(JSON.parse(stdout)).toMatchObject({ runId: 'quiver-iris-1', status: 'CANCELED' });
    expect(stderr).toBe('');
    expect(process.exitCode).toBe(0);
  });

  it('names a run that completed before the cancel reached it, with the alias its deploy moved, and exits 1', () => {
    const model = {
      name: 'iris',
      version: 3,
      alias: 'production',
      moved: true,
      aliasVersion: 3,
      cancelTooLate: true,
    };
    const out = JSON.parse(
      printed({ status: 'COMPLETED', model } as Partial<RunView>, true, false, 'cancel').stdout,
    ) as {
      error: Record<string, unknown>;
      run: { status: string };
    };
    expect(out.error).toEqual({
      type: 'CancelTooLateError',
      message:
        'run quiver-iris-1 completed before the cancel reached it: model iris version 3 → alias production',
      field: null,
    });
    expect(out.run.status).toBe('COMPLETED');
    expect(process.exitCode).toBe(1);
  });

  it('without --json prints the run, then on stderr how it ended first (a failure: its error)', () => {
    const { stdout, stderr } = printed(
      { status: 'FAILED', error: 'step validate failed: gate' },
      false,
      false,
      'cancel',
    );
    expect(stdout).toContain('quiver-iris-1');
    expect(stderr).toBe(
      'quiver: run quiver-iris-1 failed before the cancel reached it: step validate failed: gate\n',
    );
    expect(process.exitCode).toBe(1);
  });
});
