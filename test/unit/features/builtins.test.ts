import path from 'node:path';
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../../../core/csv';
import { FeatureTransformError } from '../../../core/errors';
import { applyFeatures, fitFeatures } from '../../../core/features/pipeline';
import type { TransformSpec } from '../../../core/features/types';
import { validateSpec } from '../../../core/spec/load';

const IRIS = path.resolve(__dirname, '../../../data/iris.csv');
const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/** A table of numeric (Float64, null allowed) and string columns, plus a string target `y`. */
function table(columns: Record<string, (number | null)[] | (string | null)[]>): arrow.Table {
  const vectors: Record<string, arrow.Vector> = {};
  for (const [name, values] of Object.entries(columns))
    vectors[name] = arrow.vectorFromArray(
      values,
      values.some((v) => typeof v === 'string') ? new arrow.Utf8() : new arrow.Float64(),
    );
  return new arrow.Table(vectors);
}

/** Fits `specs` on `trainRows` (default all) and returns the final table's columns as plain arrays. */
async function run(t: arrow.Table, specs: TransformSpec[], trainRows = all(t.numRows), target = 'y') {
  const { output, fitted } = await fitFeatures({
    table: t,
    specs,
    target,
    task: 'classification',
    trainRows,
    inputSha256: 'test',
  });
  const columns = Object.fromEntries(
    output.schema.fields.map((f) => [f.name, Array.from(output.getChild(f.name)!, (v: unknown) => v)]),
  );
  return { columns, fitted, output };
}

const y = ['a', 'b', 'a', 'b'];

