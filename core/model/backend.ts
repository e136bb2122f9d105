import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { QuiverError } from '../errors';

/** The backend ladder, fastest first; `auto` walks it until one loads and passes a smoke test. */
export const BACKENDS = ['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface BackendInfo {
  /** Ladder name of the backend in use, e.g. `wasm`. */
  backend: BackendName;
  /** What actually computes, e.g. `cpu (wasm simd, 1 thread)`, `cpu (js)`. */
  device: string;
  /** Backends tried before this one and why each was skipped, in ladder order. */
  fellBackFrom: { backend: string; reason: string }[];
}

/** A backend was asked for by name (argument or `QUIVER_TF_BACKEND`) and could not be used. */
export class BackendUnavailableError extends QuiverError {}

/** Environment variable that forces one backend (`auto` or unset walks the ladder). */
export const BACKEND_ENV = 'QUIVER_TF_BACKEND';

/** Set to `1` to train on a software WebGPU adapter (lavapipe/llvmpipe), which is refused otherwise. */
export const ACCEPT_SOFTWARE_GPU_ENV = 'QUIVER_ACCEPT_SOFTWARE_GPU';

function softwareGpuAccepted(): boolean {
  return ['1', 'true', 'yes'].includes((process.env[ACCEPT_SOFTWARE_GPU_ENV] ?? '').trim().toLowerCase());
}

/** Dawn's Vulkan loader wants a private runtime directory; give it one when the session has none. */
function ensureRuntimeDir(): void {
  if (process.env.XDG_RUNTIME_DIR) return;
  process.env.XDG_RUNTIME_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-xdg-'));
}

/** True when QUIVER_LOG_LEVEL asks for detail (DEBUG or TRACE): backend probes are logged then only. */
export function backendDebugLogging(): boolean {
  return ['DEBUG', 'TRACE'].includes((process.env.QUIVER_LOG_LEVEL ?? '').trim().toUpperCase());
}

// Skipped backends are detail: a worker's start-up line says which one was chosen (backendSummary).
let log: (message: string) => void = (message) => {
  if (backendDebugLogging()) console.warn(`[quiver] ${message}`);
};

/** Routes backend messages (skipped backends) somewhere else, e.g. an activity logger. */
export function setBackendLogger(logger: (message: string) => void): void {
  log = logger;
}

type Loader = () => Promise<string>;

/** Thrown by a loader to skip a backend; `message` is the reason recorded in `fellBackFrom`. */
class Skip extends Error {}

function requireOptional(name: string): unknown {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'MODULE_NOT_FOUND' && e.message.includes(name)) throw new Skip(`${name} is not installed`);
    throw new Skip(`${name} failed to load: ${firstLine(e.message)}`);
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}

async function activate(name: string): Promise<void> {
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (err) {
    throw new Skip(`tf.setBackend('${name}') threw: ${firstLine(String((err as Error).message ?? err))}`);
  }
  if (!ok || tf.getBackend() !== name)
    throw new Skip(`tf.setBackend('${name}') did not initialise the backend`);
  await tf.ready();
}

interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  isFallbackAdapter?: boolean;
  requestAdapterInfo?: () => Promise<GpuAdapterLike['info']>;
}

