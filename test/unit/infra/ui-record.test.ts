import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config';
import { clientUiUrl, recordedUiUrl, recordUi, UI_RECORD_FILE } from '../../../infra/ui-record';

describe('the Temporal UI `quiver up` records under QUIVER_HOME', () => {
  let home: string;
  const saved = { TEMPORAL_UI_URL: process.env.TEMPORAL_UI_URL, QUIVER_UI_PORT: process.env.QUIVER_UI_PORT };
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-ui-record-'));
    delete process.env.TEMPORAL_UI_URL;
    delete process.env.QUIVER_UI_PORT;
  });
  afterEach(() => {
    fs.rmSync(home, { recursive: true, force: true });
    for (const [name, value] of Object.entries(saved))
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  });

  it('is what clients of that same server link to, loopback written either way', () => {
    recordUi(home, '127.0.0.1:17655', 'http://localhost:18655');
    expect(recordedUiUrl(home, '127.0.0.1:17655')).toBe('http://localhost:18655');
    expect(recordedUiUrl(home, 'localhost:17655')).toBe('http://localhost:18655');
    expect(recordedUiUrl(home, '127.0.0.1:7233')).toBeUndefined(); // another server
    expect(recordedUiUrl(home, 'temporal.example.com:17655')).toBeUndefined();
    const config = loadConfig({ QUIVER_HOME: home });
    expect(clientUiUrl(config, '127.0.0.1:17655')).toBe('http://localhost:18655');
    expect(clientUiUrl(config, '127.0.0.1:7233')).toBe('http://localhost:8233'); // the default
  });

  it('yields to the environment: TEMPORAL_UI_URL or QUIVER_UI_PORT set in the client’s shell', () => {
    recordUi(home, '127.0.0.1:17655', 'http://localhost:18655');
    process.env.QUIVER_UI_PORT = '9999';
    expect(clientUiUrl(loadConfig({ QUIVER_HOME: home, QUIVER_UI_PORT: '9999' }), '127.0.0.1:17655')).toBe(
      'http://localhost:9999',
    );
    delete process.env.QUIVER_UI_PORT;
    process.env.TEMPORAL_UI_URL = 'https://ui.example.com';
    expect(clientUiUrl(loadConfig({ QUIVER_HOME: home }), '127.0.0.1:17655')).toBe('https://ui.example.com');
  });

  it("passes over a QUIVER_UI_PORT that is the server's frontend port: the record, else 8233", () => {
    process.env.QUIVER_UI_PORT = '17655';
    const config = loadConfig({ QUIVER_HOME: home, QUIVER_UI_PORT: '17655' });
    expect(clientUiUrl(config, '127.0.0.1:17655')).toBe('http://localhost:8233');
    recordUi(home, '127.0.0.1:17655', 'http://localhost:18655');
    expect(clientUiUrl(config, '127.0.0.1:17655')).toBe('http://localhost:18655');
    // Another server's port stays what the shell asked for.
    expect(clientUiUrl(config, '127.0.0.1:7233')).toBe('http://localhost:17655');
  });

  it('is forgotten at a clean stop, and ignored once its process is gone', () => {
    const forget = recordUi(home, '127.0.0.1:17655', 'http://localhost:18655');
    forget();
    expect(fs.existsSync(path.join(home, UI_RECORD_FILE))).toBe(false);
    // Killed (no clean stop): the record stays but names a process that no longer runs.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    recordUi(home, '127.0.0.1:17655', 'http://localhost:18655', gone);
    expect(recordedUiUrl(home, '127.0.0.1:17655')).toBeUndefined();
  });

  it("leaves another up's newer record alone", () => {
    const forget = recordUi(home, '127.0.0.1:17655', 'http://localhost:18655');
    recordUi(home, '127.0.0.1:17655', 'http://localhost:28655', process.ppid);
    forget();
    expect(recordedUiUrl(home, '127.0.0.1:17655')).toBe('http://localhost:28655');
  });
});
