import type { QuiverConfig, TemporalAddressField } from '../core/config';
import { loopbackPort } from '../core/host-port';
import { TemporalUnreachableError } from '../core/errors';
import { startDevServer, type DevServer } from './dev-server';
import { isTemporalReachable } from './ports';
import { clientUiUrl } from './ui-record';
import { QUIVER_SEARCH_ATTRIBUTES } from './search-attributes';
import type { Log } from './temporal-cli';
import { connectTemporal, ensureNamespace, ensureSearchAttributes } from './temporal-setup';

export interface TemporalEndpoint {
  address: string;
  uiUrl: string;
  /** Set when this call started the embedded dev server: the caller stops it on shutdown. */
  server?: DevServer;
}

/**
 * Finds the Temporal server Quiver should use:
 * 1. `config.temporalAddress` (`TEMPORAL_ADDRESS`) when set; it must be reachable, unless it is where
 *    the embedded dev server listens (`localhost:7233`, `127.0.0.1:7233`), where one is started on its port;
 * 2. a server already listening on 127.0.0.1:`config.devServerPort` (another `quiver up`), reused;
 * 3. otherwise a new embedded dev server with its database under `config.home`.
 * In cases 1 and 2 the namespace's missing Quiver search attributes are added when the server allows.
 * `field` names the setting that gave the address (`--address` or `TEMPORAL_ADDRESS`), for errors.
 *
 * @throws TemporalUnreachableError (exit 3, `field`) when the address given does not answer
 */
export async function ensureTemporal(
  config: QuiverConfig,
  log: Log = (message) => process.stderr.write(`[quiver] ${message}\n`),
  field: TemporalAddressField = 'TEMPORAL_ADDRESS',
): Promise<TemporalEndpoint> {
  if (config.temporalAddress) {
    const address = config.temporalAddress;
    const ownPort = loopbackPort(address);
    if (ownPort !== null && !(await isTemporalReachable(address, 1_000))) {
      // The address names this machine and nothing answers there: the embedded server takes it, so
      // clients in other shells with the same TEMPORAL_ADDRESS find it.
      return startEmbedded(config, ownPort, log, {
        portSetting: field,
        announce: `Nothing answers at ${address} (this machine): starting the embedded dev server there`,
      });
    }
    if (!(await isTemporalReachable(address, 5_000))) {
      throw new TemporalUnreachableError(
        `no Temporal server answers at ${address} (${field}): start that server, fix the address, ` +
          `or leave ${field} out to let Quiver start its embedded dev server`,
        { field },
      );
    }
    // A cluster's UI lives wherever its operators put it; TEMPORAL_UI_URL says where.
    const uiUrl = clientUiUrl(config, address);
    await prepare(address, config.namespace, log, false, field);
    return { address, uiUrl };
  }

  const local = `127.0.0.1:${config.devServerPort}`;
  if (await isTemporalReachable(local, 1_000)) {
    // Said once it answered as Temporal: what listens there may be another program.
    await prepare(local, config.namespace, log, true, 'QUIVER_TEMPORAL_PORT');
    log(`Reusing the Temporal server already listening on ${local}`);
    // Another `quiver up`'s server: its UI is where that up recorded it, whatever its QUIVER_UI_PORT.
    return { address: local, uiUrl: clientUiUrl(config, local) };
  }

  return startEmbedded(config, config.devServerPort, log);
}

/**
 * Starts the embedded dev server on 127.0.0.1:`port`, its database under `config.home`; `announce` is
 * logged once its ports are known free (see startDevServer).
 *
 * @throws ConfigError (exit 2) naming `portSetting` or QUIVER_UI_PORT when a port is taken
 */
async function startEmbedded(
  config: QuiverConfig,
  port: number,
  log: Log,
  options: { portSetting?: string; announce?: string } = {},
): Promise<TemporalEndpoint> {
  const server = await startDevServer({
    home: config.home,
    port,
    uiPort: config.uiPort,
    namespace: config.namespace,
    log,
    ...options,
  });
  return { address: server.address, uiUrl: server.uiUrl, server };
}

/**
 * Registers what Quiver needs on a server it did not start; only a local dev server gets its namespace
 * created. `field` names the setting that chose the address, for the error.
 *
 * @throws TemporalUnreachableError (exit 3) when what listens there is no Temporal frontend
 */
async function prepare(
  address: string,
  namespace: string,
  log: Log,
  local: boolean,
  field: TemporalAddressField | 'QUIVER_TEMPORAL_PORT',
): Promise<void> {
  let connection;
  try {
    connection = await connectTemporal(address, 10_000);
  } catch (error) {
    throw new TemporalUnreachableError(
      `something listens on ${address} (${field}) but it does not answer as a Temporal frontend: ` +
        (local
          ? 'set QUIVER_TEMPORAL_PORT to a free port to start Quiver its own dev server'
          : `point ${field} at a Temporal frontend's gRPC port (7233 by default; not its UI's)`),
      { field, cause: error },
    );
  }
  try {
    const registered = local && (await ensureNamespace(connection, namespace));
    if (registered) log(`Registered namespace ${namespace}`);
    const added = await ensureSearchAttributes(connection, namespace, registered ? 30_000 : 0);
    if (added.length) log(`Registered search attributes ${added.join(', ')} in namespace ${namespace}`);
  } catch (error) {
    // Clusters may forbid operator calls: say what an operator has to run instead of failing here.
    const types = [...new Set(Object.values(QUIVER_SEARCH_ATTRIBUTES))];
    const commands = types.map((type) => {
      const names = Object.entries(QUIVER_SEARCH_ATTRIBUTES).filter(([, t]) => t === type);
      const flags = names.map(([name]) => `--name ${name}`).join(' ');
      return `temporal operator search-attribute create --address ${address} --namespace ${namespace} ${flags} --type ${type}`;
    });
    log(
      `Could not check Quiver's search attributes in namespace ${namespace} on ${address} (${String(error)}). ` +
        `If runs fail to upsert them, register them once:\n  ${commands.join('\n  ')}`,
    );
  } finally {
    await connection.close();
  }
}
