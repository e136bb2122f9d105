import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { QUIVER_BIN } from '../../support/cli';
import { OVERLAP_NAMES } from '../../../client/commands/schedule';
import { OVERLAP_POLICIES } from '../../../client/schedules';
import { EXIT_CODES } from '../../../client/exit-codes';
import { buildProgram } from '../../../client/cli';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS build scripts
const bundle = require('../../../infra/cli-bundle') as {
  bundleServes(args: string[]): boolean;
  bundleIsCurrent(): boolean;
  commandWords(args: string[]): string[];
  answerFromText(
    args: string[],
    stdout: { isTTY?: boolean; columns?: number; write(s: string): void },
  ): boolean;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS build scripts
const { buildCli } = require('../../../infra/build-cli') as { buildCli(): Promise<boolean> };

const TRACE = path.resolve(__dirname, '..', '..', 'support', 'module-trace.cjs');
const HEAVY = ['@temporalio/', '@tensorflow/', 'apache-arrow', 'fastify', 'yaml', 'zod', 'tsx'];
/** What `status` and `runs ls` read without (client/temporal-read.ts). */
const READ_PATH_EXCLUDES = [
  '@temporalio/client',
  '@temporalio/proto',
  '@grpc/',
  '@tensorflow/',
  'apache-arrow',
  'yaml',
  'zod',
  'tsx',
];
const VERSION = (require('../../../package.json') as { version: string }).version; // eslint-disable-line @typescript-eslint/no-require-imports

/** Runs `quiver ARGS`, returning its exit code, output and the npm packages it loaded. */
function quiver(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, ['-r', TRACE, QUIVER_BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  const line = /\[loaded-packages\] (.*)\n/.exec(result.stderr)?.[1] ?? '';
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, packages: line.split(',') };
}

describe('the compiled CLI', () => {
  beforeAll(async () => {
    await buildCli();
  }, 60_000);

  it('is current after a build, and serves client-side commands only', () => {
    expect(bundle.bundleIsCurrent()).toBe(true);
    expect(bundle.commandWords(['--address', 'h:1', 'status', 'r1', '--json'])).toEqual(['status', 'r1']);
    for (const args of [[], ['--help'], ['--version'], ['status', 'r1'], ['runs', 'ls'], ['run', 'x.yaml']])
      expect(bundle.bundleServes(args), args.join(' ')).toBe(true);
    for (const args of [
      ['up'],
      ['demo'],
      ['worker'],
      ['serve'],
      ['run', 'x.yaml', '--local'],
      ['models', 'export', 'm'],
    ])
      expect(bundle.bundleServes(args), args.join(' ')).toBe(false);
  });

  it.each([['--help'], ['--version']])(
    'answers %s loading no Temporal, TensorFlow.js, Arrow or fastify',
    (flag) => {
      const result = quiver([flag]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(flag === '--help' ? 'Exit codes' : VERSION);
      expect(result.packages.filter((p) => HEAVY.some((h) => p.startsWith(h)))).toEqual([]);
    },
  );

  it('answers status and runs ls without the Temporal client, grpc-js or the full Temporal schema', () => {
    const env = { TEMPORAL_ADDRESS: inject('temporalAddress'), QUIVER_HOME: os.tmpdir() };
    const listed = quiver(['--json', 'runs', 'ls', '--limit', '1'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(Array.isArray(JSON.parse(listed.stdout))).toBe(true);
    const missing = quiver(['--json', 'status', 'no-such-run'], env);
    expect(JSON.parse(missing.stdout).error.message).toBe("run 'no-such-run' not found");
    for (const { packages } of [listed, missing])
      expect(packages.filter((p) => READ_PATH_EXCLUDES.some((h) => p.startsWith(h)))).toEqual([]);
  });

  it.each([
    [['run', '--help'], 'run'],
    [['runs', 'ls', '-h'], 'runs ls'],
    [['help', 'schedule'], 'schedule'],
    [['help', 'models', 'ls'], 'models ls'],
    [['schedule', 'create', '--help'], 'schedule create'],
    [['up', '--help'], 'up'],
  ])('answers %j with the help the source prints, loading no package at all', (args, command) => {
    const fast = quiver(args);
    expect(fast.code, fast.stderr).toBe(0);
    expect(fast.packages.filter(Boolean)).toEqual([]);
    const source = quiver(args, { QUIVER_FROM_SOURCE: '1' });
    expect(fast.stdout).toBe(source.stdout);
    expect(fast.stdout).toContain(`Usage: quiver ${command}`);
  });

  it('answers help from its 80-column text only where commander too wraps at 80 columns', () => {
    const output = (isTTY: boolean, columns?: number) => {
      const written: string[] = [];
      return { isTTY, columns, written, write: (s: string) => void written.push(s) };
    };
    for (const stdout of [output(false), output(true, 80)]) {
      expect(bundle.answerFromText(['run', '--help'], stdout)).toBe(true);
      expect(stdout.written.join('')).toContain('Usage: quiver run');
    }
    // A wider or narrower terminal: commander wraps to its width, so the bundle answers.
    for (const columns of [120, 50]) {
      const tty = output(true, columns);
      expect(bundle.answerFromText(['--help'], tty)).toBe(false);
      expect(bundle.answerFromText(['help', 'run'], tty)).toBe(false);
      expect(tty.written).toEqual([]);
      expect(bundle.answerFromText(['--version'], tty)).toBe(true); // no wrapping to differ
    }
  });

  it('says `help nosuch` names an unknown command, through the bundle as from source', () => {
    const fast = quiver(['help', 'nosuch']);
    const source = quiver(['help', 'nosuch'], { QUIVER_FROM_SOURCE: '1' });
    for (const result of [fast, source]) {
      expect(result.code).toBe(EXIT_CODES.badInput);
      expect(result.stderr).toMatch(/^quiver: unknown command 'nosuch'\n\nUsage: quiver /);
    }
    const withoutTrace = (text: string) => text.replace(/\[loaded-packages\].*\n/, '');
    expect(withoutTrace(fast.stderr)).toBe(withoutTrace(source.stderr));
  });

  it('records every subcommand’s help, and answers only a bare help request from it', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the file the build wrote
    const recorded = require('../../../dist/quiver-text.json') as { commands: Record<string, string> };
    const names: string[] = [];
    const walk = (command: { commands: readonly unknown[] }, prefix: string) => {
      for (const sub of command.commands as { name(): string; commands: readonly unknown[] }[]) {
        names.push(prefix ? `${prefix} ${sub.name()}` : sub.name());
        walk(sub, names.at(-1)!);
      }
    };
    walk(buildProgram(['node', 'quiver']), '');
    expect(Object.keys(recorded.commands).sort()).toEqual(names.sort());
    // Anything beyond the command and its help flag goes through the CLI itself (it loads commander).
    for (const args of [
      ['run', 'x.yaml', '--help'],
      ['--json', 'run', '--help'],
      ['nosuch', '--help'],
      ['help', 'nosuch'],
      ['help', 'models', 'nosuch'],
    ])
      expect(quiver(args).packages, args.join(' ')).toContain('commander');
  });

  it('answers --help from source too (tsx), loading none of the heavy packages but tsx', () => {
    const result = quiver(['--help'], { QUIVER_FROM_SOURCE: '1' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.packages.filter((p) => HEAVY.some((h) => p.startsWith(h)) && p !== 'tsx')).toEqual([]);
  });
});

describe('CLI errors and exit codes', () => {
  it('prints bad input as JSON with the field, exit 2', () => {
    const result = quiver(['--json', 'runs', 'ls', '--limit', '0']);
    expect(result.code).toBe(EXIT_CODES.badInput);
    expect(JSON.parse(result.stdout)).toEqual({
      error: {
        type: 'UsageError',
        message: "option '--limit <n>' argument '0' is invalid. Expected a positive integer.",
        field: '--limit',
      },
    });
  });

  it('prints usage errors as JSON, exit 2', () => {
    const result = quiver(['--json', 'frobnicate']);
    expect(result.code).toBe(EXIT_CODES.badInput);
    expect(JSON.parse(result.stdout).error).toMatchObject({ type: 'UsageError', field: null });
    expect(JSON.parse(result.stdout).error.message).toContain("unknown command 'frobnicate'");
  });

  it('exits 3 when no Temporal server answers', () => {
    const result = quiver(['--json', '--address', '127.0.0.1:1', 'status', 'some-run']);
    expect(result.code).toBe(EXIT_CODES.unreachable);
    expect(JSON.parse(result.stdout).error.type).toBe('TemporalUnreachableError');
  });

  it('says the same in words without --json, on stderr', () => {
    const result = quiver(['--address', '127.0.0.1:1', 'runs', 'ls']);
    expect(result.code).toBe(EXIT_CODES.unreachable);
    expect(result.stdout).toBe('');
    // Where the address came from, so the fix is made there.
    expect(result.stderr).toContain(
      'quiver: no Temporal server answers at 127.0.0.1:1 (--address): check it',
    );
  });
});

describe('schedule --overlap names', () => {
  it('match the policies the schedules module maps', () => {
    expect([...OVERLAP_NAMES].sort()).toEqual(Object.keys(OVERLAP_POLICIES).sort());
  });
});
