import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../client/cli';
import { errorReport } from '../../../client/exit-codes';
import { hostPort, runStatus } from '../../../client/option-values';
import { runListQuery } from '../../../client/run-list';
import { NoWorkerError } from '../../../client/worker-check';
import { loadConfig } from '../../../core/config';
import { ConfigError, TemporalUnreachableError } from '../../../core/errors';

describe('--address', () => {
  it.each([
    '127.0.0.1:7233',
    'localhost:7233',
    'temporal.internal.example.com:443',
    '[::1]:7233',
    ' h:1 ',
    // Docker and Compose service names, which their DNS resolves.
    'project_temporal_1:7233',
    'temporal_server:7233',
    'ex_ample.com:7233',
    'a-b.c:65535',
  ])('takes %s', (text) => {
    expect(hostPort(text)).toBe(text.trim());
  });

  it.each([
    '127.0.0.1:99999',
    '127.0.0.1:0',
    'notanaddress',
    'localhost:7233x',
    'http://localhost:7233',
    '',
    // A host label starts and ends with a letter, digit or `_`; a port has no leading zero.
    '-x:1',
    'x-:1',
    'a.-b:1',
    'a..b:1',
    '.a:1',
    '1.2.3.4:07233',
    '[::1]:07233',
  ])('refuses %j as bad input (exit 2), not a connection error', (text) => {
    expect(() => hostPort(text)).toThrow(InvalidArgumentError);
  });
});

describe('TEMPORAL_ADDRESS', () => {
  const saved = process.env.TEMPORAL_ADDRESS;
  afterEach(() => {
    if (saved === undefined) delete process.env.TEMPORAL_ADDRESS;
    else process.env.TEMPORAL_ADDRESS = saved;
  });

  it('is checked as --address is, naming the variable; a flag given instead wins', () => {
    expect(() => loadConfig({ TEMPORAL_ADDRESS: 'localhost' })).toThrow(ConfigError);
    expect(() => loadConfig({ TEMPORAL_ADDRESS: '-x:1' })).toThrow(/TEMPORAL_ADDRESS '-x:1'/);
    expect(loadConfig({ TEMPORAL_ADDRESS: 'project_temporal_1:7233' }).temporalAddress).toBe(
      'project_temporal_1:7233',
    );
    expect(loadConfig({}).temporalAddress).toBeUndefined();
    // An empty TEMPORAL_NAMESPACE is unset too (the server refuses an empty one as if it were away).
    expect([loadConfig({ TEMPORAL_NAMESPACE: '' }).namespace, loadConfig({}).namespace]).toEqual([
      'default',
      'default',
    ]);
    const flagged = loadConfig({ TEMPORAL_ADDRESS: 'localhost' }, { temporalAddress: '127.0.0.1:7233' });
    expect(flagged.temporalAddress).toBe('127.0.0.1:7233');
  });

  it('a bad one is bad input (exit 2) with field TEMPORAL_ADDRESS, not "no server answers"', async () => {
    process.env.TEMPORAL_ADDRESS = 'localhost';
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-address-'));
    let stdout = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    });
    process.exitCode = undefined;
    try {
      await main(['node', 'quiver', '--json', '--home', home, 'runs', 'ls']);
    } finally {
      out.mockRestore();
      fs.rmSync(home, { recursive: true, force: true });
    }
    const code = process.exitCode;
    process.exitCode = undefined;
    expect(code).toBe(2);
    const { error } = JSON.parse(stdout) as { error: { type: string; message: string; field: string } };
    expect(error.field).toBe('TEMPORAL_ADDRESS');
    expect(error.type).toBe('ConfigError');
    expect(error.message).toContain("TEMPORAL_ADDRESS 'localhost'");
    expect(error.message).toContain('Expected host:port');
  });
});

