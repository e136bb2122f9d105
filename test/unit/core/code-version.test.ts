import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { codeVersion, lockedVersions, normalizeSource, packageName } from '../../../core/code-version';

const dirs: string[] = [];
function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-code-version-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const lock = (zodVersion: string, innerVersion = '1.0.0') =>
  JSON.stringify({
    packages: {
      '': { name: 'x' },
      'node_modules/zod': { version: zodVersion, dependencies: { inner: '^1' } },
      'node_modules/inner': { version: innerVersion },
    },
  });

describe('step code versions', () => {
  const step = `import { z } from 'zod';\nimport fs from 'node:fs';\nimport { helper } from './helper';\n// scale the input\nexport const run = (x: number) => helper(x) * 2; /* fast path */\n`;
  const helper = `export function helper(x: number) {\n  return x + 1;\n}\n`;

  it('keeps the version across comment, indentation and blank-line edits', () => {
    const a = project({ 'step.ts': step, 'helper.ts': helper, 'package-lock.json': lock('4.0.0') });
    const b = project({
      'step.ts': `import { z } from 'zod';\n\nimport fs from 'node:fs';\nimport { helper } from './helper';\n/**\n * Scales the input.\n */\nexport const run = (x: number) => helper(x) * 2;\n`,
      'helper.ts': `export function helper(x: number) {\n      // one more\n      return x + 1;\n}\n`,
      'package-lock.json': lock('4.0.0'),
    });
    expect(codeVersion(path.join(a, 'step.ts'))).toBe(codeVersion(path.join(b, 'step.ts')));
  });

  it('changes when code, a helper it imports, or a locked dependency (direct or transitive) changes', () => {
    const base = codeVersion(
      path.join(
        project({ 'step.ts': step, 'helper.ts': helper, 'package-lock.json': lock('4.0.0') }),
        'step.ts',
      ),
    );
    const variants = [
      { 'step.ts': step.replace('* 2', '* 3'), 'helper.ts': helper, 'package-lock.json': lock('4.0.0') },
      { 'step.ts': step, 'helper.ts': helper.replace('+ 1', '+ 2'), 'package-lock.json': lock('4.0.0') },
      { 'step.ts': step, 'helper.ts': helper, 'package-lock.json': lock('4.1.0') },
      { 'step.ts': step, 'helper.ts': helper, 'package-lock.json': lock('4.0.0', '1.0.1') },
    ];
    for (const files of variants) expect(codeVersion(path.join(project(files), 'step.ts'))).not.toBe(base);
  });

  it('keeps strings, templates and regular expressions that look like comments', () => {
    const source = [
      "const url = 'http://example.com'; // a comment",
      'const re = /\\/\\/ not a comment/g;',
      'const t = `a ${"//"} b /* kept */`;',
      'function f() { return /a\\/\\/b/.test(x); }',
    ].join('\n');
    expect(normalizeSource(source)).toBe(
      [
        "const url = 'http://example.com';",
        'const re = /\\/\\/ not a comment/g;',
        'const t = `a ${"//"} b /* kept */`;',
        'function f() { return /a\\/\\/b/.test(x); }',
      ].join('\n'),
    );
  });

  it('names packages as the lock file does and skips Node built-ins', () => {
    expect(packageName('@temporalio/activity/lib/x')).toBe('@temporalio/activity');
    expect(packageName('apache-arrow')).toBe('apache-arrow');
    expect(packageName('node:fs')).toBeUndefined();
    expect(packageName('path')).toBeUndefined();
    const dir = project({ 'package-lock.json': lock('4.0.0') });
    expect(lockedVersions(path.join(dir, 'step.ts'), ['zod'])).toEqual(['inner@1.0.0', 'zod@4.0.0']);
  });
});
