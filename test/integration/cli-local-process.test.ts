import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { QUIVER_BIN, trackChild } from '../support/cli';

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
});
