import fs from 'node:fs';
import path from 'node:path';
import { SpecError } from '../core/errors';

/**
 * Makes sure QUIVER_HOME (`--home`) is a folder this process can write, creating it if needed, before
 * `run --local` loads TensorFlow.js or starts a step: a file in the way, a read-only folder or mount
 * fails at once with the path named, rather than deep inside the first step. A probe file is written
 * and removed, since permission bits alone do not tell (root ignores them; read-only mounts do not).
 *
 * @throws SpecError (field `--home`; the CLI exits 2) naming the path and the reason
 */
export function ensureWritableHome(home: string): void {
  const absolute = path.resolve(home);
  const fail = (reason: string) =>
    new SpecError(`--home '${home}' is not a writable folder: ${reason}`, [
      { path: '--home', message: reason },
    ]);
  try {
    makeFolders(absolute);
  } catch (error) {
    throw fail((error as Error).message); // e.g. `ENOTDIR: not a directory, mkdir '/x/y'`
  }
  if (!fs.statSync(absolute).isDirectory()) throw fail(`'${absolute}' is a file`);
  const probe = path.join(absolute, `.write-probe-${process.pid}`);
  try {
    fs.writeFileSync(probe, '');
    fs.rmSync(probe, { force: true });
  } catch (error) {
    throw fail((error as Error).message); // e.g. `ENOTDIR: not a directory, mkdir '/x/y'`
  }
}

/**
 * `mkdir -p`, one level at a time. Node's own `mkdirSync(dir, { recursive: true })` loops forever
 * where mkdir fails with ENOENT under a parent that exists (a path under /proc/sys, some read-only
 * or virtual mounts): that loop was `run --local --home …` hanging.
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let at = dir; !fs.existsSync(at); at = path.dirname(at)) missing.unshift(at);
  for (const folder of missing) fs.mkdirSync(folder);
}