const loaders: Record<BackendName, Loader> = {
  'tfjs-node-gpu': async () => {
    requireOptional('@tensorflow/tfjs-node-gpu');
    await activate('tensorflow');
    return 'gpu (cuda, libtensorflow)';
  },

  webgpu: async () => {
    const noVulkan = missingVulkanDriver();
    if (noVulkan) throw new Skip(noVulkan);
    ensureRuntimeDir();
    // Dawn prints native warnings (lavapipe's "…artificially reduced…") that no JavaScript can silence:
    // ask a child process first, and load Dawn here only when its adapter would be used.
    const probed = await probeWebGpuInChild();
    if (probed) throw new Skip(probed);
    const dawn = requireOptional('webgpu') as { create: (flags: string[]) => unknown; globals?: object };
    const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
    if (!g.navigator?.gpu) {
      if (dawn.globals) Object.assign(globalThis, dawn.globals);
      const gpu = dawn.create([]);
      if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
      else
        Object.defineProperty(globalThis, 'navigator', {
          value: { gpu },
          configurable: true,
          writable: true,
        });
    }
    const gpu = g.navigator!.gpu as { requestAdapter: (o?: object) => Promise<GpuAdapterLike | null> };
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new Skip('Dawn found no WebGPU adapter (no Vulkan/Metal/D3D12 driver?)');
    const info = adapter.info ?? (await adapter.requestAdapterInfo?.()) ?? {};
    const label = adapterLabel(info);
    const software = info.architecture === 'software' || adapter.isFallbackAdapter === true;
    // llvmpipe trains correctly but far slower than wasm: a GPU worker must not pretend it is a GPU.
    if (software && !softwareGpuAccepted()) throw new Skip(softwareRefusal(label));
    requireOptional('@tensorflow/tfjs-backend-webgpu');
    await activate('webgpu');
    return software ? `${label} (software)` : `${label} (${info.architecture || 'gpu'})`;
  },

  'tfjs-node': async () => {
    requireOptional('@tensorflow/tfjs-node');
    await activate('tensorflow');
    return 'cpu (libtensorflow)';
  },

  wasm: async () => {
    const wasm = requireOptional('@tensorflow/tfjs-backend-wasm') as {
      setWasmPaths: (prefix: string) => void;
      getThreadsCount?: () => number;
    };
    // In Node the .wasm binaries are read from the package's dist folder (a path prefix ending in /).
    let dist: string;
    try {
      dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    } catch {
      throw new Skip('@tensorflow/tfjs-backend-wasm is installed without its .wasm files');
    }
    wasm.setWasmPaths(dist + path.sep);
    await activate('wasm');
    const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    const threads = wasm.getThreadsCount?.() ?? 1;
    return `cpu (wasm${simd ? ' simd' : ''}, ${threads} thread${threads === 1 ? '' : 's'})`;
  },

  cpu: async () => {
    await activate('cpu');
    return 'cpu (js)';
  },
};

/** What the child reports of Dawn's adapter: its info, `null` when there is none, or why Dawn failed. */
type ProbeReport =
  { info: GpuAdapterLike['info'] & { fallback?: boolean } } | { adapter: null } | { error: string };

// Runs in a child `node -e`: Dawn's adapter, as one JSON line; the child's stderr (Dawn's noise) is dropped.
const PROBE_SCRIPT = `
const write = (report) => { process.stdout.write(JSON.stringify(report) + '\\n'); process.exit(0); };
try {
  require(process.argv[1]).create([]).requestAdapter({ powerPreference: 'high-performance' }).then(
    (a) => write(a ? { info: { vendor: a.info?.vendor, architecture: a.info?.architecture, device: a.info?.device,
      description: a.info?.description, fallback: a.isFallbackAdapter === true } } : { adapter: null }),
    (e) => write({ error: String(e && e.message || e).split('\\n')[0] }));
} catch (e) { write({ error: String(e && e.message || e).split('\\n')[0] }); }`;

/** How long a WebGPU probe may take (Dawn's Vulkan start-up on a busy machine) before it counts as failed. */
const PROBE_TIMEOUT_MS = 60_000;

/**
 * Asks Dawn for its adapter in a child process, so that a process that will not train on WebGPU never
 * loads Dawn (nor prints its native warnings). Returns why WebGPU is skipped, or null when the adapter
 * would be used (then Dawn loads in this process). Where `webgpu` cannot be resolved as a file (a
 * bundle that inlines it), returns null and the in-process probe decides.
 */
