import path from 'node:path';
import { ConfigError } from './errors';
import { hostPortProblem } from './host-port';
import { TASK_QUEUES } from './queues';

/** Runtime configuration, read from the environment; CLI flags override individual fields. */
/** The Temporal Web UI's port when QUIVER_UI_PORT does not set one (the dev server's own default). */
export const DEFAULT_UI_PORT = 8233;

export interface QuiverConfig {
  /** Where Quiver keeps its state (store, registry, dev-server database). */
  home: string;
  /** Checkpoint store URI; `file://<home>/checkpoints` unless `QUIVER_STORE` says otherwise. */
  store: string;
  /** Temporal frontend address; undefined means "start or reuse the embedded dev server". */
  temporalAddress?: string;
  namespace: string;
  /** Port of the embedded dev server's frontend and Web UI. */
  devServerPort: number;
  uiPort: number;
  /** Task queue names; `QUIVER_QUEUE_PREFIX` isolates deployments (or test suites) sharing a cluster. */
  taskQueues: { cpu: string; gpu: string };
  /** Port of the workers' Prometheus endpoint (`QUIVER_METRICS_PORT`); unset: no endpoint. */
  metricsPort?: number;
}

/** Fills every configuration field from the environment, with defaults in this one place. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<QuiverConfig> = {}) {
  const home = path.resolve(overrides.home ?? env.QUIVER_HOME ?? '.quiver');
  const config: QuiverConfig = {
    home,
    store: env.QUIVER_STORE || `file://${path.join(home, 'checkpoints')}`,
    // A flag's address wins, so the variable is checked only when it is the one used.
    temporalAddress: overrides.temporalAddress ? undefined : temporalAddressOf(env.TEMPORAL_ADDRESS),
    // Empty is unset, as for TEMPORAL_ADDRESS: the server would refuse an empty namespace.
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    devServerPort: portOf(env.QUIVER_TEMPORAL_PORT, 'QUIVER_TEMPORAL_PORT') ?? 7233,
    uiPort: portOf(env.QUIVER_UI_PORT, 'QUIVER_UI_PORT') ?? DEFAULT_UI_PORT,
    taskQueues: {
      cpu: `${env.QUIVER_QUEUE_PREFIX ?? ''}${TASK_QUEUES.cpu}`,
      gpu: `${env.QUIVER_QUEUE_PREFIX ?? ''}${TASK_QUEUES.gpu}`,
    },
    metricsPort: portOf(env.QUIVER_METRICS_PORT, 'QUIVER_METRICS_PORT'),
    ...stripUndefined(overrides),
  };
  return config;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * A TCP port from the environment variable `name` (1-65535); undefined when unset or empty.
 *
 * @throws ConfigError naming the variable (exit 2) for anything else (`abc`, `0`, `70000`)
 */
export function portOf(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new ConfigError(`${name} must be a TCP port (1-65535), not ${value}`, name);
  return port;
}

/** The settings that can choose the Temporal address, as an error's `field`. */
export type TemporalAddressField = '--address' | 'TEMPORAL_ADDRESS';

/**
 * The setting that chose the Temporal address in use, as an error's `field`: `--address` when the flag
 * gave it, `TEMPORAL_ADDRESS` when the environment did, and `--address` when neither did (the local
 * default): the flag that points a command at another server.
 */
export function temporalAddressField(
  flagged: boolean,
  env: NodeJS.ProcessEnv = process.env,
): TemporalAddressField {
  return flagged || !env.TEMPORAL_ADDRESS ? '--address' : 'TEMPORAL_ADDRESS';
}

/**
 * `TEMPORAL_ADDRESS`, checked as `--address` is (one rule: {@link hostPortProblem}); unset or empty
 * means the embedded dev server.
 *
 * @throws ConfigError naming TEMPORAL_ADDRESS and its value when it is not `host:port`.
 */
export function temporalAddressOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const problem = hostPortProblem(value);
  if (problem)
    throw new ConfigError(`TEMPORAL_ADDRESS '${value}' is not usable: ${problem}`, 'TEMPORAL_ADDRESS');
  return value.trim();
}
