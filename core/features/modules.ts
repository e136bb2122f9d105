import fs from 'node:fs';
import path from 'node:path';
import { codeVersion } from '../code-version';
import { FeatureTransformError } from '../errors';
import type { Transform, TransformSpec } from './types';

/** Loaded user modules by path and code version: an edited module is loaded afresh. */
const loaded = new Map<string, Transform>();

/** Resolves every custom module path against the spec file's folder (what workers will load). */
export function resolveTransformModules(transforms: TransformSpec[] | undefined, baseDir: string): void {
  for (const transform of transforms ?? []) {
    if (transform.module) transform.modulePath = path.resolve(baseDir, transform.module);
  }
}

/** The module's path, checked to exist; `label` (`features[2] ratios.ts`) names it in the error. */
export function requireModuleFile(spec: TransformSpec, label: string): string {
  const file = spec.modulePath ?? spec.module!;
  if (!fs.existsSync(file) || !fs.statSync(file).isFile())
    throw new FeatureTransformError(`${label}: module ${spec.module} not found (looked for ${file})`);
  return file;
}

/** Code version of a custom module: its source and every relative import, hashed (core/code-version). */
export function moduleCodeVersion(spec: TransformSpec, label: string): string {
  return codeVersion(requireModuleFile(spec, label));
}

/**
 * Loads a user's transform module with tsx (TypeScript, no build step). It must export `fit` and
 * `apply` functions, directly or on its default export; anything else is a FeatureTransformError.
 */
export function loadTransformModule(spec: TransformSpec, label: string, version: string): Transform {
  const file = requireModuleFile(spec, label);
  const key = `${file}@${version}`;
  const cached = loaded.get(key);
  if (cached) return cached;
  let exported: Record<string, unknown>;
  try {
    exported = tsxRequire()(file, __filename) as Record<string, unknown>;
  } catch (error) {
    throw new FeatureTransformError(
      `${label}: module ${spec.module} failed to load: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const candidates = [exported, exported.default, exported.transform] as unknown[];
  const transform = candidates.find(
    (c): c is Transform =>
      typeof c === 'object' &&
      c !== null &&
      typeof (c as Transform).fit === 'function' &&
      typeof (c as Transform).apply === 'function',
  );
  if (!transform) {
    const names = Object.keys(exported).join(', ') || 'nothing';
    throw new FeatureTransformError(
      `${label}: module ${spec.module} must export functions fit(table, params) and apply(table, state) (it exports: ${names})`,
    );
  }
  loaded.set(key, transform);
  return transform;
}

/** tsx's `require`, loaded when a transform module first loads: spec checks and CLI calls never need it. */
function tsxRequire(): (id: string, fromFile: string) => unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred load, typed by the import type
  return (require('tsx/cjs/api') as typeof import('tsx/cjs/api')).require;
}
