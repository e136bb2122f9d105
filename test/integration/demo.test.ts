import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findFreePorts, isPortFree } from '../../infra/ports';
import { quiver } from '../support/cli';

/** `quiver demo --exit` as a newcomer runs it: its own dev server, its own workers, then a clean exit. */
describe('quiver demo --exit', () => {
  it('starts the embedded server, deploys the iris model, prints the UI link, and leaves nothing running', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-demo-'));
    const [port, uiPort] = await findFreePorts(2);
    const { TEMPORAL_ADDRESS: _address, QUIVER_STORE: _store, ...inherited } = process.env;
    const env = {
      ...inherited,
      QUIVER_HOME: home,
      QUIVER_TEMPORAL_PORT: String(port),
      QUIVER_UI_PORT: String(uiPort),
    };
    const result = await quiver(['demo', '--exit'], env, 180_000);
    expect(result.code, result.stderr).toBe(0);
    const output = result.stdout + result.stderr;
    for (const step of ['ingest', 'sanity', 'features', 'train', 'validate', 'deploy'])
      expect(output).toMatch(new RegExp(`✓ ${step}\\s`));
    expect(output).toContain('model iris version 1 → alias production');
    expect(output).toMatch(
      new RegExp(`Temporal UI: http://localhost:${uiPort}/namespaces/default/workflows/quiver-iris-`),
    );
    // The server's database lives under QUIVER_HOME, and the server is gone once the demo exits.
    expect(fs.existsSync(path.join(home, 'temporal.db'))).toBe(true);
    expect(await isPortFree(port)).toBe(true);
    expect(await isPortFree(uiPort)).toBe(true);
    fs.rmSync(home, { recursive: true, force: true });
  });
});
