import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { buildSync } from 'esbuild';
import { codeVersion } from './code-version';
import { UserCodeError } from './errors';
import { sha256 } from './hash';

/** A user's TypeScript module, compiled and evaluated, with the code version it was loaded at. */
export interface LoadedUserModule {
  file: string;
  exports: Record<string, unknown>;
  /** Hash of the module and every relative import (core/code-version.ts). */
  codeVersion: string;
}

/** Packages a user module gets as Quiver's own instance (one tf.js, one backend registry per process). */
const SHARED_PACKAGES: Record<string, () => unknown> = {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  '@tensorflow/tfjs': () => require('@tensorflow/tfjs'),
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  'apache-arrow': () => require('apache-arrow'),
};

const loaded = new Map<string, LoadedUserModule>();

/**
 * Loads a user module (TypeScript or JavaScript) from an absolute path: esbuild bundles it with its
 * relative imports into CommonJS, so a module edited since the last load is loaded afresh (keyed by its
 * code version), whatever loader runs Quiver itself (tsx, vitest, compiled JS).
 * `@tensorflow/tfjs` and `apache-arrow` resolve to Quiver's own copies. Throws UserCodeError naming the
 * file when it is missing, does not compile, or throws while loading.
 */
export function loadUserModule(file: string): LoadedUserModule {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile())
    throw new UserCodeError(`module ${file} does not exist`);
  const version = codeVersion(file);
  const key = `${file}\0${version}`;
  const cached = loaded.get(key);
  if (cached) return cached;
  let code: string;
  try {
    const result = buildSync({
      entryPoints: [file],
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      write: false,
      logLevel: 'silent',
    });
    code = result.outputFiles[0].text;
  } catch (error) {
    throw new UserCodeError(`module ${file} does not compile: ${firstLines(error)}`, { cause: error });
  }
  const fallback = createRequire(file);
  const requireShared = (id: string): unknown => SHARED_PACKAGES[id]?.() ?? fallback(id);
  const mod = { exports: {} as Record<string, unknown> };
  try {
    // The bundle is CommonJS: run it with its own module object and a require that shares Quiver's packages.
    const compiled = vm.runInThisContext(Module.wrap(code), { filename: file }) as (
      exports: unknown,
      require: unknown,
      module: unknown,
      filename: string,
      dirname: string,
    ) => void;
    compiled(mod.exports, requireShared, mod, file, path.dirname(file));
  } catch (error) {
    throw new UserCodeError(`module ${file} threw while loading: ${firstLines(error)}`, { cause: error });
  }
  const entry = { file, exports: mod.exports, codeVersion: version };
  loaded.set(key, entry);
  return entry;
}

/** The code version of user modules, for a step's cache key; a missing file reads `missing`. */
export function userModulesVersion(files: string[]): string {
  return sha256(
    files
      .map((file) => {
        try {
          return codeVersion(file);
        } catch {
          return 'missing';
        }
      })
      .join('\n'),
  ).slice(0, 12);
}

function firstLines(error: unknown): string {
  return String((error as Error)?.message ?? error)
    .split('\n')
    .slice(0, 3)
    .join(' ')
    .trim();
}