/** `quiver ARGS` in this process with `env` set for the call: its exit code and `--json` error. */
async function jsonError(args: string[], env: Record<string, string | undefined> = {}) {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  for (const [key, value] of Object.entries(env))
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-options-'));
  let stdout = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  process.exitCode = undefined;
  try {
    await main(['node', 'quiver', '--json', '--home', home, ...args]);
  } finally {
    out.mockRestore();
    fs.rmSync(home, { recursive: true, force: true });
    for (const [key, value] of Object.entries(saved))
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
  }
  const code = process.exitCode;
  process.exitCode = undefined;
  return {
    code,
    error: (JSON.parse(stdout) as { error: { type: string; message: string; field: string | null } }).error,
  };
}

describe('--status', () => {
  it.each([
    ['cancelled', 'CANCELED'],
    ['Canceled', 'CANCELED'],
    ['CANCELLED', 'CANCELED'],
    ['timed-out', 'TIMED_OUT'],
    ['timed_out', 'TIMED_OUT'],
    ['TimedOut', 'TIMED_OUT'],
    ['waiting-approval', 'WAITING_APPROVAL'],
    [' running ', 'RUNNING'],
  ])('reads %j as the server spells it, %s', (text, status) => {
    expect(runStatus(text)).toBe(status);
    expect(runListQuery({ status: text })).toBe(runListQuery({ status }));
  });

  it.each(['DONE', 'continued-as-new', 'cancel', ''])('refuses %j listing the statuses', (text) => {
    expect(() => runStatus(text)).toThrow(
      'Expected one of RUNNING, PAUSED, WAITING_APPROVAL, COMPLETED, FAILED, CANCELED, TERMINATED, TIMED_OUT.',
    );
  });

  it('runs ls --status cancelled gets past the option parser to the server (none here: exit 3)', async () => {
    const { code, error } = await jsonError([
      '--address',
      '127.0.0.1:1',
      'runs',
      'ls',
      '--status',
      'cancelled',
    ]);
    expect([code, error.type]).toEqual([3, 'TemporalUnreachableError']);
  });
});

describe('an unreachable Temporal server in --json', () => {
  it('names --address as the field when the flag gave the address', async () => {
    const { code, error } = await jsonError(['--address', '127.0.0.1:1', 'runs', 'ls'], {
      TEMPORAL_ADDRESS: '127.0.0.1:2',
    });
    expect(code).toBe(3);
    expect(error).toEqual({
      type: 'TemporalUnreachableError',
      message:
        'no Temporal server answers at 127.0.0.1:1 (--address): check it, or start one with `npx quiver up`',
      field: '--address',
    });
  });

  it('names TEMPORAL_ADDRESS when the environment gave it', async () => {
    const { code, error } = await jsonError(['runs', 'ls'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(code).toBe(3);
    expect(error).toMatchObject({ type: 'TemporalUnreachableError', field: 'TEMPORAL_ADDRESS' });
    expect(error.message).toContain('at 127.0.0.1:1 (TEMPORAL_ADDRESS)');
  });

  it('names --address, the flag that picks a server, when neither gave one (the local default)', async () => {
    const { code, error } = await jsonError(['runs', 'ls'], {
      TEMPORAL_ADDRESS: undefined,
      QUIVER_TEMPORAL_PORT: '1',
    });
    expect(code).toBe(3);
    expect(error).toEqual({
      type: 'TemporalUnreachableError',
      message:
        'no Temporal server answers at 127.0.0.1:1: start one with `npx quiver up`, or point --address or TEMPORAL_ADDRESS at one',
      field: '--address',
    });
  });

  it('fills the field for a server that stops answering mid-command, never for a missing worker', () => {
    const unavailable = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });
    expect(errorReport(unavailable, 'TEMPORAL_ADDRESS').field).toBe('TEMPORAL_ADDRESS');
    expect(errorReport(new TemporalUnreachableError('no answer'), '--address').field).toBe('--address');
    expect(
      errorReport(new TemporalUnreachableError('no answer', { field: 'TEMPORAL_ADDRESS' }), '--address')
        .field,
    ).toBe('TEMPORAL_ADDRESS');
    expect(errorReport(new NoWorkerError('no worker polls quiver-cpu'), '--address').field).toBeNull();
  });

  it("is one class: the library's is the CLI's", async () => {
    const library = await import('../../../client/library');
    expect(library.TemporalUnreachableError).toBe(TemporalUnreachableError);
  });
});