describe('built-in transforms against hand-computed values', () => {
  it('drop, select and rename reshape columns and keep the target', async () => {
    const t = table({ id: [1, 2, 3, 4], x: [1, 2, 3, 4], z: [5, 6, 7, 8], y });
    expect(Object.keys((await run(t, [{ kind: 'drop', params: { columns: ['id'] } }])).columns)).toEqual([
      'x',
      'z',
      'y',
    ]);
    expect(Object.keys((await run(t, [{ kind: 'select', params: { columns: ['z'] } }])).columns)).toEqual([
      'z',
      'y',
    ]);
    const renamed = await run(t, [
      { kind: 'drop', params: { columns: ['id'] } },
      { kind: 'rename', params: { x: 'width' } },
    ]);
    expect(renamed.columns.width).toEqual([1, 2, 3, 4]);
  });

  it('derive evaluates an expression per row (bmi = weight / height²)', async () => {
    const t = table({ weight: [80, 60, 45, 100], height: [2, 1, 1.5, 2], y });
    const { columns } = await run(t, [
      { kind: 'derive', params: { bmi: 'weight / (height * height)' } },
      { kind: 'drop', params: { columns: ['weight', 'height'] } },
    ]);
    expect(columns.bmi).toEqual([20, 60, 20, 25]);
  });

  it('log1p, clip and bucketize map values in place', async () => {
    const t = table({ a: [0, Math.E - 1, 3, 7], b: [-5, 5, 50, 10], c: [10, 18, 39, 70], y });
    const { columns } = await run(t, [
      { kind: 'log1p', params: { columns: ['a'] } },
      { kind: 'clip', params: { columns: ['b'], min: 0, max: 10 } },
      { kind: 'bucketize', params: { column: 'c', boundaries: [18, 40, 65] } },
    ]);
    expect(columns.a[0]).toBe(0);
    expect(columns.a[1]).toBeCloseTo(1, 12);
    expect(columns.a[3]).toBeCloseTo(Math.log(8), 12);
    expect(columns.b).toEqual([0, 5, 10, 10]);
    expect(columns.c).toEqual([0, 1, 1, 3]);
  });

  it('impute fills from the training rows only: mean, median, most frequent, constant', async () => {
    // Row 3 (value 100) is a holdout row: it must not move the statistics.
    const t = table({
      m: [1, null, 3, 100],
      d: [1, 2, null, 100],
      k: [null, 4, 4, 100],
      s: ['u', 'v', 'v', null],
      y,
    });
    const train = Int32Array.from([0, 1, 2]);
    const { columns } = await run(
      t,
      [
        { kind: 'impute', params: { columns: ['m'], strategy: 'mean' } },
        { kind: 'impute', params: { columns: ['d'], strategy: 'median' } },
        { kind: 'impute', params: { columns: ['k'], strategy: 'constant', value: 7 } },
        { kind: 'impute', params: { columns: ['s'], strategy: 'most_frequent' } },
        { kind: 'encode', params: { columns: ['s'], method: 'ordinal', buckets: 16 } },
      ],
      train,
    );
    expect(columns.m).toEqual([1, 2, 3, 100]); // mean of 1 and 3
    expect(columns.d).toEqual([1, 2, 1.5, 100]); // median of 1 and 2
    expect(columns.k).toEqual([7, 4, 4, 100]);
    expect(columns.s).toEqual([0, 1, 1, 1]); // null → 'v' (most frequent) → code 1 of [u, v]
  });

  it('scale: standard (population std), min-max and robust (median, IQR) fitted on training rows', async () => {
    const t = table({ s: [1, 2, 3, 10], m: [1, 2, 3, 10], r: [1, 2, 3, 4], y });
    const train = Int32Array.from([0, 1, 2]);
    const { columns } = await run(
      t,
      [
        { kind: 'scale', params: { columns: ['s'], method: 'standard' } },
        { kind: 'scale', params: { columns: ['m'], method: 'minmax' } },
      ],
      train,
    );
    const std = Math.sqrt(2 / 3);
    expect(columns.s[0]).toBeCloseTo(-1 / std, 12);
    expect(columns.s[3]).toBeCloseTo(8 / std, 12);
    expect(columns.m).toEqual([0, 0.5, 1, 4.5]);
    // Robust on all four rows: median 2.5, q25 1.75, q75 3.25 (linear interpolation), IQR 1.5.
    const robust = await run(t, [{ kind: 'scale', params: { columns: ['r'], method: 'robust' } }]);
    expect(robust.columns.r).toEqual([-1, -1 / 3, 1 / 3, 1]);
  });

  it('encode: one-hot with maxCategories and an other bucket, ordinal, hashing', async () => {
    const t = table({ c: ['a', 'b', 'a', 'c'], y });
    const onehot = await run(t, [
      { kind: 'encode', params: { method: 'onehot', maxCategories: 2, buckets: 16 } },
    ]);
    expect(Object.keys(onehot.columns)).toEqual(['c=a', 'c=other', 'y']);
    expect(onehot.columns['c=a']).toEqual([1, 0, 1, 0]);
    expect(onehot.columns['c=other']).toEqual([0, 1, 0, 1]);
    // Unseen and null categories at apply time: the other bucket, and all zeros.
    const raw = table({ c: ['z', null], y: ['a', 'b'] });
    const applied = await applyFeatures(raw, onehot.fitted);
    expect([applied.getChild('c=a')!.get(0), applied.getChild('c=other')!.get(0)]).toEqual([0, 1]);
    expect([applied.getChild('c=a')!.get(1), applied.getChild('c=other')!.get(1)]).toEqual([0, 0]);

    const ordinal = await run(t, [{ kind: 'encode', params: { method: 'ordinal', buckets: 16 } }]);
    expect(ordinal.columns.c).toEqual([0, 1, 0, 2]);
    const hashed = await run(t, [{ kind: 'encode', params: { method: 'hashing', buckets: 4 } }]);
    const buckets = ['c#0', 'c#1', 'c#2', 'c#3'].map((n) => hashed.columns[n] as number[]);
    for (let row = 0; row < 4; row++) expect(buckets.reduce((sum, b) => sum + b[row], 0)).toBe(1);
    // Same value, same bucket.
    expect(buckets.map((b) => b[0])).toEqual(buckets.map((b) => b[2]));
  });
});

