import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_UI_PORT, type QuiverConfig } from '../core/config';
import { linkHost, parseAddress, temporalUiUrl } from './ports';
import { isAlive } from './process-alive';

// `quiver up` may run its Temporal UI on any port (QUIVER_UI_PORT), which a client in another shell
// cannot guess: up records where it is under QUIVER_HOME, and clients link to it from there.

/** The file under QUIVER_HOME where `quiver up` records its server and UI. */
export const UI_RECORD_FILE = 'temporal-ui.json';

/** What `quiver up` records: the frontend it serves, its UI's URL, and its process (stale once gone). */
export interface UiRecord {
  address: string;
  uiUrl: string;
  pid: number;
}

/**
 * Records `uiUrl` as the UI of the server at `address` for clients using `home`; returns the function
 * that removes the record again (only while it is still this process's: another `up` may have
 * replaced it). Best effort: a home that cannot take the file only costs clients the link.
 */
export function recordUi(home: string, address: string, uiUrl: string, pid = process.pid): () => void {
  const file = path.join(home, UI_RECORD_FILE);
  try {
    fs.writeFileSync(file, `${JSON.stringify({ address, uiUrl, pid } satisfies UiRecord)}\n`);
  } catch {
    return () => undefined;
  }
  return () => {
    if (readRecord(home)?.pid === pid) fs.rmSync(file, { force: true });
  };
}

function readRecord(home: string): UiRecord | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(path.join(home, UI_RECORD_FILE), 'utf8')) as Partial<UiRecord>;
    const { address, uiUrl, pid } = record;
    return typeof address === 'string' && typeof uiUrl === 'string' && typeof pid === 'number'
      ? { address, uiUrl, pid }
      : undefined;
  } catch {
    return undefined;
  }
}

/** `host:port` with loopback hosts as one (`127.0.0.1:7233` and `localhost:7233` are the same server). */
function sameServer(a: string, b: string): boolean {
  const key = (address: string) => {
    const { host, port } = parseAddress(address.trim());
    return `${linkHost(host).toLowerCase()}:${port}`;
  };
  try {
    return key(a) === key(b);
  } catch {
    return false;
  }
}

/** The UI URL `quiver up` recorded under `home` for the server at `address`; undefined when none, stale or another's. */
export function recordedUiUrl(home: string, address: string): string | undefined {
  const record = readRecord(home);
  if (!record || !sameServer(record.address, address) || !isAlive(record.pid)) return undefined;
  return record.uiUrl;
}

/**
 * The Temporal UI a client links to for the server at `address`: what the environment says
 * (TEMPORAL_UI_URL, or QUIVER_UI_PORT on the server's host), else what `quiver up` recorded under
 * QUIVER_HOME for that same server, else port 8233 on the server's host. A QUIVER_UI_PORT equal to
 * the port of `address` is the frontend's, never its UI's (the dev server refuses to share one), so
 * it is passed over.
 */
export function clientUiUrl(config: QuiverConfig, address: string): string {
  const uiPortIsFrontend = config.uiPort === portOfAddress(address);
  const explicit = Boolean(process.env.TEMPORAL_UI_URL || (process.env.QUIVER_UI_PORT && !uiPortIsFrontend));
  return (
    (explicit ? undefined : recordedUiUrl(config.home, address)) ??
    temporalUiUrl(config.temporalAddress, uiPortIsFrontend ? DEFAULT_UI_PORT : config.uiPort)
  );
}

/** The port of `host:port`, or undefined when it does not parse. */
function portOfAddress(address: string): number | undefined {
  try {
    return parseAddress(address.trim()).port;
  } catch {
    return undefined;
  }
}
