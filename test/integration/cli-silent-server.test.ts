import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quiver } from '../support/cli';
import { REPO } from '../support/pipeline-env';

/**
 * A server that accepts connections and never answers (stopped with SIGSTOP, a black-holed address):
 * every command gives up within its deadline with exit 3 and a JSON error naming the address, rather
 * than hanging until the user's own timeout.
 */
describe('the CLI against a server that never answers', () => {
  let server: net.Server;
  const sockets = new Set<net.Socket>();
  let address = '';
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    server = net.createServer((socket) => {
      sockets.add(socket); // accepted, never answered
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    env = { ...process.env, QUIVER_HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-silent-')) };
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  // Concurrently: each waits out the same 10 s deadline.
  it.concurrent.each([
    ['status', ['status', 'quiver-iris-20261201-000000-abcd']],
    ['runs ls', ['runs', 'ls']],
    ['run', ['run', path.join(REPO, 'pipelines', 'iris.yaml')]],
    ['run --wait', ['run', path.join(REPO, 'pipelines', 'iris.yaml'), '--wait']],
    ['cancel', ['cancel', 'quiver-iris-20261201-000000-abcd']],
  ])('%s exits 3 naming the address', async (_name, args) => {
    const result = await quiver(['--json', '--address', address, ...args], env);
    expect(result.code, result.stderr).toBe(3);
    const report = JSON.parse(result.stdout || result.stderr) as { error: { type: string; message: string } };
    expect(report.error.type).toBe('TemporalUnreachableError');
    expect(report.error.message).toContain(address);
    // One wording whichever client made the call (read path or the Temporal SDK's grpc-js).
    expect(report.error.message).toContain('(no answer within 10000 ms)');
  });

  // Every other call of the Temporal client has a default deadline (infra/temporal-connection.ts).
  it.concurrent.each([
    ['schedule list', ['schedule', 'list']],
    ['checkpoints gc', ['checkpoints', 'gc', '--dry-run']],
  ])(
    '%s exits 3 too, within the default call deadline, in one line naming the address',
    async (_name, args) => {
      // Both forms at once: each waits out the same 20 s deadline.
      const [json, text] = await Promise.all([
        quiver(['--json', '--address', address, ...args], env),
        quiver(['--address', address, ...args], env),
      ]);
      expect(json.code, json.stderr).toBe(3);
      const report = JSON.parse(json.stdout || json.stderr) as { error: { type: string; message: string } };
      expect(report.error.type).toBe('TemporalUnreachableError');
      expect(report.error.message).toContain(`the Temporal server at ${address} did not answer`);
      expect(report.error.message).toContain('(no answer within 20000 ms)');
      // Without --json: that one line, no stack trace.
      expect(text.code).toBe(3);
      expect(text.stderr.trim().split('\n')).toHaveLength(1);
      expect(text.stderr).toContain(address);
    },
  );
});
