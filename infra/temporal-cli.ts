import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TemporalServerError } from '../core/errors';

/** The Temporal CLI release Quiver pins: it bundles Temporal Server 1.29.1 and Web UI 2.42.1. */
export const TEMPORAL_CLI_VERSION = '1.5.1';
const BUNDLED_SERVER_VERSION = '1.29.1';
const GO_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';
const GO_MODULE = 'github.com/temporalio/cli';
const RELEASES = `https://github.com/temporalio/cli/releases/download/v${TEMPORAL_CLI_VERSION}`;
const INSTALL_HINT =
  'Install Go >= 1.21 (Quiver builds the pinned CLI with `go install`), or install the Temporal CLI ' +
  '(https://docs.temporal.io/cli) and put `temporal` on PATH or set TEMPORAL_CLI to its path.';

const execFileAsync = promisify(execFile);
const EXE = process.platform === 'win32' ? '.exe' : '';

export type Log = (message: string) => void;
const defaultLog: Log = (message) => process.stderr.write(`[quiver] ${message}\n`);

/** Where the pinned CLI is cached: `${XDG_CACHE_HOME:-~/.cache}/quiver/bin`, outside any clone. */
export function temporalCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const cacheHome = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheHome, 'quiver', 'bin');
}

let located: Promise<string> | undefined;

/**
 * Returns the path of a runnable `temporal` binary, installing the pinned CLI on first use.
 *
 * Looks, in order, at `TEMPORAL_CLI`, `temporal` on PATH, the cached build in {@link temporalCacheDir},
 * then builds it with `go install` (minutes, once) or, without Go, downloads the release archive.
 * Concurrent callers in other processes wait on a lock file instead of installing twice.
 */
export async function ensureTemporalCli(log: Log = defaultLog): Promise<string> {
  located ??= locateOrInstall(log).catch((error: unknown) => {
    located = undefined;
    throw error;
  });
  return located;
}

async function locateOrInstall(log: Log): Promise<string> {
  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv) {
    const version = await cliVersion(fromEnv);
    if (!version.ok) {
      throw new TemporalServerError(
        `TEMPORAL_CLI=${fromEnv} does not run (${version.error}); point it at a temporal binary or unset it.`,
      );
    }
    return fromEnv;
  }

  const onPath = await findOnPath(`temporal${EXE}`);
  if (onPath && (await cliVersion(onPath)).ok) return onPath;

  const dir = temporalCacheDir();
  const cached = path.join(dir, `temporal${EXE}`);
  if (await isPinnedBuild(cached)) return cached;

  await fs.mkdir(dir, { recursive: true });
  return withInstallLock(dir, log, async () => {
    // Another process may have finished the install while we waited for the lock.
    if (await isPinnedBuild(cached)) return cached;
    const go = await findGo();
    if (go) await goInstall(go, dir, log);
    else await downloadRelease(dir, log);
    if (!(await isPinnedBuild(cached))) {
      throw new TemporalServerError(
        `The installed ${cached} is not a runnable Temporal CLI v${TEMPORAL_CLI_VERSION}.`,
      );
    }
    log(`Temporal CLI v${TEMPORAL_CLI_VERSION} installed at ${cached}`);
    return cached;
  });
}

type VersionResult = { ok: true; cli: string; server?: string } | { ok: false; error: string };

async function cliVersion(binary: string): Promise<VersionResult> {
  try {
    const { stdout } = await execFileAsync(binary, ['--version'], { timeout: 30_000 });
    const cli = /temporal version (\S+)/.exec(stdout)?.[1];
    if (!cli) return { ok: false, error: `unexpected --version output: ${stdout.trim()}` };
    return { ok: true, cli, server: /Server ([\d.]+)/.exec(stdout)?.[1] };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  }
}

