import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../client/api';
import { QUIVER_BIN, trackChild } from '../support/cli';
import { patient } from '../support/patience';

const DATA = path.resolve(__dirname, '..', '..', 'data', 'iris.csv');

/** `quiver ARGS` as a user types it in `cwd`, with no Temporal server anywhere (port 1). */
function quiverIn(cwd: string, home: string, args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.QUIVER_STORE; // the store under `home`
  const child = trackChild(
    spawn(process.execPath, [QUIVER_BIN, '--home', home, '--address', '127.0.0.1:1', ...args], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, closed, output: () => stdout + stderr };
}

/** A probe's verdict that waiting longer cannot change. */
class Ended extends Error {}

/** Polls `probe` until it stops throwing (a record on disk is read as the run writes it). */
async function eventually<T>(probe: () => T, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + patient(timeoutMs);
  for (;;) {
    try {
      return probe();
    } catch (error) {
      if (error instanceof Ended || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

describe('run --local as a process, from any folder', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-local-cwd-'));
  const home = path.join(work, 'home');
  fs.writeFileSync(
    path.join(work, 'tiny.yaml'),
    `name: tiny-cwd\nsource: { uri: ${JSON.stringify(DATA)} }\ntarget: { column: species }\n` +
      `train: { epochs: 2, hiddenUnits: [4] }\nvalidate: { min: { accuracy: 0.0 } }\n`,
  );
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('trains from a folder other than the repo root (the training thread finds tsx itself)', async () => {
    const run = quiverIn(work, home, ['run', 'tiny.yaml', '--local', '--json']);
    const result = await run.closed;
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { status: string }).status).toBe('COMPLETED');
  }, 240_000);

  /** Starts a long local run; resolves once its record shows it training, ingest and sanity done. */
  async function trainingRun(name: string) {
    const run = quiverIn(work, home, [
      'run',
      'tiny.yaml',
      '--local',
      '--set',
      `name=${name}`,
      '--set',
      'train.epochs=10000',
    ]);
    const alive = () => {
      if (run.child.exitCode !== null)
        throw new Ended(`the run exited (${run.child.exitCode}):\n${run.output()}`);
    };
    const runId = await eventually(() => {
      alive();
      const id = /local run (local-\S+) started/.exec(run.output())?.[1];
      if (!id) throw new Error(`no run id printed yet:\n${run.output()}`);
      return id;
    }, 120_000);
    const record = () =>
      JSON.parse(fs.readFileSync(path.join(home, 'runs', `${runId}.json`), 'utf8')) as RunView;
    await eventually(() => {
      alive();
      const steps = Object.fromEntries(record().steps.map((s) => [s.name, s.status]));
      // The record keeps up while the run runs: `status` reads it.
      expect(steps).toMatchObject({
        ingest: 'completed',
        sanity: 'completed',
        features: 'completed',
        train: 'running',
      });
    }, 120_000);
    return { run, runId, record };
  }

  it('Ctrl-C (SIGINT) of a local run marks its record CANCELED with the time and says so in one line', async () => {
    const { run, runId, record } = await trainingRun('tiny-sigint');
    run.child.kill('SIGINT');
    const result = await run.closed;
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `quiver: local run ${runId} cancelled by SIGINT; its record says CANCELED`,
    );
    const view = record();
    expect(view.status).toBe('CANCELED');
    expect(view.closedAt).toEqual(expect.any(String));
    expect(view.steps.find((s) => s.name === 'train')?.status).toBe('cancelled');
    expect(view.steps.find((s) => s.name === 'ingest')?.status).toBe('completed');
  }, 300_000);

  it('`quiver cancel local-…` stops a running local run; its status then reads CANCELED', async () => {
    const { run, runId } = await trainingRun('tiny-cancel');
    const cancel = await quiverIn(work, home, ['cancel', runId, '--json']).closed;
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(JSON.parse(cancel.stdout)).toMatchObject({ runId, status: 'CANCELED' });
    expect((await run.closed).code).not.toBe(0);
    const status = await quiverIn(work, home, ['status', runId, '--json']).closed;
    expect(status.code).toBe(1);
    expect((JSON.parse(status.stdout) as RunView).status).toBe('CANCELED');
    // Cancelling it again fails as for a durable run (exit 1), saying why.
    const again = await quiverIn(work, home, ['cancel', runId]).closed;
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`run ${runId} already closed as CANCELED: nothing to cancel`);
    // With --wait, as for a durable run: the run ended as asked, so exit 0 and the run as it ended.
    const waited = await quiverIn(work, home, ['cancel', runId, '--wait', '--json']).closed;
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stderr).toContain(`run ${runId} was already cancelled`);
    expect(JSON.parse(waited.stdout)).toMatchObject({ runId, status: 'CANCELED' });
  }, 300_000);

  it('`quiver cancel local-… --wait` prints the cancelled run (exit 0); of a completed run, exit 1', async () => {
    const { run, runId } = await trainingRun('tiny-cancel-wait');
    const cancel = await quiverIn(work, home, ['cancel', runId, '--wait']).closed;
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toContain(`run ${runId}`);
    expect(cancel.stdout).toContain('CANCELED');
    expect((await run.closed).code).not.toBe(0);
    const done = quiverIn(work, home, ['run', 'tiny.yaml', '--local', '--json']);
    const finished = await done.closed;
    expect(finished.code, finished.stderr).toBe(0);
    const completed = (JSON.parse(finished.stdout) as RunView).runId;
    const late = await quiverIn(work, home, ['cancel', completed, '--wait', '--json']).closed;
    expect(late.code).toBe(1);
    expect(JSON.parse(late.stdout)).toMatchObject({ error: { type: 'RunClosedError' } });
  }, 300_000);
});
