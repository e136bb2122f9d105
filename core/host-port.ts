/** A host-name label: letters, digits, `-` and `_`, neither first nor last a `-`. */
const LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?';
const HOST_PORT = new RegExp(`^(\\[[0-9a-fA-F:.]+\\]|${LABEL}(?:\\.${LABEL})*):([1-9]\\d{0,4})$`);

/**
 * What is wrong with a Temporal frontend address written `host:port`, or null when nothing is: the one
 * check behind `--address` and `TEMPORAL_ADDRESS`, so a typo is bad input (exit 2) rather than a
 * connection error. The host is a bracketed IPv6 address or dot-separated labels of letters, digits,
 * `-` and `_` that neither start nor end with `-` (an IPv4 address is such a name; `_` because Docker
 * and Compose name services `project_temporal_1` and their DNS resolves them); the port is 1 to 65535,
 * written without a leading zero. Surrounding blanks are ignored.
 */
export function hostPortProblem(text: string): string | null {
  const match = HOST_PORT.exec(text.trim());
  if (match && Number(match[2]) <= 65535) return null;
  return 'Expected host:port with a port from 1 to 65535 (e.g. 127.0.0.1:7233).';
}

/**
 * The port of a `host:port` address where the embedded dev server can be started and found: it
 * listens on 127.0.0.1, so the host must be `127.0.0.1` or `localhost`; null for any other host
 * (another loopback such as `[::1]` or `127.0.0.2` included: the server would not answer there) or a
 * malformed address.
 */
export function loopbackPort(address: string): number | null {
  const match = HOST_PORT.exec(address.trim());
  if (!match || Number(match[2]) > 65535) return null;
  const host = match[1].toLowerCase();
  return host === 'localhost' || host === '127.0.0.1' ? Number(match[2]) : null;
}
