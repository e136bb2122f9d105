import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../client/cli';
import { hostPort } from '../../../client/option-values';
import { loadConfig } from '../../../core/config';
import { ConfigError } from '../../../core/errors';

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
