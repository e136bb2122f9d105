import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../core/errors';
import {
  decodeLabel,
  encodeLabels,
  fitPreprocessing,
  labeledRows,
  resolveFeatures,
  transformFeatures,
  transformInstances,
  type CategoricalFeature,
  type NumericFeature,
} from '../../core/model/preprocess';
import { splitDataset } from '../../core/model/train';

/** Minimal CSV → Arrow for tests: empty cells are null, all-numeric columns are Float64, others Utf8. */
function loadCsv(file: string): arrow.Table {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const names = header.split(',');
  const cells = lines.map((line) => line.split(','));
  const columns: Record<string, arrow.Vector> = {};
  names.forEach((name, c) => {
    const raw = cells.map((row) => (row[c] === undefined || row[c] === '' ? null : row[c]));
    const numeric = raw.every((v) => v === null || Number.isFinite(Number(v)));
    columns[name] = numeric
      ? arrow.vectorFromArray(
          raw.map((v) => (v === null ? null : Number(v))),
          new arrow.Float64(),
        )
      : arrow.vectorFromArray(raw, new arrow.Utf8());
  });
  return new arrow.Table(columns);
}

const penguins = loadCsv(path.join(__dirname, '../../data/penguins.csv'));
const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

describe('fitPreprocessing on penguins (categoricals and nulls)', () => {
  const features = ['island', 'bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g', 'sex'];
  const rows = all(penguins.numRows);
  const prep = fitPreprocessing(penguins, features, 'species', rows);

  it('fits sorted categories, means/stds over non-null values and sorted classes', () => {
    expect(prep.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(prep.labelType).toBe('string');
    const island = prep.features[0] as CategoricalFeature;
    expect(island).toMatchObject({
      kind: 'categorical',
      categories: ['Biscoe', 'Dream', 'Torgersen'],
      offset: 0,
    });
    const sex = prep.features[5] as CategoricalFeature;
    expect(sex.categories).toEqual(['FEMALE', 'MALE']);
    // 3 islands + 4 numeric + 2 sexes.
    expect(prep.inputWidth).toBe(9);

    const bill = penguins.getChild('bill_length_mm')!;
    const values = Array.from({ length: penguins.numRows }, (_, i) => bill.get(i) as number | null).filter(
      (v): v is number => v !== null,
    );
    expect(values.length).toBe(penguins.numRows - 2);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    const fitted = prep.features[1] as NumericFeature;
    expect(fitted.mean).toBeCloseTo(mean, 9);
    expect(fitted.std).toBeCloseTo(std, 9);
    expect(JSON.parse(JSON.stringify(prep))).toEqual(prep);
  });

  it('standardises numbers, one-hot encodes strings, imputes nulls as mean / all zeros', () => {
    const x = transformFeatures(penguins, prep, Int32Array.from([0, 3]));
    expect(x.length).toBe(2 * prep.inputWidth);
    const bill = prep.features[1] as NumericFeature;
    // Row 0: Adelie, Torgersen, 39.1, 18.7, 181, 3750, MALE.
    expect(Array.from(x.subarray(0, 3))).toEqual([0, 0, 1]);
    expect(x[3]).toBeCloseTo((39.1 - bill.mean) / bill.std, 5);
    expect(Array.from(x.subarray(7, 9))).toEqual([0, 1]);
    // Row 3: Torgersen with every measurement and the sex missing.
    const row3 = Array.from(x.subarray(9, 18));
    expect(row3).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0]);
  });

  it('maps categories unseen in training to all zeros', () => {
    const biscoeFree = Int32Array.from(
      Array.from(rows).filter((r) => penguins.getChild('island')!.get(r) !== 'Biscoe'),
    );
    const partial = fitPreprocessing(penguins, ['island'], 'species', biscoeFree);
    expect((partial.features[0] as CategoricalFeature).categories).toEqual(['Dream', 'Torgersen']);
    const biscoeRow = Array.from(rows).find((r) => penguins.getChild('island')!.get(r) === 'Biscoe')!;
    expect(Array.from(transformFeatures(penguins, partial, Int32Array.from([biscoeRow])))).toEqual([0, 0]);
  });

  it('encodes labels as class ids and decodes them back', () => {
    const y = encodeLabels(penguins, prep, Int32Array.from([0, 200, 300]));
    expect(Array.from(y, (k) => decodeLabel(prep, k))).toEqual(
      [0, 200, 300].map((r) => penguins.getChild('species')!.get(r)),
    );
  });
});

describe('null labels', () => {
  it('are dropped before splitting and rejected by encodeLabels', () => {
    const labeled = labeledRows(penguins, 'sex');
    expect(labeled.length).toBe(penguins.numRows - 11);
    const split = splitDataset(penguins, 'sex', { holdout: 0.2, seed: 1 });
    expect(split.droppedRows).toBe(11);
    expect(split.trainRows.length + split.holdoutRows.length).toBe(labeled.length);
    const prep = fitPreprocessing(penguins, ['species', 'island', 'body_mass_g'], 'sex', split.trainRows);
    expect(prep.classes).toEqual(['FEMALE', 'MALE']);
    expect(encodeLabels(penguins, prep, split.holdoutRows).length).toBe(split.holdoutRows.length);
    expect(() => encodeLabels(penguins, prep, Int32Array.from([3]))).toThrow(/row 3: target "sex" is null/);
  });
});

