import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string) =>
  JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8')) as Record<string, unknown>;

/**
 * `npm install` warns EBADENGINE when a locked package declares a Node range that excludes ours; the
 * lowest Node that package.json allows must satisfy every package in the lock (e.g. vega-lite 6.5 and
 * cookie 2 want Node 22: vega-lite is pinned to 6.4.3, fastify's light-my-request overridden to 6.6.0).
 */
describe('dependency engines', () => {
  it('every locked package accepts the lowest Node that package.json declares', () => {
    const declared = (read('package.json').engines as { node: string }).node;
    const lowest = semver.minVersion(declared)!.version;
    const lock = read('package-lock.json') as {
      packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
    };
    const refusing = Object.entries(lock.packages)
      .filter(([name, pkg]) => {
        const node = !Array.isArray(pkg.engines) ? pkg.engines?.node : undefined;
        return name && node && !semver.satisfies(lowest, node);
      })
      .map(([name, pkg]) => `${name}@${pkg.version}`);
    expect(refusing, `packages refusing Node ${lowest}`).toEqual([]);
  });
});
