import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { FeatureTransformError } from '../../../core/errors';
import { resolveTransformModules } from '../../../core/features/modules';
import { fitFeatures } from '../../../core/features/pipeline';
import type { TransformSpec } from '../../../core/features/types';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-modules-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const data = new arrow.Table({
  x: arrow.vectorFromArray([1, 2, 3, 4], new arrow.Float64()),
  y: arrow.vectorFromArray(['a', 'b', 'a', 'b'], new arrow.Utf8()),
});

/** Writes `source` as features/NAME.ts and fits [scale, that module]: the module is features[1]. */
async function fitWith(name: string, source: string | null): Promise<Error> {
  if (source !== null) {
    fs.mkdirSync(path.join(dir, 'features'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'features', `${name}.ts`), source);
  }
  const specs: TransformSpec[] = [
    { kind: 'scale', params: { method: 'standard' } },
    { kind: 'module', module: `./features/${name}.ts`, params: {} },
  ];
  resolveTransformModules(specs, dir);
  const error = await fitFeatures({
    table: data,
    specs,
    target: 'y',
    task: 'classification',
    trainRows: Int32Array.from([0, 1, 2, 3]),
    inputSha256: 'test',
  }).then(
    () => new Error('fitted without an error'),
    (e: unknown) => e as Error,
  );
  expect(error).toBeInstanceOf(FeatureTransformError);
  return error;
}

const file = (name: string) => path.join(dir, 'features', `${name}.ts`);

describe('bad user code fails naming the transform, its module and the reason', () => {
  it('a module that does not exist', async () => {
    const error = await fitWith('absent', null);
    expect(error.message).toBe(
      `features[1] absent.ts: module ./features/absent.ts not found (looked for ${file('absent')})`,
    );
  });

  it('a module without fit and apply', async () => {
    const error = await fitWith('shapeless', `export const fits = 1;\nexport function transform() {}\n`);
    expect(error.message).toBe(
      'features[1] shapeless.ts: module ./features/shapeless.ts must export functions fit(table, params) and apply(table, state) (it exports: fits, transform)',
    );
  });

  it('a module that does not compile', async () => {
    const error = await fitWith('syntax', `export function fit( {\n`);
    expect(error.message).toMatch(
      /^features\[1\] syntax\.ts: module \.\/features\/syntax\.ts failed to load: /,
    );
  });

  it('apply that throws', async () => {
    const error = await fitWith(
      'throws',
      `export default { fit: () => ({}), apply: () => { throw new Error('kaput'); } };\n`,
    );
    expect(error.message).toBe(`features[1] throws.ts (${file('throws')}): apply threw: kaput`);
  });

  it('apply that returns something other than an Arrow table', async () => {
    const error = await fitWith(
      'rows',
      `export const fit = () => null;\nexport const apply = () => [{ x: 1 }];\n`,
    );
    expect(error.message).toBe(
      `features[1] rows.ts (${file('rows')}): apply returned an array, not an Arrow Table`,
    );
  });

  it('apply that drops the target', async () => {
    const error = await fitWith(
      'untarget',
      `export const fit = () => null;\nexport const apply = (t: any) => t.select(['x']);\n`,
    );
    expect(error.message).toBe(
      `features[1] untarget.ts (${file('untarget')}): apply dropped the target column 'y'`,
    );
  });

  it('apply that yields non-finite values', async () => {
    const error = await fitWith(
      'infinite',
      `export const fit = () => null;
export const apply = (t: any, _s: unknown, c: any) =>
  t.assign(new c.arrow.Table({ x: c.arrow.vectorFromArray(Float64Array.from([1, Infinity, 3, 4])) }));\n`,
    );
    expect(error.message).toBe(
      `features[1] infinite.ts (${file('infinite')}): column 'x' row 1 is Infinity; values must be finite`,
    );
  });

  it('apply that loses rows', async () => {
    const error = await fitWith(
      'filter',
      `export const fit = () => null;\nexport const apply = (t: any) => t.slice(0, 2);\n`,
    );
    expect(error.message).toBe(
      `features[1] filter.ts (${file('filter')}): apply returned 2 rows for 4; transforms keep every row`,
    );
  });

  it('fit that returns state JSON cannot hold', async () => {
    const error = await fitWith(
      'cyclic',
      `export const fit = () => { const a: any = {}; a.self = a; return a; };\nexport const apply = (t: unknown) => t;\n`,
    );
    expect(error.message).toMatch(
      /^features\[1\] cyclic\.ts: fit returned state that is not JSON-serialisable/,
    );
  });
});