describe('numeric and boolean labels and features', () => {
  const table = new arrow.Table({
    x: arrow.vectorFromArray([1, 2, 3, 4, 5, 6], new arrow.Int32()),
    flag: arrow.vectorFromArray([true, false, true, null, false, true], new arrow.Bool()),
    constant: arrow.vectorFromArray([5, 5, 5, 5, 5, 5], new arrow.Float64()),
    label: arrow.vectorFromArray([10, 2, 10, 2, 10, 2], new arrow.Int32()),
  });
  const prep = fitPreprocessing(table, ['x', 'flag', 'constant'], 'label', all(6));

  it('sorts numeric classes numerically and gives labels back as numbers', () => {
    expect(prep.classes).toEqual(['2', '10']);
    expect(decodeLabel(prep, 1)).toBe(10);
  });

  it('treats booleans as 0/1 and a constant column as std 1', () => {
    expect(prep.features[1]).toMatchObject({ kind: 'numeric', dtype: 'boolean', mean: 0.6 });
    expect(prep.features[2]).toMatchObject({ mean: 5, std: 1 });
    expect(transformFeatures(table, prep, Int32Array.from([3]))[1]).toBe(0);
  });
});

describe('transformInstances', () => {
  const prep = fitPreprocessing(
    penguins,
    ['island', 'bill_length_mm', 'sex'],
    'species',
    all(penguins.numRows),
  );

  it('matches transformFeatures for the same values', () => {
    const fromTable = transformFeatures(penguins, prep, Int32Array.from([0, 3]));
    const fromJson = transformInstances(
      [
        { island: 'Torgersen', bill_length_mm: 39.1, sex: 'MALE', extra: 'ignored' },
        { island: 'Torgersen', bill_length_mm: null, sex: null },
      ],
      prep,
    );
    expect(Array.from(fromJson)).toEqual(Array.from(fromTable));
    expect(
      Array.from(
        transformInstances([{ island: 'Atlantis', bill_length_mm: 40, sex: 'MALE' }], prep).subarray(0, 3),
      ),
    ).toEqual([0, 0, 0]);
  });

  it('names the feature that is missing or mistyped', () => {
    expect(() => transformInstances([{ island: 'Dream', sex: 'MALE' }], prep)).toThrow(
      new DataError('instance 0: feature "bill_length_mm" is missing'),
    );
    expect(() => transformInstances([{ island: 'Dream', bill_length_mm: '40', sex: 'MALE' }], prep)).toThrow(
      /feature "bill_length_mm" must be a finite number/,
    );
    expect(() => transformInstances([{ island: 3, bill_length_mm: 40, sex: 'MALE' }], prep)).toThrow(
      /feature "island" must be a string/,
    );
  });
});

describe('input checks', () => {
  it('rejects unknown columns, the target as a feature, and single-class targets', () => {
    expect(() => resolveFeatures(penguins, 'species', ['nope'])).toThrow(/column "nope" not found/);
    expect(() => resolveFeatures(penguins, 'species', ['species'])).toThrow(DataError);
    expect(resolveFeatures(penguins, 'species')).toEqual([
      'island',
      'bill_length_mm',
      'bill_depth_mm',
      'flipper_length_mm',
      'body_mass_g',
      'sex',
    ]);
    expect(() => fitPreprocessing(penguins, ['island'], 'species', Int32Array.from([0, 1, 2]))).toThrow(
      /1 class\(es\)/,
    );
  });
});

describe('timestamp features', () => {
  it('records a column ingest read as a timestamp, so serving accepts ISO strings only for it', () => {
    const when = arrow.vectorFromArray([Date.UTC(2024, 0, 1), Date.UTC(2024, 5, 1)], new arrow.Float64());
    const size = arrow.vectorFromArray([1, 2], new arrow.Float64());
    const label = arrow.vectorFromArray(['a', 'b'], new arrow.Utf8());
    const schema = new arrow.Schema([
      new arrow.Field('when', new arrow.Float64(), true, new Map([['quiver.logical_type', 'timestamp']])),
      new arrow.Field('size', new arrow.Float64(), true),
      new arrow.Field('label', new arrow.Utf8(), true),
    ]);
    const table = new arrow.Table(schema, [
      new arrow.RecordBatch(
        schema,
        arrow.makeData({
          type: new arrow.Struct(schema.fields),
          length: 2,
          nullCount: 0,
          children: [when.data[0], size.data[0], label.data[0]],
        }),
      ),
    ]);
    const prep = fitPreprocessing(table, ['when', 'size'], 'label', Int32Array.of(0, 1));
    expect((prep.features[0] as NumericFeature).logicalType).toBe('timestamp');
    expect((prep.features[1] as NumericFeature).logicalType).toBeUndefined();
  });
});

describe('a feature empty on every training row (BREAKER10 #5)', () => {
  it('fails naming it as all null, with the keep-list way out', () => {
    const table = new arrow.Table({
      x: arrow.vectorFromArray([1, 2, 3], new arrow.Float64()),
      promo: arrow.vectorFromArray([null, null, null], new arrow.Float64()),
      y: arrow.vectorFromArray(['a', 'b', 'a'], new arrow.Utf8()),
    });
    expect(() => fitPreprocessing(table, ['x', 'promo'], 'y', Int32Array.from([0, 1, 2]))).toThrow(
      'feature "promo" has no non-null values in the training rows (all null): leave it out of the model (train.features, a keep-list without promo) or fill it upstream',
    );
  });
});
