import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually';

const REPO = path.resolve(__dirname, '..', '..', '..');

describe('stopWhenParentDies', () => {
  it('stops a process whose parent shell exited, saying why and how to keep it (QUIVER_KEEP_ORPHANS)', async () => {
    const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-orphan-')), 'stderr.log');
    const script = `require('tsx/cjs'); require('./infra/lifecycle.ts').stopWhenParentDies(50); console.error('watching'); setTimeout(() => {}, 30000);`;
    // The shell starts the watcher in the background, waits until it watches, and exits: it is orphaned.
    execFileSync(
      'bash',
      [
        '-c',
        `node -e "${script}" 2>'${log}' & until grep -q watching '${log}' 2>/dev/null; do sleep 0.05; done`,
      ],
      { cwd: REPO, stdio: 'ignore' },
    );
    const said = await eventually(async () => {
      const text = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
      return text.includes('shutting down') ? text : undefined;
    }, 'the orphaned process to say it stops');
    expect(said).toMatch(
      /\n\[quiver\] parent process \d+ is gone: shutting down \(QUIVER_KEEP_ORPHANS=1 keeps it running, e\.g\. under nohup\)\n/,
    );
  });
});
