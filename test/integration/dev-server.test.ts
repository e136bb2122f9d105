import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigError, TemporalUnreachableError } from '../../core/errors';
import { loadConfig } from '../../core/config';
import { startDevServer } from '../../infra/dev-server';
import { ensureTemporal } from '../../infra/ensure-server';
import { findFreePorts, isPortFree, isTemporalReachable, parseAddress } from '../../infra/ports';
import { QUIVER_SEARCH_ATTRIBUTES } from '../../infra/search-attributes';
import { ensureTemporalCli } from '../../infra/temporal-cli';
import { connectTestTemporal } from '../helpers/temporal';

const execFileAsync = promisify(execFile);

// The search attributes the product spec names, with Temporal's IndexedValueType numbers (2 Keyword, 3 Int).
const EXPECTED_SEARCH_ATTRIBUTES = {
  QuiverPipeline: 2,
  QuiverStatus: 2,
  QuiverStep: 2,
  QuiverDatasetSha: 2,
  QuiverModelVersion: 3,
};

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the test run’s Temporal dev server', () => {
  let connection: Connection;
  beforeAll(async () => {
    connection = await connectTestTemporal();
  });
  afterAll(async () => {
    await connection?.close();
  });

  it('answers on the provided address, also exported as TEMPORAL_ADDRESS', async () => {
    const address = inject('temporalAddress');
    expect(process.env.TEMPORAL_ADDRESS).toBe(address);
    expect(await isTemporalReachable(address)).toBe(true);
    const { namespaceInfo } = await connection.workflowService.describeNamespace({ namespace: 'default' });
    expect(namespaceInfo?.name).toBe('default');
    expect(inject('temporalUiUrl')).toMatch(/^http:\/\/localhost:\d+$/);
  });

  it('has every Quiver search attribute registered with its type', async () => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({
      namespace: 'default',
    });
    for (const [name, type] of Object.entries(EXPECTED_SEARCH_ATTRIBUTES)) {
      expect(customAttributes?.[name], name).toBe(type);
    }
    expect(Object.keys(QUIVER_SEARCH_ATTRIBUTES).sort()).toEqual(
      Object.keys(EXPECTED_SEARCH_ATTRIBUTES).sort(),
    );
  });
});

describe('startDevServer', () => {
  let home: string;
  beforeAll(async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'quiver-dev-server-test-'));
  });
  afterAll(async () => {
    await fs.rm(home, { recursive: true, force: true });
  });

  it('refuses an occupied frontend port: a ConfigError (exit 2) naming the port and QUIVER_TEMPORAL_PORT', async () => {
    const { port } = parseAddress(inject('temporalAddress'));
    const [uiPort] = await findFreePorts(1);
    const attempt = startDevServer({ home, port, uiPort, dbFile: ':memory:', log: () => {} });
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toMatchObject({ field: 'QUIVER_TEMPORAL_PORT' });
    await expect(attempt).rejects.toThrow(new RegExp(`Port ${port} .*QUIVER_TEMPORAL_PORT`));
  });

  it('refuses an occupied UI port: a ConfigError (exit 2) naming the port and QUIVER_UI_PORT', async () => {
    const uiPort = Number(new URL(inject('temporalUiUrl')).port);
    const [port] = await findFreePorts(1);
    const attempt = startDevServer({ home, port, uiPort, dbFile: ':memory:', log: () => {} });
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toMatchObject({ field: 'QUIVER_UI_PORT' });
    await expect(attempt).rejects.toThrow(new RegExp(`Port ${uiPort} .*QUIVER_UI_PORT`));
  });

  it('refuses a UI port equal to the frontend port before starting anything, naming QUIVER_UI_PORT', async () => {
    const [port] = await findFreePorts(1);
    const refusal = await startDevServer({ home, port, uiPort: port, log: () => undefined }).catch(
      (e: unknown) => e,
    );
    expect(refusal).toBeInstanceOf(ConfigError);
    expect(refusal).toMatchObject({ field: 'QUIVER_UI_PORT' });
    expect(await isPortFree(port)).toBe(true);
  });

  it('starts a server with its database under home, and stop() leaves no process behind', async () => {
    const [port, uiPort] = await findFreePorts(2);
    const messages: string[] = [];
    const server = await startDevServer({
      home,
      port,
      uiPort,
      namespace: 'quiver-test',
      log: (m) => messages.push(m),
    });
    try {
      expect(server.address).toBe(`127.0.0.1:${port}`);
      expect(isRunning(server.pid)).toBe(true);
      expect(messages.join('\n')).toMatch(/ready at 127\.0\.0\.1:\d+/);
      await expect(fs.stat(path.join(home, 'temporal.db'))).resolves.toBeTruthy();
    } finally {
      await server.stop();
    }
    expect(isRunning(server.pid)).toBe(false);
    expect(await isTemporalReachable(server.address, 500)).toBe(false);
    await server.stop(); // idempotent
  });
});