async function probeWebGpuInChild(): Promise<string | null> {
  let dawnEntry: string;
  try {
    dawnEntry = require.resolve('webgpu');
  } catch {
    return null;
  }
  const report = await new Promise<ProbeReport | string>((resolve) => {
    execFile(
      process.execPath,
      ['-e', PROBE_SCRIPT, dawnEntry],
      { timeout: PROBE_TIMEOUT_MS, encoding: 'utf8', maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        const line = stdout.trim().split('\n').pop() ?? '';
        // Dawn's noise is detail: shown with QUIVER_LOG_LEVEL=DEBUG only, never to an activity logger.
        if (stderr.trim() && backendDebugLogging())
          log(`WebGPU probe (child process) printed: ${firstLine(stderr)}`);
        try {
          return resolve(JSON.parse(line) as ProbeReport);
        } catch {
          resolve(`the WebGPU probe process failed: ${firstLine(error?.message ?? (stderr || 'no report'))}`);
        }
      },
    );
  });
  if (typeof report === 'string') return report;
  if ('error' in report) return `webgpu failed to load: ${report.error}`;
  if (!('info' in report)) return 'Dawn found no WebGPU adapter (no Vulkan/Metal/D3D12 driver?)';
  const info = report.info ?? {};
  const software = info.architecture === 'software' || info.fallback === true;
  return software && !softwareGpuAccepted() ? softwareRefusal(adapterLabel(info)) : null;
}

function adapterLabel(info: NonNullable<GpuAdapterLike['info']>): string {
  return [info.vendor, info.device || info.description].filter(Boolean).join(' ') || 'unknown adapter';
}

function softwareRefusal(label: string): string {
  return `only a software WebGPU adapter (${label}); set ${ACCEPT_SOFTWARE_GPU_ENV}=1 (worker --accept-software-gpu) to train on it`;
}

/** Where the Vulkan loader looks for driver manifests (ICDs) on Linux. */
const VULKAN_ICD_DIRS = [
  '/usr/share/vulkan/icd.d',
  '/etc/vulkan/icd.d',
  '/usr/local/share/vulkan/icd.d',
  '/usr/share/nvidia',
];

/**
 * On Linux with no Vulkan driver manifest anywhere the loader looks, the reason WebGPU cannot work;
 * else null. Checked before Dawn loads: Dawn would print a Vulkan warning with a native stack line to
 * stderr (which no JavaScript can silence) on every start of a process that probes backends.
 * VK_ICD_FILENAMES / VK_DRIVER_FILES (drivers elsewhere) and other platforms skip the check.
 */
export function missingVulkanDriver(icdDirs: readonly string[] = VULKAN_ICD_DIRS): string | null {
  if (process.platform !== 'linux' || process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES)
    return null;
  const hasManifest = (dir: string) => {
    try {
      return fs.readdirSync(dir).some((f) => f.endsWith('.json'));
    } catch {
      return false;
    }
  };
  return icdDirs.some(hasManifest)
    ? null
    : `no Vulkan driver installed (no ICD manifest in ${icdDirs.slice(0, 2).join(' or ')})`;
}

/** One gradient step's worth of ops, checked against the closed form: a backend that loads but computes garbage is skipped. */
async function smokeTest(): Promise<void> {
  const grad = tf.tidy(() => {
    const a = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    return tf.grad((x: tf.Tensor) => tf.sum(tf.relu(tf.matMul(x as tf.Tensor2D, x as tf.Tensor2D))))(a);
  });
  // Asynchronous read: WebGPU in Node has no synchronous download path (it needs OffscreenCanvas).
  const values = await grad.data();
  grad.dispose();
  const expected = [7, 11, 9, 13];
  if (!expected.every((v, i) => Math.abs(values[i] - v) < 1e-4)) {
    throw new Skip(
      `smoke test computed [${Array.from(values).join(', ')}], expected [${expected.join(', ')}]`,
    );
  }
}

const memo = new Map<string, Promise<BackendInfo>>();
const loggedSkips = new Set<string>();
/** The backend the last `initBackend` call activated. */
let current: BackendInfo | undefined;

