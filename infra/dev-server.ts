import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, promises as fs, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, TemporalServerError } from '../core/errors';
import { isPortFree, isTemporalReachable } from './ports';
import { QUIVER_SEARCH_ATTRIBUTES } from './search-attributes';
import { signalExitCode, STOP_SIGNALS } from './lifecycle';
import { ensureTemporalCli, type Log } from './temporal-cli';
import { connectTemporal, ensureSearchAttributes } from './temporal-setup';

export interface DevServerOptions {
  /** Quiver's home: the server's SQLite database and working directory live here. */
  home: string;
  /** Frontend gRPC port (`QUIVER_TEMPORAL_PORT`). */
  port: number;
  /** Web UI port (`QUIVER_UI_PORT`). */
  uiPort: number;
  /** Namespace to create besides `default`; `default` when omitted. */
  namespace?: string;
  log?: Log;
  /** SQLite file; `<home>/temporal.db` when omitted, `':memory:'` for a server that forgets on exit. */
  dbFile?: string;
  /** Path of the `temporal` binary; {@link ensureTemporalCli} finds or installs it when omitted. */
  cli?: string;
  /** How long to wait for the frontend to answer; 60 s when omitted. */
  readyTimeoutMs?: number;
  /** The setting that chose `port`, named when it is taken; `QUIVER_TEMPORAL_PORT` when omitted. */
  portSetting?: string;
  /** A line logged once both ports are known free, before anything starts (`up` says where it starts). */
  announce?: string;
}

export interface DevServer {
  /** Frontend address for `Connection.connect`, e.g. `127.0.0.1:7233`. */
  address: string;
  uiUrl: string;
  pid: number;
  /** The server's own log (stdout and stderr): `<home>/temporal-server.log`. */
  logFile: string;
  /** SIGTERM to the server's process group, SIGKILL after 10 s; resolves once it is gone. Idempotent. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 10_000;
const defaultLog: Log = (message) => process.stderr.write(`[quiver] ${message}\n`);

/**
 * Starts `temporal server start-dev` with Quiver's search attributes registered and resolves once the
 * frontend answers for `namespace`.
 *
 * The server runs in its own process group, so a Ctrl-C in the terminal reaches Quiver first and
 * Quiver stops the server after its workers; see {@link installExitHooks} for how it never outlives us.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const { home, port, uiPort, namespace = 'default', log = defaultLog, readyTimeoutMs = 60_000 } = options;
  await assertDevServerPortsFree(port, uiPort, options.portSetting);
  if (options.announce) log(options.announce);
  const cli = options.cli ?? (await ensureTemporalCli(log));
  await fs.mkdir(home, { recursive: true });
  const dbFile = options.dbFile ?? path.join(home, 'temporal.db');

  const args = [
    'server',
    'start-dev',
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--ip',
    '127.0.0.1',
  ];
  args.push('--log-level', 'warn');
  // Tuned for one host running short steps back to back. The transfer queue's default poll rate (20/s)
  // throttles every task dispatch to ~40 ms once its burst is spent: it quadrupled per-step overhead.
  // One task-queue partition avoids forwarding between partitions; eager execution skips a dispatch.
  const dynamicConfig = {
    'history.transferProcessorMaxPollRPS': 1000,
    'matching.numTaskqueueReadPartitions': 1,
    'matching.numTaskqueueWritePartitions': 1,
    'system.enableActivityEagerExecution': true,
  };
  for (const [key, value] of Object.entries(dynamicConfig))
    args.push('--dynamic-config-value', `${key}=${value}`);
  if (dbFile !== ':memory:') args.push('--db-filename', dbFile);
  if (namespace !== 'default') args.push('--namespace', namespace);
  for (const [name, type] of Object.entries(QUIVER_SEARCH_ATTRIBUTES))
    args.push('--search-attribute', `${name}=${type}`);

  const started = Date.now();
  // Logs go to a file, not a pipe: a server whose parent died must not die of SIGPIPE at its next line.
  const logFile = path.join(home, 'temporal-server.log');
  const logFd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(cli, args, { cwd: home, detached: true, stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  const server = new RunningServer(child, `127.0.0.1:${port}`, `http://localhost:${uiPort}`, logFile);
  if (child.pid) stopWithParent(child.pid, process.pid);
  try {
    await server.waitUntilReady(namespace, readyTimeoutMs);
  } catch (error) {
    await server.stop();
    throw error;
  }
  log(`Temporal dev server ready at ${server.address} (UI ${server.uiUrl}) in ${Date.now() - started} ms`);
  return server;
}

/**
 * Checks that the dev server can take `port` (its frontend) and `uiPort` (its Web UI) on 127.0.0.1.
 * `portSetting` names the setting that chose `port` (`QUIVER_TEMPORAL_PORT`, or `TEMPORAL_ADDRESS` /
 * `--address` when it named this machine).
 *
 * @throws ConfigError (exit 2) naming the setting to change: the two ports are one (QUIVER_UI_PORT),
 *   or one of them is taken by another program
 */
async function assertDevServerPortsFree(
  port: number,
  uiPort: number,
  portSetting = 'QUIVER_TEMPORAL_PORT',
): Promise<void> {
  // Both free, but one process cannot serve the frontend and the UI on one port: said before the start.
  if (port === uiPort)
    throw new ConfigError(
      `the Temporal frontend and its Web UI cannot share port ${port}: set QUIVER_UI_PORT to another port`,
      'QUIVER_UI_PORT',
    );
  await assertPortFree(port, 'Temporal frontend', portSetting);
  await assertPortFree(uiPort, 'Temporal Web UI', 'QUIVER_UI_PORT');
}

async function assertPortFree(port: number, role: string, setting: string): Promise<void> {
  if (await isPortFree(port)) return;
  throw new ConfigError(
    `Port ${port} (${role}) on 127.0.0.1 is already in use. Stop whatever listens there, or set ` +
      `${setting} to a free port (or TEMPORAL_ADDRESS to use a running Temporal server).`,
    setting,
  );
}

class RunningServer implements DevServer {
  readonly pid: number;
  private output = '';
  private readonly logStart: number;
  private exit?: { code: number | null; signal: NodeJS.Signals | null };
  private readonly exited: Promise<void>;
  private stopping?: Promise<void>;