/** True when `binary` runs and is CLI v1.5.1 (a release build, or a `go install` build of that module). */
async function isPinnedBuild(binary: string): Promise<boolean> {
  const version = await cliVersion(binary);
  if (!version.ok) return false;
  if (version.cli === TEMPORAL_CLI_VERSION) return true;
  if (version.cli !== '0.0.0-DEV') return false;
  // A plain `go install` leaves the version unstamped; the module version is in the Go build info.
  const go = await findGo();
  if (!go) return version.server === BUNDLED_SERVER_VERSION;
  try {
    const { stdout } = await execFileAsync(go, ['version', '-m', binary], { timeout: 30_000 });
    return new RegExp(`\\bmod\\s+${GO_MODULE.replace(/\./g, '\\.')}\\s+v${TEMPORAL_CLI_VERSION}\\b`).test(
      stdout,
    );
  } catch {
    return version.server === BUNDLED_SERVER_VERSION;
  }
}

async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      await fs.access(candidate, fsConstants.X_OK);
      if ((await fs.stat(candidate)).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

async function findGo(): Promise<string | undefined> {
  // Go's installer puts the toolchain in /usr/local/go without always adding it to PATH.
  for (const candidate of [`go${EXE}`, `/usr/local/go/bin/go${EXE}`]) {
    try {
      await execFileAsync(candidate, ['version'], { timeout: 30_000 });
      return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/** Runs `fn` while holding `install.lock` in `dir`; waits for (or clears a dead) holder. */
async function withInstallLock<T>(dir: string, log: Log, fn: () => Promise<T>): Promise<T> {
  const lockPath = path.join(dir, 'install.lock');
  const deadline = Date.now() + 45 * 60_000;
  let announced = false;
  for (;;) {
    try {
      await fs.writeFile(
        lockPath,
        JSON.stringify({ pid: process.pid, host: os.hostname(), at: Date.now() }),
        {
          flag: 'wx',
        },
      );
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readLock(lockPath);
    if (holder === 'stale') {
      log(`Removing stale install lock ${lockPath}`);
      await fs.rm(lockPath, { force: true });
      continue;
    }
    if (!announced) {
      log(
        `Another process${holder ? ` (pid ${holder.pid})` : ''} is installing the Temporal CLI; waiting for it`,
      );
      announced = true;
    }
    if (Date.now() > deadline) {
      throw new TemporalServerError(
        `Timed out waiting for ${lockPath}; delete it if no Temporal CLI install is running.`,
      );
    }
    await sleep(1000);
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lockPath, { force: true });
  }
}

async function readLock(lockPath: string): Promise<{ pid: number } | 'stale' | undefined> {
  let text: string;
  let age: number;
  try {
    [text, age] = await Promise.all([
      fs.readFile(lockPath, 'utf8'),
      fs.stat(lockPath).then((s) => Date.now() - s.mtimeMs),
    ]);
  } catch {
    return undefined; // released meanwhile
  }
  try {
    const lock = JSON.parse(text) as { pid: number; host: string };
    if (lock.host === os.hostname() && !isAlive(lock.pid)) return 'stale';
    return age > 60 * 60_000 ? 'stale' : { pid: lock.pid };
  } catch {
    return age > 10_000 ? 'stale' : undefined; // half-written by a process that died
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Builds the pinned CLI into `dir` with `go install`, retrying once without the checksum database. */
async function goInstall(go: string, dir: string, log: Log): Promise<void> {
  const staging = await fs.mkdtemp(path.join(dir, '.go-install-'));
  try {
    log(`Building the Temporal CLI v${TEMPORAL_CLI_VERSION} with go install (a few minutes, once)...`);
    let result = await runGoInstall(go, staging, {}, log);
    if (!result.ok && isChecksumDbError(result.output) && process.env.GOSUMDB !== 'off') {
      log('The Go checksum database (sum.golang.org) could not be reached; retrying once with GOSUMDB=off');
      result = await runGoInstall(go, staging, { GOSUMDB: 'off' }, log);
    }
    if (!result.ok) throw goInstallError(result.output);
    await fs.rename(path.join(staging, `temporal${EXE}`), path.join(dir, `temporal${EXE}`));
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

async function runGoInstall(
  go: string,
  gobin: string,
  extraEnv: NodeJS.ProcessEnv,
  log: Log,
): Promise<{ ok: boolean; output: string }> {
  const started = Date.now();
  // Stamp the version the release builds carry, so `temporal --version` says 1.5.1 and not 0.0.0-DEV.
  const ldflags = `-s -w -X ${GO_MODULE}/temporalcli.Version=${TEMPORAL_CLI_VERSION}`;
  const child = spawn(go, ['install', `-ldflags=${ldflags}`, `${GO_PACKAGE}@v${TEMPORAL_CLI_VERSION}`], {
    env: { ...process.env, GOBIN: gobin, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-20_000);
    for (const line of text.split('\n')) if (line.trim()) log(line.trimEnd());
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  // Compiling prints nothing for minutes: say it is still going.
  const heartbeat = setInterval(
    () => log(`still building the Temporal CLI (${Math.round((Date.now() - started) / 1000)} s)...`),
    30_000,
  );
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', (error) => {
      output += String(error);
      resolve(-1);
    });
    child.once('close', resolve);
  }).finally(() => clearInterval(heartbeat));
  if (code === 0) log(`go install finished in ${Math.round((Date.now() - started) / 1000)} s`);
  return { ok: code === 0, output };
}

function isChecksumDbError(output: string): boolean {
  // A SECURITY ERROR is a real checksum mismatch: never bypass that one.
  return (
    !/SECURITY ERROR/.test(output) && /sum\.golang\.|checksum database|GOSUMDB|verifying module/i.test(output)
  );
}

function goInstallError(output: string): TemporalServerError {
  const tail = output.trim().split('\n').slice(-15).join('\n');
  const needs = /requires go >= ([\d.]+)/.exec(output)?.[1];
  const hint = needs
    ? `This Go is too old to build the Temporal CLI (needs Go >= ${needs}): upgrade Go, set GOTOOLCHAIN=auto, or set TEMPORAL_CLI.`
    : `Check GOPROXY/network access to the Go module proxy, or set TEMPORAL_CLI to an installed temporal binary.`;
  return new TemporalServerError(
    `go install ${GO_PACKAGE}@v${TEMPORAL_CLI_VERSION} failed. ${hint}\n${tail}`,
  );
}

/** Without Go: fetches the official release archive from GitHub (needs internet) and verifies its checksum. */
async function downloadRelease(dir: string, log: Log): Promise<void> {
  const osName = { linux: 'linux', darwin: 'darwin', win32: 'windows' }[process.platform as string];
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string];
  if (!osName || !arch) {
    throw new TemporalServerError(
      `No Temporal CLI release for ${process.platform}/${process.arch}. ${INSTALL_HINT}`,
    );
  }
  const archiveName = `temporal_cli_${TEMPORAL_CLI_VERSION}_${osName}_${arch}.tar.gz`;
  log(`Go not found; downloading ${RELEASES}/${archiveName}`);
  const staging = await fs.mkdtemp(path.join(dir, '.download-'));
  try {
    const [archive, checksums] = await Promise.all([
      download(`${RELEASES}/${archiveName}`),
      download(`${RELEASES}/checksums.txt`),
    ]);
    const expected = new RegExp(`^([0-9a-f]{64})\\s+\\*?${archiveName.replace(/\./g, '\\.')}$`, 'm').exec(
      checksums.toString(),
    )?.[1];
    const actual = createHash('sha256').update(archive).digest('hex');
    if (expected !== actual) {
      throw new TemporalServerError(
        `Checksum mismatch for ${archiveName} (expected ${expected}, got ${actual}).`,
      );
    }
    const archivePath = path.join(staging, archiveName);
    await fs.writeFile(archivePath, archive);
    await execFileAsync('tar', ['-xzf', archivePath, '-C', staging], { timeout: 120_000 });
    const binary = path.join(dir, `temporal${EXE}`);
    await fs.rename(path.join(staging, `temporal${EXE}`), binary);
    await fs.chmod(binary, 0o755);
  } catch (error) {
    if (error instanceof TemporalServerError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new TemporalServerError(
      `Could not download the Temporal CLI release (${reason}). ${INSTALL_HINT}`,
      {
        cause: error,
      },
    );
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10 * 60_000) });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
