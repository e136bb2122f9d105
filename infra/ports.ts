import net from 'node:net';

/** Splits `host:port` (or `[ipv6]:port`) into its parts; the port defaults to Temporal's 7233. */
export function parseAddress(address: string): { host: string; port: number } {
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(address) ?? /^([^:]+)(?::(\d+))?$/.exec(address);
  if (!match) throw new Error(`Not a host:port address: ${address}`);
  return { host: match[1], port: match[2] ? Number(match[2]) : 7233 };
}

/** A host as links and comparisons write it: any loopback address (`127.0.0.1`, `::1`, …) as `localhost`. */
export function linkHost(host: string): string {
  return ['127.0.0.1', '::1', '[::1]', 'localhost', '0.0.0.0'].includes(host.toLowerCase())
    ? 'localhost'
    : host;
}

/**
 * The Temporal UI link every command prints for a server at `address`: TEMPORAL_UI_URL when set, else
 * the UI port on the server's host, with any loopback address written `localhost` (one form, whether
 * `demo`, `up` or `run` prints it).
 */
export function temporalUiUrl(address: string | undefined, uiPort: number): string {
  if (process.env.TEMPORAL_UI_URL) return process.env.TEMPORAL_UI_URL;
  return `http://${linkHost(address ? parseAddress(address).host : 'localhost')}:${uiPort}`;
}

/** True when a TCP connection to `address` opens within `timeoutMs`: something is listening there. */
export async function isTemporalReachable(address: string, timeoutMs = 1500): Promise<boolean> {
  const { host, port } = parseAddress(address);
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (reachable: boolean) => {
      socket.destroy();
      resolve(reachable);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when nothing listens on `host:port`, so a server may bind it. */
export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  // The bind check catches listeners on this or a wildcard address; the connect check catches the rest.
  const bindable = await new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
  return bindable && !(await isTemporalReachable(`${host}:${port}`, 500));
}

/** `count` distinct TCP ports that the OS reports free right now (all held open together, so no repeats). */
export async function findFreePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen({ port: 0, host }, () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** A TCP port on 127.0.0.1 that the OS reports free right now. */
export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  const [port] = await findFreePorts(1, host);
  return port;
}
