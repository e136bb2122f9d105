// The CLI's commands load heavy modules on demand with `require('../../core/…')`, so that `quiver --help`
// starts fast (test/unit/client/cli-startup.test.ts). vitest runs TypeScript through its own module
// runner, not Node's `require`, so a test that drives the CLI in this process (`buildProgram().parseAsync`)
// failed there with "Cannot find module". This setup file, run before each test file:
// 1. registers tsx's CommonJS hook, as bin/quiver.js does when it runs from source, so those `require`s
//    load the TypeScript sources;
// 2. hands such a `require` the module vitest has already evaluated, where there is one, instead of a
//    second copy: an error class a lazily loaded module throws is then the class the test (and
//    client/exit-codes.ts) checks with `instanceof`, and module state is not duplicated.
import Module from 'node:module';
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- registers a CommonJS loader hook
require('tsx/cjs');

interface ModuleCache {
  normalizePath(file: string): string;
  has(id: string): boolean;
  get(file: string): { evaluated?: boolean; exports?: unknown };
}
interface NodeModuleInternals {
  _load(request: string, parent: NodeJS.Module | undefined, isMain: boolean): unknown;
  _resolveFilename(request: string, parent: NodeJS.Module | undefined, isMain: boolean): string;
}

const ROOT = path.resolve(__dirname, '..', '..');
const internals = Module as unknown as NodeModuleInternals;
/** vitest's module cache, read at each call: a thread that runs files unisolated keeps this hook. */
const moduleCacheNow = () =>
  (globalThis as { __vitest_worker__?: { moduleCache?: ModuleCache } }).__vitest_worker__?.moduleCache;
const load = internals._load;
// Files sharing a process (unit files run unisolated) run this setup once each: hook `_load` once.
const HOOKED = Symbol.for('quiver.tsx-require.hooked');
const marks = Module as unknown as Record<symbol, boolean>;

if (moduleCacheNow() && !marks[HOOKED]) {
  marks[HOOKED] = true;
  internals._load = function (request, parent, isMain) {
    const moduleCache = moduleCacheNow();
    if (request.startsWith('.') && parent?.filename) {
      let file: string | undefined;
      try {
        file = internals._resolveFilename(request, parent, isMain);
      } catch {
        // unresolvable: Node's own load reports it
      }
      if (
        moduleCache &&
        file?.endsWith('.ts') &&
        file.startsWith(ROOT + path.sep) &&
        !file.includes(`${path.sep}node_modules${path.sep}`) &&
        moduleCache.has(moduleCache.normalizePath(file))
      ) {
        const loaded = moduleCache.get(file);
        if (loaded.evaluated && loaded.exports) return loaded.exports;
      }
    }
    return load.call(this, request, parent, isMain);
  };
}
