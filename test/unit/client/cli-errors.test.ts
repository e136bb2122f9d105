import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../../client/api';
import { cell, exportFormatOf } from '../../../client/commands/checkpoints';
import { ensureWritableHome } from '../../../client/local-run-home';
import { missingVulkanDriver } from '../../../core/model/backend';
import { temporalUiUrl } from '../../../infra/ports';
import { newLocalView } from '../../../client/local-run';
import { RunRecords } from '../../../client/run-records';
import { loadSpecFile } from '../../../core/spec/load';
import { QUIVER_BIN } from '../../support/cli';
import { IRIS_SPEC } from '../../support/pipeline-env';
import { cliOffline } from '../../support/cli-offline';

const cli = cliOffline;

describe('CLI errors and exit codes, with no Temporal server', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-cli-errors-'));
  const { spec } = loadSpecFile(IRIS_SPEC);
  const failed: RunView = {
    ...newLocalView(spec, 'local-iris-failed'),
    status: 'FAILED',
    error: 'step ingest failed: DataError: boom',
    closedAt: new Date().toISOString(),
  };
  const completed: RunView = {
    ...newLocalView(spec, 'local-iris-done'),
    status: 'COMPLETED',
    closedAt: new Date().toISOString(),
  };
  const sha = 'ab'.repeat(32);
  completed.steps[0] = {
    ...completed.steps[0],
    status: 'completed',
    outputs: { data: { uri: `file:///x/${sha}.arrow`, sha256: sha, rows: 150, bytes: 4096 } },
  };
  const storeVar = process.env.QUIVER_STORE;
  // Every step before deploy completed: what `step run deploy --from` needs.
  const validated: RunView = {
    ...completed,
    runId: 'local-iris-validated',
    steps: completed.steps.map((step) =>
      step.name === 'deploy' ? step : { ...step, status: 'completed', outputs: completed.steps[0].outputs },
    ),
  };

  beforeAll(async () => {
    delete process.env.QUIVER_STORE; // the store under `home`
    await RunRecords.at(home).save(failed);
    await RunRecords.at(home).save(completed);
    await RunRecords.at(home).save(validated);
  });
  afterAll(() => {
    if (storeVar !== undefined) process.env.QUIVER_STORE = storeVar;
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('status of a failed local run exits 1, of a completed one 0', async () => {
    const bad = await cli(home, 'status', 'local-iris-failed');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('FAILED');
    expect((await cli(home, 'status', 'local-iris-done', '--json')).code).toBe(0);
  });

  it('an unknown run is "not found", exit 2, for every command that reads runs', async () => {
    for (const args of [
      ['status', 'local-nope'],
      ['checkpoints', 'ls', 'local-nope'],
      ['report', 'local-nope'],
      ['runs', 'compare', 'local-iris-done', 'local-nope'],
    ]) {
      const result = await cli(home, ...args, '--json');
      expect(result.code, args.join(' ')).toBe(2);
      expect(JSON.parse(result.stdout)).toEqual({
        error: {
          type: 'RunNotFoundError',
          message: expect.stringContaining("run 'local-nope' not found") as string,
          field: null,
        },
      });
    }
  });

  it("lists a local run's checkpoints from its record, with no server", async () => {
    const result = await cli(home, 'checkpoints', 'ls', 'local-iris-done', '--json');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([
      { step: 'ingest', output: 'data', uri: `file:///x/${sha}.arrow`, sha256: sha, rows: 150, bytes: 4096 },
    ]);
  });

  it('resume and replay of a local run say they need Temporal, exit 2; gc exits 3', async () => {
    const resume = await cli(home, 'resume', 'local-iris-done', '--plan');
    expect(resume.code).toBe(2);
    expect(resume.stderr).toContain("resume of local run 'local-iris-done' needs a Temporal server");
    expect(resume.stderr).toContain('quiver run SPEC --local');
    expect(resume.stderr).toMatch(/^quiver: resume of local run/);
    const replay = await cli(home, 'replay', 'local-iris-done', '--from', 'train', '--plan');
    expect(replay.stderr).toMatch(/^quiver: replay of local run/);
    const unknown = await cli(home, 'resume', 'local-iris-nope', '--json');
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout)).toMatchObject({ error: { type: 'RunNotFoundError' } });
    // Usage errors carry the same prefix as every other error, not commander's `error:`.
    const usage = await cli(home, 'resume', 'local-iris-done', '--from', 'train');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^quiver: unknown option '--from'/);
    const gc = await cli(home, 'checkpoints', 'gc', '--dry-run');
    expect(gc.code).toBe(3);
    expect(gc.stderr).toContain('checkpoints gc must ask Temporal which checkpoints every run');
    const age = await cli(home, 'checkpoints', 'gc', '--older-than', 'soon', '--json');
    expect(age.code).toBe(2);
    expect(JSON.parse(age.stdout)).toMatchObject({ error: { type: 'SpecError', field: '--older-than' } });
  });

  it('step run deploy refuses without --allow-deploy, saying what it would do', async () => {
    const result = await cli(home, 'step', 'run', 'deploy', '--from', 'local-iris-validated');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "step run deploy would register a new version of model 'iris' from local-iris-validated's trained model and move its alias 'production'",
    );
    expect(result.stderr).toContain('--allow-deploy');
  });

  it('a missing spec file is named, exit 2, with no ENOENT', async () => {
    const result = await cli(home, 'run', 'no/such/spec.yaml', '--local');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("quiver: spec file not found: 'no/such/spec.yaml'\n");
  });

  it('a --set value that is not YAML is a literal string; an unclosed list is a SpecError, exit 2', async () => {
    const list = await cli(home, 'run', IRIS_SPEC, '--local', '--set', 'name=[x', '--json');
    expect(list.code).toBe(2);
    expect(JSON.parse(list.stdout)).toEqual({
      error: {
        type: 'SpecError',
        message:
          "--set 'name=[x': the value does not parse as a YAML list or map: Flow sequence must end with a ]",
        field: 'name',
      },
    });
    // `;;` is taken as text and judged by the spec (one character), not a YAML parse crash.
    const text = await cli(home, 'run', IRIS_SPEC, '--local', '--set', 'source.delimiter=;;', '--json');
    expect(text.code).toBe(2);
    expect(JSON.parse(text.stdout)).toMatchObject({
      error: { type: 'SpecError', field: 'source.delimiter' },
    });
    const comma = await cli(
      home,
      'run',
      IRIS_SPEC,
      '--local',
      '--set',
      'source.delimiter=,',
      '--set',
      'name=',
    );
    expect(comma.stderr).not.toContain('YAMLParseError');
    expect(comma.stderr).toContain('name');
    expect(comma.code).toBe(2);
  });

  it('every numeric option is checked before the command runs: exit 2 naming the option and the value', async () => {
    for (const [option, value, ...args] of [
      ['--head', 'abc', 'checkpoints', 'show', sha],
      ['--head', '-1', 'checkpoints', 'show', sha],
      ['--head', '1.5', 'step', 'run', 'train', '--from', 'local-iris-done'],
      ['--limit', '0', 'runs', 'ls'],
      ['--limit', 'x', 'monitor', 'status', 'm'],
      ['--psi', '-2', 'monitor', 'create', 'm', '--every', '1h'],
      ['--linf', 'abc', 'monitor', 'create', 'm', '--every', '1h'],
      ['--min-rows', '1.5', 'monitor', 'create', 'm', '--every', '1h'],
      ['--min-feedback', '0', 'monitor', 'create', 'm', '--every', '1h'],
      ['--port', '70000', 'serve'],
      ['--reload-interval', '0', 'serve'],
      ['--concurrency', '0', 'worker', '--queue', 'gpu'],
      ['--metrics-port', 'x', 'status', 'local-iris-done'],
    ]) {
      const what = `${args.join(' ')} ${option} ${value}`;
      const result = await cli(home, ...args, `${option}=${value}`, '--json');
      expect(result.code, what).toBe(2);
      const { error } = JSON.parse(result.stdout) as { error: { message: string; field: string } };
      expect(error.field, what).toBe(option);
      expect(error.message, what).toContain(`option '${option} <`);
      expect(error.message, what).toContain(`argument '${value}' is invalid. Expected`);
      const human = await cli(home, ...args, `${option}=${value}`);
      expect(human.code, what).toBe(2);
      expect(human.stderr, what).toMatch(new RegExp(`^quiver: option '${option} <\\w+>' argument '`));
    }
  });

  it('help of an unknown command says so, exit 2, as the unknown command itself does', async () => {
    const human = await cli(home, 'help', 'nosuch');
    expect(human.code).toBe(2);
    expect(human.stderr).toMatch(/^quiver: unknown command 'nosuch'\n\nUsage: quiver /);
    expect(human.stdout).toBe('');
    const json = await cli(home, '--json', 'help', 'nosuch');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { type: 'UsageError', message: "unknown command 'nosuch'", field: null },
    });
    expect(json.stderr).toBe('');
    const known = await cli(home, 'help', 'run');
    expect(known.code).toBe(0);
    expect(known.stdout).toMatch(/^Usage: quiver run /);
  });

  it('an address where an HTTP/1 server listens (the Web UI port) says so, exit 3, not "Protocol error"', async () => {
    const ui = http.createServer((_request, response) => response.end('<html>Temporal UI</html>'));
    await new Promise<void>((resolve) => ui.listen(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(ui.address() as net.AddressInfo).port}`;
    try {
      for (const args of [
        ['runs', 'ls'],
        ['status', 'some-run'],
      ]) {
        const result = await cli(home, '--json', '--address', address, ...args);
        expect(result.code, args.join(' ')).toBe(3);
        const { error } = JSON.parse(result.stdout) as {
          error: { type: string; message: string; field: string };
        };
        expect(error.type).toBe('TemporalUnreachableError');
        expect(error.field).toBe('--address');
        expect(error.message).toContain(
          `something listens on ${address} but it does not answer as a Temporal frontend`,
        );
        expect(error.message).toContain("gRPC port (7233 by default; not its UI's)");
      }
    } finally {
      ui.close();
    }
  });

  it('a bad worker setting stops worker, up and demo before any server is looked for: exit 2, naming it', async () => {
    for (const [name, value] of [
      ['QUIVER_WORKFLOW_STACK_TRACES', 'maybe'],
      ['QUIVER_WORKFLOW_CALL_TIMEOUT', 'bogus'],
    ] as const) {
      const before = process.env[name];
      process.env[name] = value;
      try {
        for (const command of [['worker'], ['up'], ['demo', '--exit']]) {
          const result = await cli(home, '--json', ...command);
          expect(result.code, `${name} ${command[0]}`).toBe(2);
          expect(JSON.parse(result.stdout).error).toMatchObject({ type: 'ConfigError', field: name });
          expect(result.stderr, command[0]).not.toContain('dev server');
        }
      } finally {
        if (before === undefined) delete process.env[name];
        else process.env[name] = before;
      }
    }
  });

  it('usage errors name the option or argument they are about in --json field', async () => {
    const cases: [string[], string | null][] = [
      [['models', 'promote', 'iris', '1'], '--alias'],
      [['models', 'promote', 'iris', '1', '--alias'], '--alias'],
      [['runs', 'ls', '--bogus'], '--bogus'],
      [['status'], 'RUN'],
      [['status', 'a', 'b'], null],
    ];
    for (const [args, field] of cases) {
      const result = await cli(home, '--json', ...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(JSON.parse(result.stdout).error, args.join(' ')).toMatchObject({ type: 'UsageError', field });
    }
  });

  it('serve on a port in use or an address this host lacks is bad input naming the flag, exit 2', async () => {
    // Holds the port and never answers, as a gRPC server (Temporal's frontend) does an HTTP request.
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    try {
      const port = String((holder.address() as net.AddressInfo).port);
      const taken = await cli(home, 'serve', '--port', port, '--json');
      expect(taken.code, taken.stdout + taken.stderr).toBe(2);
      expect(JSON.parse(taken.stdout)).toEqual({
        error: {
          type: 'ConfigError',
          message: `port ${port} on 127.0.0.1 is in use by another process: pick a free one with --port (--port 0 takes any free port)`,
          field: '--port',
        },
      });
      // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never an address of this machine.
      const host = await cli(home, 'serve', '--port', '0', '--host', '192.0.2.1', '--json');
      expect(host.code, host.stdout + host.stderr).toBe(2);
      expect(JSON.parse(host.stdout)).toMatchObject({ error: { type: 'ConfigError', field: '--host' } });
    } finally {
      holder.close();
    }
  });

  it('serve says the port is another quiver serve only when that one answers as one', async () => {
    const { buildModelServer } = await import('../../../core/serving/server');
    const store = `file://${path.join(home, 'checkpoints')}`;
    const other = await buildModelServer({ home, store, reloadIntervalMs: 60_000 });
    // Another HTTP server, answering every path with a health-like body: not a quiver serve.
    const plain = http.createServer((_request, response) => response.end('{"status":"ok"}'));
    try {
      const url = new URL(await other.app.listen({ port: 0, host: '127.0.0.1' }));
      const ours = await cli(home, 'serve', '--port', url.port, '--json');
      expect(ours.code, ours.stdout + ours.stderr).toBe(2);
      expect(JSON.parse(ours.stdout)).toEqual({
        error: {
          type: 'ConfigError',
          message: `port ${url.port} on 127.0.0.1 is in use by another \`quiver serve\` (its /readyz answered): stop it, or pick another port with --port`,
          field: '--port',
        },
      });
      await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
      const port = String((plain.address() as net.AddressInfo).port);
      const theirs = await cli(home, 'serve', '--port', port, '--json');
      expect(theirs.code, theirs.stdout + theirs.stderr).toBe(2);
      expect(JSON.parse(theirs.stdout)).toMatchObject({
        error: {
          message: `port ${port} on 127.0.0.1 is in use by another process: pick a free one with --port (--port 0 takes any free port)`,
        },
      });
    } finally {
      plain.close();
      await other.close();
    }
  });

  it('models promote --json says whether it recorded a move (not when the alias is already there)', async () => {
    const { ModelRegistry } = await import('../../../core/registry');
    const registry = ModelRegistry.at({ home, store: `file://${path.join(home, 'checkpoints')}` });
    await registry.register({
      name: 'promoted',
      model: { uri: `file:///x/${sha}.arrow`, sha256: sha, rows: 6, bytes: 100 },
      metrics: { accuracy: 0.9 },
      runId: 'run-1',
      pipeline: 'p',
      reference: null,
    });
    const first = await cli(home, 'models', 'promote', 'promoted', '1', '--alias', 'staging', '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      alias: 'staging',
      version: 1,
      previous: null,
      recorded: true,
    });
    const again = await cli(home, 'models', 'promote', 'promoted', '1', '--alias', 'staging', '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      alias: 'staging',
      version: 1,
      previous: 1,
      recorded: false,
    });
    const text = await cli(home, 'models', 'promote', 'promoted', '1', '--alias', 'staging');
    expect(text.stdout).toBe('promoted: alias staging is already on version 1 (nothing recorded)\n');
  });

  it('models ls, promote and rollback say when a version is from a cancelled run', async () => {
    const { ModelRegistry } = await import('../../../core/registry');
    const registry = ModelRegistry.at({ home, store: `file://${path.join(home, 'checkpoints')}` });
    const register = (runId: string, digest: string) =>
      registry.register({
        name: 'marked',
        model: { uri: `file:///x/${digest}.arrow`, sha256: digest, rows: 6, bytes: 100 },
        metrics: { accuracy: 0.9 },
        runId,
        pipeline: 'p',
        reference: null,
      });
    await register('run-ok', 'a'.repeat(64));
    const cancelled = await register('run-cx', 'b'.repeat(64));
    await registry.markCancelledRun(
      'marked',
      cancelled.version,
      'run run-cx was cancelled before its deploy moved an alias',
    );
    const listed = await cli(home, 'models', 'ls', 'marked');
    expect(listed.stdout).toMatch(/run-cx \(cancelled\)/);
    expect(listed.stdout).not.toMatch(/run-ok \(cancelled\)/);
    const note =
      'note: version 2 of marked is from a cancelled run: run run-cx was cancelled before its deploy moved an alias';
    const promoted = await cli(home, 'models', 'promote', 'marked', '2', '--alias', 'qa', '--json');
    expect(promoted.stderr).toContain(note);
    expect(JSON.parse(promoted.stdout)).toMatchObject({
      version: 2,
      cancelledRun: { reason: expect.any(String) },
    });
    await cli(home, 'models', 'promote', 'marked', '1', '--alias', 'qa');
    const rolledBack = await cli(home, 'models', 'rollback', 'marked', '--alias', 'qa', '--json');
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    expect(rolledBack.stderr).toContain(note);
    expect(JSON.parse(rolledBack.stdout)).toMatchObject({ version: 2, kind: 'rollback', cancelledRun: {} });
  });

  it('worker --queue other than cpu or gpu is bad input naming the flag, exit 2', async () => {
    const result = await cli(home, 'worker', '--queue', 'tpu', '--json');
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      error: { type: 'SpecError', message: "--queue must be cpu or gpu, not 'tpu'", field: '--queue' },
    });
  });

  it('schema show of a pipeline with no pinned schema is "not found", exit 2', async () => {
    const result = await cli(home, 'schema', 'show', 'nosuch', '--json');
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({
      error: {
        type: 'SchemaNotFoundError',
        message: expect.stringContaining("no pinned schema for pipeline 'nosuch'") as string,
      },
    });
  });

  it('unknown models and versions are "not found", exit 2', async () => {
    for (const args of [
      ['models', 'ls', 'nomodel'],
      ['models', 'show', 'nomodel'],
      ['models', 'history', 'nomodel'],
      ['models', 'promote', 'nomodel', '1', '--alias', 'production'],
      ['models', 'rollback', 'nomodel', '--alias', 'production'],
      ['models', 'card', 'nomodel', '2'],
    ]) {
      const result = await cli(home, ...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toBe("quiver: model 'nomodel' not found in the registry\n");
    }
    const version = await cli(home, 'models', 'show', 'nomodel', 'x', '--json');
    expect(version.code).toBe(2);
    // An empty registry says where it looked (a mistyped --home reads as empty, not as missing).
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-empty-home-'));
    const none = await cli(empty, 'models', 'ls');
    expect([none.code, none.stdout]).toEqual([0, `no models registered (registry of ${empty})\n`]);
  });

  it('models promote checks --alias before anything is read: exit 2 naming the flag', async () => {
    for (const alias of ['bad alias!', '']) {
      const result = await cli(home, 'models', 'promote', 'nomodel', '1', '--alias', alias, '--json');
      expect(result.code, alias).toBe(2);
      expect(JSON.parse(result.stdout)).toMatchObject({ error: { type: 'UsageError', field: '--alias' } });
    }
  });

  it('export refuses an unknown extension or a missing folder before reading anything, exit 2', async () => {
    const ext = await cli(home, 'checkpoints', 'export', sha, path.join(home, 'out.xlsx'));
    expect(ext.code).toBe(2);
    expect(ext.stderr).toContain(
      `cannot export to '${path.join(home, 'out.xlsx')}': unsupported extension '.xlsx'`,
    );
    expect(ext.stderr).toContain('.parquet');
    expect(ext.stderr).not.toContain('    at ');
    const dir = await cli(home, 'checkpoints', 'export', sha, '/no/such/dir/out.csv', '--json');
    expect(dir.code).toBe(2);
    expect(JSON.parse(dir.stdout)).toMatchObject({
      error: {
        type: 'SpecError',
        message: expect.stringContaining("folder '/no/such/dir' does not exist") as string,
        field: 'FILE',
      },
    });
    expect(exportFormatOf(path.join(home, 'a.PARQUET'))).toBe('.parquet');
  });
});

