import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { sha256 } from './hash';

const RELATIVE_IMPORT = /(?:from|import|require\()\s*['"](\.{1,2}\/[^'"]+)['"]/g;
const PACKAGE_IMPORT = /(?:from|import|require\()\s*['"]([^'"./][^'"]*)['"]/g;
const BUILTINS = new Set(builtinModules);

/** Resolves a relative import to a source file (`x` → `x.ts`, `x/index.ts`, or the compiled `.js`). */
function resolveSource(fromFile: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), specifier);
  return [base, `${base}.ts`, path.join(base, 'index.ts'), `${base}.js`, path.join(base, 'index.js')].find(
    (candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile(),
  );
}

/**
 * Version of a module's code: SHA-256 over its source and every project file it imports, transitively,
 * plus the locked version of every third-party package they import (and of those packages' own
 * dependencies, from `package-lock.json`). Editing the step, a helper it calls, or upgrading a library
 * it uses changes it; editing an unrelated step does not. Sources are hashed after
 * {@link normalizeSource}: an edit to comments, indentation or blank lines keeps the version.
 */
export function codeVersion(entryFile: string): string {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const pending = [path.resolve(entryFile)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = fs.readFileSync(file, 'utf8');
    for (const match of source.matchAll(RELATIVE_IMPORT)) {
      const resolved = resolveSource(file, match[1]);
      if (resolved) pending.push(resolved);
    }
    for (const match of source.matchAll(PACKAGE_IMPORT)) {
      const name = packageName(match[1]);
      if (name) packages.add(name);
    }
  }
  const files = [...seen].sort();
  const root = path.dirname(path.resolve(entryFile));
  const lines = files.map(
    (f) => `${path.relative(root, f)}\0${sha256(normalizeSource(fs.readFileSync(f, 'utf8')))}`,
  );
  lines.push(...lockedVersions(path.resolve(entryFile), packages));
  return sha256(lines.join('\n')).slice(0, 12);
}

/** `@scope/pkg/sub` → `@scope/pkg`, `pkg/sub` → `pkg`; Node built-ins (`node:fs`, `fs`) → undefined. */
export function packageName(specifier: string): string | undefined {
  if (specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return BUILTINS.has(name) ? undefined : name;
}

interface LockFile {
  packages?: Record<
    string,
    { version?: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }
  >;
}

const lockFiles = new Map<string, LockFile | null>();

/** The nearest `package-lock.json` above `file`, parsed once per process; null when there is none. */
function lockFileFor(file: string): LockFile | null {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'package-lock.json');
    if (lockFiles.has(candidate)) return lockFiles.get(candidate)!;
    if (fs.existsSync(candidate)) {
      const lock = JSON.parse(fs.readFileSync(candidate, 'utf8')) as LockFile;
      lockFiles.set(candidate, lock);
      return lock;
    }
    if (path.dirname(dir) === dir) return null;
  }
}

/**
 * `name@version` of every package in `roots` and, transitively, of their dependencies, as the lock file
 * resolves them (a nested `node_modules` copy wins over the top-level one); sorted.
 */
export function lockedVersions(file: string, roots: Iterable<string>): string[] {
  const lock = lockFileFor(file)?.packages;
  if (!lock) return [...roots].sort().map((name) => `${name}@unlocked`);
  const found = new Map<string, string>();
  const pending: [string, string][] = [...roots].map((name) => [name, '']);
  while (pending.length > 0) {
    const [name, parent] = pending.pop()!;
    const key = [parent && `${parent}/node_modules/${name}`, `node_modules/${name}`].find(
      (k) => k && lock[k],
    );
    const id = key ?? `node_modules/${name}`;
    if (found.has(id)) continue;
    const entry = key ? lock[key] : undefined;
    found.set(id, `${name}@${entry?.version ?? 'unlocked'}`);
    for (const dep of Object.keys({ ...entry?.dependencies, ...entry?.optionalDependencies }))
      pending.push([dep, id]);
  }
  return [...new Set(found.values())].sort();
}

/**
 * Source text with comments removed, each line trimmed and blank lines dropped; strings, template
 * literals and regular expressions are kept verbatim. Line breaks stay (they can change meaning through
 * automatic semicolon insertion), so a reformatting that moves code across lines does change the hash.
 */
export function normalizeSource(source: string): string {
  let out = '';
  let i = 0;
  // The last significant character written: tells a regular expression from a division.
  let last = '';
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const comment = source.slice(i, end < 0 ? source.length : end + 2);
      out += comment.includes('\n') ? '\n' : ' ';
      i += comment.length;
      continue;
    }
    if (c === '"' || c === "'" || c === '`' || (c === '/' && startsRegex(last, out))) {
      const end = literalEnd(source, i);
      out += source.slice(i, end);
      last = c;
      i = end;
      continue;
    }
    out += c;
    if (!/\s/.test(c)) last = c;
    i++;
  }
  return out
    .split('\n')
    .map((line) => line.trim().replace(/[ \t]+/g, ' '))
    .filter((line) => line !== '')
    .join('\n');
}

const KEYWORD_BEFORE_REGEX =
  /(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|new|delete|void|throw|yield|await)\s*$/;

/** A `/` after an operator, an opening bracket, a keyword such as `return`, or at the start opens a regex. */
function startsRegex(last: string, written: string): boolean {
  return (
    last === '' || '(,=:[!&|?{};+-*%<>~^'.includes(last) || KEYWORD_BEFORE_REGEX.test(written.slice(-12))
  );
}

/** Index just past the string, template or regex literal starting at `start` (escapes honoured). */
function literalEnd(source: string, start: number): number {
  const quote = source[start];
  let depth = 0;
  let inClass = false;
  for (let i = start + 1; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (quote === '`') {
      // `${…}` may hold anything, nested templates included: count braces until it closes.
      if (c === '$' && source[i + 1] === '{') {
        depth++;
        i++;
        continue;
      }
      if (depth > 0) {
        if (c === '{') depth++;
        else if (c === '}') depth--;
        else if (c === '`' || c === '"' || c === "'") i = literalEnd(source, i) - 1;
        continue;
      }
    }
    if (quote === '/') {
      if (c === '[') inClass = true;
      else if (c === ']') inClass = false;
      else if (c === '/' && !inClass) {
        while (/[a-z]/i.test(source[i + 1] ?? '')) i++;
        return i + 1;
      } else if (c === '\n') return i; // not a regex after all: keep going as code
      continue;
    }
    if (c === quote) return i + 1;
    if (c === '\n' && quote !== '`') return i;
  }
  return source.length;
}