function parseRequest(preferred: string | undefined): BackendName | 'auto' {
  const fromEnv = process.env[BACKEND_ENV]?.trim();
  const request = (preferred ?? (fromEnv || 'auto')).toLowerCase();
  if (request === 'auto') return 'auto';
  if ((BACKENDS as readonly string[]).includes(request)) return request as BackendName;
  const source = preferred !== undefined ? 'requested backend' : BACKEND_ENV;
  throw new BackendUnavailableError(`${source} "${request}" is not one of: auto, ${BACKENDS.join(', ')}`);
}

async function select(request: BackendName | 'auto'): Promise<BackendInfo> {
  const candidates = request === 'auto' ? BACKENDS : [request];
  const fellBackFrom: BackendInfo['fellBackFrom'] = [];
  for (const backend of candidates) {
    try {
      const device = await loaders[backend]();
      await smokeTest();
      return { backend, device, fellBackFrom };
    } catch (err) {
      const reason =
        err instanceof Skip ? err.message : `failed: ${firstLine(String((err as Error)?.message ?? err))}`;
      if (request !== 'auto') {
        throw new BackendUnavailableError(`TensorFlow.js backend "${backend}" is unavailable: ${reason}`, {
          cause: err,
        });
      }
      fellBackFrom.push({ backend, reason });
      if (!loggedSkips.has(backend)) {
        loggedSkips.add(backend);
        log(`training backend ${backend} skipped: ${reason}`);
      }
    }
  }
  // Unreachable in practice: the pure-JS cpu backend always loads.
  throw new BackendUnavailableError(
    `no TensorFlow.js backend could be used: ${fellBackFrom.map((f) => `${f.backend}: ${f.reason}`).join('; ')}`,
  );
}

/**
 * Picks and activates the TensorFlow.js backend: `preferred` (or `QUIVER_TF_BACKEND`) forces one and
 * throws BackendUnavailableError, naming why, if it cannot load; otherwise the ladder is walked,
 * fastest first. Memoised per request: repeated calls cost nothing. A later call asking for a
 * different backend switches the process-wide tf.js backend.
 */
export async function initBackend(preferred?: string): Promise<BackendInfo> {
  const request = parseRequest(preferred);
  let pending = memo.get(request);
  if (!pending) {
    pending = select(request);
    memo.set(request, pending);
    pending.catch(() => memo.delete(request));
  }
  const info = await pending;
  // Another request may have switched the global backend since; switch back (cheap when unchanged).
  if (tf.getBackend() !== tfBackendName(info.backend)) await tf.setBackend(tfBackendName(info.backend));
  current = info;
  return copy(info);
}

/**
 * The backend already in use if `initBackend` ran in this process, else `initBackend()`: for code
 * that only needs *a* backend (loading a model to predict) and must not switch a forced one.
 */
export async function ensureBackend(): Promise<BackendInfo> {
  return current && tf.getBackend() === tfBackendName(current.backend) ? copy(current) : initBackend();
}

function copy(info: BackendInfo): BackendInfo {
  return { ...info, fellBackFrom: info.fellBackFrom.map((f) => ({ ...f })) };
}

/** The backend in a few words, e.g. `wasm · cpu (wasm simd, 1 thread)`: a worker's quiet start-up line. */
export function backendSummary(info: BackendInfo): string {
  return `${info.backend} · ${info.device}`;
}

/** The backend `initBackend` last activated in this process, if any (`quiver serve` names it). */
export function activeBackend(): BackendInfo | undefined {
  return current ? copy(current) : undefined;
}

/** One line with every skipped backend and why, e.g. `webgpu · mesa llvmpipe (software)` (DEBUG detail). */
export function describeBackend(info: BackendInfo): string {
  const skipped = info.fellBackFrom.map((f) => `${f.backend}: ${f.reason}`);
  return `${info.backend} · ${info.device}${skipped.length ? ` (skipped ${skipped.join('; ')})` : ''}`;
}

function tfBackendName(backend: BackendName): string {
  return backend === 'tfjs-node' || backend === 'tfjs-node-gpu' ? 'tensorflow' : backend;
}