describe('table cells', () => {
  it('quote and escape newlines and tabs, so a row stays one line', () => {
    expect(cell('a\nb\tc')).toBe('"a\\nb\\tc"');
    expect(cell('plain')).toBe('plain');
  });
});

describe('an unusable --home', () => {
  it('fails at once naming the path: a file in the way, a folder mkdir cannot make', () => {
    const file = path.join(os.tmpdir(), `quiver-home-file-${process.pid}`);
    fs.writeFileSync(file, '');
    try {
      expect(() => ensureWritableHome(path.join(file, 'home'))).toThrow(
        new RegExp(`--home '${file}/home' is not a writable folder: ENOTDIR`),
      );
    } finally {
      fs.rmSync(file);
    }
    // Node's recursive mkdir loops forever here (ENOENT under an existing parent): this must not.
    if (fs.existsSync('/proc/sys'))
      expect(() => ensureWritableHome('/proc/sys/quiver/home')).toThrow(/'\/proc\/sys\/quiver\/home'/);
  });
});

describe('a closed stdout pipe', () => {
  it('ends `quiver --help | head -1` quietly with 0', () => {
    const piped = spawnSync('bash', ['-c', `set -o pipefail; node '${QUIVER_BIN}' --help | head -c 5`], {
      encoding: 'utf8',
    });
    expect(piped.stderr).toBe('');
    expect(piped.status).toBe(0);
    // Deterministically: an EPIPE on stdout, as a closed reader gives, exits 0 with nothing on stderr.
    const script = `require('tsx/cjs'); const { exitQuietlyOnClosedPipe } = require('./client/cli.ts');
      exitQuietlyOnClosedPipe(); process.stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      setTimeout(() => process.exit(9), 1000);`;
    const out = execFileSync(process.execPath, ['-e', script], {
      cwd: path.resolve(__dirname, '..', '..', '..'),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toBe('');
  });
});

describe('output that cannot be written', () => {
  it('says a full disk on stdout in one line on stderr, exit 1, with or without --json', () => {
    if (!fs.existsSync('/dev/full')) throw new Error('this test needs /dev/full (Linux)');
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-full-'));
    for (const args of [
      ['models', 'ls'],
      ['models', 'ls', '--json'],
      ['models', 'show', 'nomodel', '--json'],
      // Answered from the recorded text by bin/quiver.js, before any bundle loads.
      ['--help'],
      ['--version'],
    ]) {
      const full = fs.openSync('/dev/full', 'w');
      try {
        const result = spawnSync(process.execPath, [QUIVER_BIN, ...args], {
          env: { ...process.env, QUIVER_HOME: home },
          stdio: ['ignore', full, 'pipe'],
          encoding: 'utf8',
        });
        expect(result.status, args.join(' ')).toBe(1);
        expect(result.stderr, args.join(' ')).toBe(
          'quiver: cannot write the output: ENOSPC (no space left on device)\n',
        );
      } finally {
        fs.closeSync(full);
      }
    }
  });

  it('keeps exit 2 for an unknown command when the reader closes stderr early', () => {
    const out = execFileSync(
      'bash',
      [
        '-c',
        `for i in 1 2 3; do node '${QUIVER_BIN}' nosuch 2>&1 | head -c 0; echo -n "\${PIPESTATUS[0]} "; done`,
      ],
      { encoding: 'utf8' },
    );
    expect(out.trim()).toBe('2 2 2');
  });
});

describe('quiet start-up', () => {
  it('one Temporal UI link form: loopback is localhost, whatever printed it', () => {
    const ui = process.env.TEMPORAL_UI_URL;
    delete process.env.TEMPORAL_UI_URL;
    try {
      expect(temporalUiUrl('127.0.0.1:7233', 8233)).toBe('http://localhost:8233');
      expect(temporalUiUrl(undefined, 8233)).toBe('http://localhost:8233');
      expect(temporalUiUrl('temporal.internal:7233', 8080)).toBe('http://temporal.internal:8080');
    } finally {
      if (ui !== undefined) process.env.TEMPORAL_UI_URL = ui;
    }
  });

  it('skips WebGPU before loading Dawn when no Vulkan driver manifest exists (Linux)', () => {
    if (process.platform !== 'linux') return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-icd-'));
    const vars = { icd: process.env.VK_ICD_FILENAMES, driver: process.env.VK_DRIVER_FILES };
    delete process.env.VK_ICD_FILENAMES;
    delete process.env.VK_DRIVER_FILES;
    try {
      expect(missingVulkanDriver([dir, '/no/such/dir'])).toMatch(/^no Vulkan driver installed/);
      fs.writeFileSync(path.join(dir, 'lvp_icd.x86_64.json'), '{}');
      expect(missingVulkanDriver([dir])).toBeNull();
    } finally {
      if (vars.icd !== undefined) process.env.VK_ICD_FILENAMES = vars.icd;
      if (vars.driver !== undefined) process.env.VK_DRIVER_FILES = vars.driver;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
