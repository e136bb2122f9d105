import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { QUIVER_BIN } from '../../support/cli';

describe('the quiver executable', () => {
  it('runs when reached through a link of another name, as npx and npm bin links call it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-bin-'));
    try {
      const link = path.join(dir, 'quiver');
      fs.symlinkSync(QUIVER_BIN, link);
      const help = execFileSync(process.execPath, [link, '--help'], { encoding: 'utf8' });
      expect(help).toContain('Usage: quiver');
      expect(help).toContain('resume');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