describe('selectKBest', () => {
  it("matches scikit-learn's f_classif scores on iris and keeps the petal measurements", async () => {
    const iris = await readCsv(IRIS);
    const { fitted, columns } = await run(
      iris,
      [{ kind: 'selectKBest', params: { k: 2, score: 'auto' } }],
      undefined,
      'species',
    );
    // scikit-learn 1.9.1: sklearn.feature_selection.f_classif(X, y) on data/iris.csv (all 150 rows)
    // = [119.26450218, 49.16004009, 1180.16118225, 960.0071468] (same as on sklearn's load_iris()).
    const scores = (fitted.transforms[0].state as { scores: Record<string, number> }).scores;
    expect(scores.sepal_length).toBeCloseTo(119.26450218, 6);
    expect(scores.sepal_width).toBeCloseTo(49.16004009, 6);
    expect(scores.petal_length).toBeCloseTo(1180.16118225, 6);
    expect(scores.petal_width).toBeCloseTo(960.0071468, 6);
    expect(Object.keys(columns)).toEqual(['petal_length', 'petal_width', 'species']);
  });

  it("matches scikit-learn's f_regression scores (petal_width from the other measurements)", async () => {
    const iris = await readCsv(IRIS);
    const { fitted } = await fitFeatures({
      table: iris,
      specs: [
        { kind: 'drop', params: { columns: ['species'] } },
        { kind: 'selectKBest', params: { k: 1, score: 'auto' } },
      ],
      target: 'petal_width',
      task: 'regression',
      trainRows: all(150),
      inputSha256: 'test',
    });
    // scikit-learn 1.9.1: f_regression(X[:, :3], X[:, 3]) = [299.16731207, 22.91020509, 1882.45236765].
    const state = fitted.transforms[1].state as { scores: Record<string, number>; keep: string[] };
    expect(state.scores.sepal_length).toBeCloseTo(299.16731207, 5);
    expect(state.scores.sepal_width).toBeCloseTo(22.91020509, 5);
    expect(state.scores.petal_length).toBeCloseTo(1882.45236765, 5);
    expect(state.keep).toEqual(['petal_length']);
  });
});

describe('spec and data errors name the transform', () => {
  const base = { name: 'x', source: { uri: 'a.csv' }, target: { column: 'y' } };

  it('refuses an unknown transform with the known ones', () => {
    expect(() => validateSpec({ ...base, features: [{ drop: ['a'] }, { standardise: {} }] })).toThrow(
      /features\[1\]\.standardise: unknown transform 'standardise' \(known: drop, select, rename, derive/,
    );
  });

  it('refuses bad params with their path', () => {
    expect(() => validateSpec({ ...base, features: [{ encode: { method: 'target' } }] })).toThrow(
      /features\[0\]\.encode\.method/,
    );
  });

  it('an unknown column fails as FeatureTransformError naming index, transform and column', async () => {
    const t = table({ x: [1, 2], y: ['a', 'b'] });
    const error = await run(t, [
      { kind: 'scale', params: { method: 'standard' } },
      { kind: 'log1p', params: { columns: ['income'] } },
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeatureTransformError);
    expect((error as Error).message).toMatch(
      /^features\[1\] log1p: log1p: unknown column 'income' \(columns: x, y\)/,
    );
  });

  it('a string column left at the end asks for encode; missing values ask for impute', async () => {
    await expect(run(table({ c: ['a', 'b'], y: ['a', 'b'] }), [])).rejects.toThrow(
      /text column\(s\) 'c' \(add an encode transform/,
    );
    await expect(run(table({ x: [1, null], y: ['a', 'b'] }), [])).rejects.toThrow(
      /missing values 'x' \(1\) \(add an impute transform: \{ impute: \{ columns: \[x\] \} \}\)/,
    );
  });

  it('after a drop, names every text and missing-value column at once, in plain words, with the keep-list way out', async () => {
    const churn = table({
      customerID: ['7590-VHVEG', '5575-GNVDE'],
      gender: ['Female', 'Male'],
      Partner: ['Yes', 'No'],
      TotalCharges: [29.85, null],
      y: ['a', 'b'],
    });
    const error = (await run(churn, [{ kind: 'drop', params: { columns: ['customerID'] } }]).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error).toBeInstanceOf(FeatureTransformError);
    expect(error.message).toContain(
      "text column(s) 'gender', 'Partner' (add an encode transform: { encode: { columns: [gender, Partner] } })",
    );
    expect(error.message).toContain("column(s) with missing values 'TotalCharges' (1)");
    expect(error.message).toContain("A features list replaces the model's default encoding");
    expect(error.message).toContain('train.features: [...], which keeps the default encoding');
    expect(error.message).not.toContain('Dictionary');
  });

  it('derive that divides by zero fails naming the row and values', async () => {
    const t = table({ a: [1, 1], b: [1, 0], y: ['a', 'b'] });
    await expect(run(t, [{ kind: 'derive', params: { r: 'a / b' } }])).rejects.toThrow(
      /features\[0\] derive: derive 'r': "a \/ b" gives Infinity at row 1 \(a=1, b=0\)/,
    );
  });
});
