import fs from 'node:fs';
import path from 'node:path';
import { sha256 } from './hash';

const RELATIVE_IMPORT = /(?:from|import|require\()\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** Resolves a relative import to a source file (`x` → `x.ts`, `x/index.ts`, or the compiled `.js`). */
function resolveSource(fromFile: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), specifier);
  return [base, `${base}.ts`, path.join(base, 'index.ts'), `${base}.js`, path.join(base, 'index.js')].find(
    (candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile(),
  );
}

/**
 * Version of a module's code: SHA-256 over its source and every project file it imports, transitively.
 * Editing the step, or any helper it calls, changes it; editing an unrelated step does not.
 */
export function codeVersion(entryFile: string): string {
  const seen = new Set<string>();
  const pending = [path.resolve(entryFile)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const match of fs.readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)) {
      const resolved = resolveSource(file, match[1]);
      if (resolved) pending.push(resolved);
    }
  }
  const files = [...seen].sort();
  const root = path.dirname(path.resolve(entryFile));
  return sha256(
    files.map((f) => `${path.relative(root, f)}\0${sha256(fs.readFileSync(f))}`).join('\n'),
  ).slice(0, 12);
}