  constructor(
    private readonly child: ChildProcess,
    readonly address: string,
    readonly uiUrl: string,
    readonly logFile: string,
  ) {
    this.logStart = fileSize(logFile);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        running.delete(this);
        resolve();
      });
      child.once('error', (error) => {
        this.output += `\n${error.message}`;
        this.exit ??= { code: -1, signal: null };
        running.delete(this);
        resolve();
      });
    });
    this.pid = child.pid ?? -1;
    // The child does not keep Quiver alive; the exit hook stops the server when Quiver ends.
    child.unref();
    if (child.pid) running.add(this);
    installExitHooks();
  }

  async waitUntilReady(namespace: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exit) {
        throw new TemporalServerError(
          `Temporal dev server exited (${this.exit.signal ?? `code ${this.exit.code}`}) before it was ready:\n${this.tail()}`,
        );
      }
      if (Date.now() > deadline) {
        throw new TemporalServerError(
          `Temporal dev server did not answer on ${this.address} within ${timeoutMs / 1000} s:\n${this.tail()}`,
        );
      }
      if ((await isTemporalReachable(this.address, 500)) && (await this.answers(namespace))) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** True once the frontend describes `namespace`; then makes sure Quiver's search attributes exist. */
  private async answers(namespace: string): Promise<boolean> {
    let connection;
    try {
      connection = await connectTemporal(this.address, 2_000);
      await connection.workflowService.describeNamespace({ namespace });
    } catch {
      await connection?.close();
      return false;
    }
    try {
      await ensureSearchAttributes(connection, namespace);
      return true;
    } finally {
      await connection.close();
    }
  }

  /** Last lines the server printed since this start (from its log file), for error messages. */
  tail(lines = 30): string {
    const output = `${readTail(this.logFile, this.logStart, 16_000)}${this.output}`;
    return output.trim().split('\n').slice(-lines).join('\n') || '(no output)';
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.exit) return;
      // Hold the event loop open until the server is gone, or Node could exit mid-stop.
      this.child.ref();
      this.signal('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>(
        (resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS, 'timeout')),
      );
      const outcome = await Promise.race([this.exited, timeout]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        this.signal('SIGKILL');
        await this.exited;
      }
    })();
    return this.stopping;
  }

  /** Signals the whole process group (the CLI and anything it spawned); never throws. */
  signal(signal: NodeJS.Signals): void {
    if (this.exit || this.pid <= 0) return;
    try {
      if (process.platform === 'win32') this.child.kill(signal);
      else process.kill(-this.pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Dev servers this process started and has not stopped yet. */
const running = new Set<RunningServer>();
let hooksInstalled = false;
let signalled = false;

/**
 * Makes sure no dev server outlives the Quiver process that started it:
 * - on `exit` (however the process ends, short of SIGKILL) each server gets SIGTERM and shuts itself down;
 * - on SIGINT/SIGTERM, when ours is the only listener, the servers are stopped and the process exits
 *   with 130/143 like an unhandled signal would. When other listeners exist (a worker draining its
 *   tasks, vitest) they own the shutdown and the `exit` hook still stops the servers. A second signal
 *   while stopping kills the servers at once.
 */
function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const server of running) server.signal('SIGTERM');
  });
  for (const signal of STOP_SIGNALS) {
    process.on(signal, () => {
      if (process.listenerCount(signal) > 1) return;
      const code = signalExitCode(signal);
      if (signalled) {
        for (const server of running) server.signal('SIGKILL');
        process.exit(code);
      }
      signalled = true;
      void Promise.allSettled([...running].map((server) => server.stop())).then(() => process.exit(code));
    });
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Up to `max` bytes at the end of `file`, from no earlier than `from`. */
function readTail(file: string, from: number, max: number): string {
  try {
    const size = statSync(file).size;
    const start = Math.max(from, size - max);
    const buffer = Buffer.alloc(Math.max(0, size - start));
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, start);
    } finally {
      closeSync(fd);
    }
    return buffer.toString();
  } catch {
    return '';
  }
}

/**
 * A detached watchdog (a shell loop, one `sleep 1` a second) that stops the server's process group
 * when the Quiver process that started it is gone, however it ended (even SIGKILL, which runs no
 * exit hook), and ends itself when the server ends. SIGTERM first, SIGKILL 10 s later.
 */
export function stopWithParent(serverPid: number, parentPid: number): void {
  if (process.platform === 'win32') return;
  const script = [
    'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done',
    'kill -0 "$2" 2>/dev/null || exit 0',
    'kill -TERM -"$2" 2>/dev/null',
    'i=0; while kill -0 "$2" 2>/dev/null && [ $i -lt 10 ]; do sleep 1; i=$((i+1)); done',
    'kill -KILL -"$2" 2>/dev/null; exit 0',
  ].join('\n');
  const watchdog = spawn(
    'sh',
    ['-c', script, 'quiver-server-watchdog', String(parentPid), String(serverPid)],
    {
      detached: true,
      stdio: 'ignore',
    },
  );
  watchdog.on('error', () => undefined); // no sh: the exit hooks still stop the server on a normal exit
  watchdog.unref();
}
