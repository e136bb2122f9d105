import { loadConfig, temporalAddressField, type QuiverConfig } from '../core/config';
import { QuiverError, TemporalUnreachableError } from '../core/errors';
import { isTemporalReachable } from '../infra/ports';
import { clientUiUrl } from '../infra/ui-record';
import type { DevServer } from '../infra/dev-server';
import { signalExitCode, STOP_SIGNALS, stopWhenParentDies } from '../infra/lifecycle';
import type { RunningWorkers } from '../worker/workers';
import type { QueueName } from '../core/queues';
import type { QuiverClient } from './api';

/** Flags every command shares; each overrides its environment variable. */
export interface GlobalFlags {
  json?: boolean;
  address?: string;
  namespace?: string;
  home?: string;
  /** `--metrics-port`: workers this process runs expose Prometheus metrics there (checked by commander). */
  metricsPort?: number;
}

/** What a command talks to: a client, and whatever this process started (server, workers). */
export interface Environment {
  config: QuiverConfig;
  client: QuiverClient;
  address: string;
  uiUrl: string;
  server?: DevServer;
  workers?: RunningWorkers;
  close(): Promise<void>;
}

export function configFrom(flags: GlobalFlags): QuiverConfig {
  return loadConfig(process.env, {
    home: flags.home,
    namespace: flags.namespace,
    temporalAddress: flags.address,
    metricsPort: flags.metricsPort,
  });
}

/**
 * Connects to Temporal. With `embedded`, a missing server is started (dev server under QUIVER_HOME)
 * and workers for `queues` run in this process; without it, nothing listening is an error.
 */
export async function openEnvironment(
  flags: GlobalFlags,
  options: { embedded: boolean; queues?: QueueName[]; log?: (message: string) => void },
): Promise<Environment> {
  const config = configFrom(flags);
  const log = options.log ?? (() => undefined);
  // Workers' settings are bad input before any server is looked for or started (exit 2, naming them).
  if (options.queues?.length)
    (
      require('../worker/worker-settings') as typeof import('../worker/worker-settings')
    ).checkWorkerSettings();
  let address: string;
  let uiUrl: string;
  let server: DevServer | undefined;
  if (options.embedded) {
    // The dev server's database and logs live under home: an unusable one fails now, naming the path.
    (require('./local-run-home') as typeof import('./local-run-home')).ensureWritableHome(config.home);
    // Loaded on demand: commands that need no server or workers must not pay for them at start-up.
    const { ensureTemporal } = require('../infra/ensure-server') as typeof import('../infra/ensure-server');
    ({ address, uiUrl, server } = await ensureTemporal(
      config,
      log,
      temporalAddressField(Boolean(flags.address)),
    ));
  } else {
    address = config.temporalAddress ?? `127.0.0.1:${config.devServerPort}`;
    // The same link form `demo` and `up` print for this server (loopback written `localhost`), to the
    // UI `quiver up` recorded for it when the environment names none.
    uiUrl = clientUiUrl(config, address);
    if (!(await isTemporalReachable(address))) {
      // Name where the address came from, so the fix is in the right place.
      const field = temporalAddressField(Boolean(flags.address));
      throw new TemporalUnreachableError(
        flags.address || config.temporalAddress
          ? `no Temporal server answers at ${address} (${field}): check it, or start one with \`npx quiver up\``
          : `no Temporal server answers at ${address}: start one with \`npx quiver up\`, or point --address or TEMPORAL_ADDRESS at one`,
        { field },
      );
    }
  }
  const workers = options.queues?.length
    ? await (require('../worker/workers') as typeof import('../worker/workers')).createWorkers({
        config,
        address,
        queues: options.queues,
      })
    : undefined;
  const running = workers?.run();
  const { QuiverClient } = require('./api') as typeof import('./api');
  const client = await QuiverClient.connect({
    address,
    namespace: config.namespace,
    uiUrl,
    taskQueues: config.taskQueues,
    store: config.store,
    home: config.home,
  });
  let closing: Promise<void> | undefined;
  const environment: Environment = {
    config,
    client,
    address,
    uiUrl,
    server,
    workers,
    close() {
      // Workers first (in-flight steps end or are cancelled), then the client, then the server they used.
      closing ??= (async () => {
        await workers?.shutdown();
        await running;
        await client.close();
        await server?.stop();
      })();
      return closing;
    },
  };
  if (workers || server) stopOnSignals(environment);
  return environment;
}

/**
 * A process that runs workers or a server stops them on SIGINT, SIGTERM and SIGHUP, and when its
 * parent dies, then exits as the signal would have it (128 + n). A second signal exits at once (the
 * server's exit hook and watchdog still stop it).
 */
function stopOnSignals(environment: Environment): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(signalExitCode(signal));
    stopping = true;
    void environment.close().finally(() => process.exit(signalExitCode(signal)));
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  stopWhenParentDies();
}

/** Opens an environment, runs `body` with it, and always closes it (workers, then any server it started). */
export async function withEnvironment<T>(
  flags: GlobalFlags,
  options: Parameters<typeof openEnvironment>[1],
  body: (env: Environment) => Promise<T>,
): Promise<T> {
  const env = await openEnvironment(flags, options);
  try {
    return await body(env);
  } catch (error) {
    throw unanswered(error, env.address);
  } finally {
    await env.close();
  }
}

/**
 * A Temporal call the server left unanswered past the connection's default deadline (schedules,
 * checkpoints gc: `DEFAULT_CALL_DEADLINE_MS`) as the one line every command gives, naming the server
 * (TemporalUnreachableError, exit 3); any other error as it is.
 */
export function unanswered(error: unknown, address: string): unknown {
  // Quiver's own errors say what happened already: nothing to load for them.
  if (error instanceof QuiverError) return error;
  // Loaded only on this path: the Temporal client's modules are heavy for a command that needs none.
  const { unansweredAs } = require('./api') as typeof import('./api');
  const { DEFAULT_CALL_DEADLINE_MS } =
    require('../infra/temporal-connection') as typeof import('../infra/temporal-connection');
  return unansweredAs(error, 'finish the command', address, DEFAULT_CALL_DEADLINE_MS);
}