describe('ensureTemporalCli', () => {
  it('returns the same runnable binary every time, instantly once found', async () => {
    const first = await ensureTemporalCli(() => {});
    await expect(fs.access(first, fs.constants.X_OK)).resolves.toBeUndefined();
    const started = performance.now();
    const second = await ensureTemporalCli(() => {});
    expect(second).toBe(first);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('lets a fresh process find the same binary without installing again', async () => {
    const first = await ensureTemporalCli(() => {});
    const started = performance.now();
    const { stdout } = await execFileAsync(process.execPath, ['-r', 'tsx/cjs', 'infra/install-temporal.ts'], {
      timeout: 30_000,
    });
    expect(stdout.trim()).toBe(first);
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});

describe('ensureTemporal (what `quiver up` and `demo` run)', () => {
  it('starts the embedded server on the port of a TEMPORAL_ADDRESS that names this machine and finds nothing', async () => {
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'quiver-up-loopback-'));
    const [port, uiPort] = await findFreePorts(2);
    const config = loadConfig(
      { QUIVER_HOME: home, TEMPORAL_ADDRESS: `localhost:${port}`, QUIVER_UI_PORT: String(uiPort) },
      {},
    );
    const messages: string[] = [];
    const endpoint = await ensureTemporal(config, (m) => messages.push(m));
    try {
      expect(endpoint.server).toBeDefined();
      expect(endpoint.address).toBe(`127.0.0.1:${port}`);
      expect(messages.join('\n')).toContain(`Nothing answers at localhost:${port} (this machine)`);
      // A client in another shell, with the same TEMPORAL_ADDRESS, finds it.
      expect(await isTemporalReachable(`localhost:${port}`, 5_000)).toBe(true);
    } finally {
      await endpoint.server?.stop();
    }
  });

  it('still refuses a TEMPORAL_ADDRESS on another host that does not answer: exit 3, naming the setting', async () => {
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'quiver-up-remote-'));
    const config = loadConfig({ QUIVER_HOME: home, TEMPORAL_ADDRESS: 'temporal.invalid:7233' }, {});
    const refusal = await ensureTemporal(config, () => {}).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(TemporalUnreachableError);
    expect(refusal).toMatchObject({ field: 'TEMPORAL_ADDRESS' });
    expect((refusal as Error).message).toMatch(
      /no Temporal server answers at temporal\.invalid:7233 \(TEMPORAL_ADDRESS\)/,
    );
    const flagged = await ensureTemporal(config, () => {}, '--address').catch((e: unknown) => e);
    expect(flagged).toMatchObject({ field: '--address' });
  });

  it('refuses an address where something other than Temporal listens: exit 3, naming the setting', async () => {
    const net = await import('node:net');
    // An HTTP-ish listener (a UI port, say): answers garbage to the gRPC client, which resets.
    const listener = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const { port } = listener.address() as { port: number };
    try {
      const home = await fs.mkdtemp(path.join(os.tmpdir(), 'quiver-up-not-temporal-'));
      const config = loadConfig({ QUIVER_HOME: home, TEMPORAL_ADDRESS: `127.0.0.1:${port}` }, {});
      const refusal = await ensureTemporal(config, () => {}, '--address').catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(TemporalUnreachableError);
      expect(refusal).toMatchObject({ field: '--address' });
      expect((refusal as Error).message).toMatch(
        /does not answer as a Temporal frontend: point --address at/,
      );
      // The same listener on the local default port: refused before any line says it is reused.
      const lines: string[] = [];
      const local = loadConfig({ QUIVER_HOME: home, QUIVER_TEMPORAL_PORT: String(port) }, {});
      const reuse = await ensureTemporal(local, (line) => lines.push(line)).catch((e: unknown) => e);
      expect(reuse).toBeInstanceOf(TemporalUnreachableError);
      expect(reuse).toMatchObject({ field: 'QUIVER_TEMPORAL_PORT' });
      expect(lines.filter((line) => line.startsWith('Reusing'))).toEqual([]);
    } finally {
      listener.close();
    }
  });

  it('an address on this machine with a taken UI port: refused before any line says it starts there', async () => {
    const [port] = await findFreePorts(1);
    const uiPort = Number(new URL(inject('temporalUiUrl')).port);
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'quiver-up-taken-ui-'));
    const lines: string[] = [];
    const config = loadConfig(
      { QUIVER_HOME: home, TEMPORAL_ADDRESS: `127.0.0.1:${port}`, QUIVER_UI_PORT: String(uiPort) },
      {},
    );
    try {
      const refusal = await ensureTemporal(config, (line) => lines.push(line)).catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(ConfigError);
      expect(refusal).toMatchObject({ field: 'QUIVER_UI_PORT' });
      expect(lines).toEqual([]);
      expect(await isPortFree(port)).toBe(true);
    } finally {
      await fs.rm(home, { recursive: true, force: true });
    }
  });
});
