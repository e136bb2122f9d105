import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { QUIVER_BIN } from '../../support/cli';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS build script
const { buildCli } = require('../../../infra/build-cli') as { buildCli(): Promise<boolean> };
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS build script
const { bundleFile } = require('../../../infra/cli-bundle') as { bundleFile: string };
const TRACE = path.resolve(__dirname, '..', '..', 'support', 'module-trace.cjs');

/** Runs `node [-r trace] FILE ARGS`: its output and the npm packages it loaded. */
function node(file: string, args: string[]) {
  const result = spawnSync(process.execPath, ['-r', TRACE, file, ...args], {
    encoding: 'utf8',
    env: { ...process.env, QUIVER_FROM_SOURCE: '' },
  });
  const line = /\[loaded-packages\] (.*)\n/.exec(result.stderr)?.[1] ?? '';
  return { code: result.status, stdout: result.stdout, packages: line.split(',').filter(Boolean) };
}

describe('--help and --version from build-time text', () => {
  beforeAll(async () => {
    await buildCli();
  }, 60_000);

  it.each([['--help'], ['-h'], ['--version'], ['-V']])(
    'quiver %s prints what the bundle prints, loading no package at all',
    (flag) => {
      const fast = node(QUIVER_BIN, [flag]);
      const bundled = node(bundleFile, [flag]);
      expect(fast.code).toBe(0);
      expect(fast.stdout).toBe(bundled.stdout);
      expect(fast.packages).toEqual([]);
      expect(bundled.packages).toContain('commander'); // the bundle path does load the CLI
    },
  );

  it('answers a command’s own help from the text too, and leaves any other argument list to the bundle', () => {
    const help = node(QUIVER_BIN, ['status', '--help']);
    expect(help.stdout).toBe(node(bundleFile, ['status', '--help']).stdout);
    expect(help.packages).toEqual([]);
    const other = node(QUIVER_BIN, ['status', 'some-run', '--help']);
    expect(other.stdout).toContain('Usage: quiver status');
    expect(other.packages).toContain('commander');
  });
});
