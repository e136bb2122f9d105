import { describe, expect, it } from 'vitest';
import { runDataChecks } from '../../../activities/data-checks';
import { parseCsv } from '../../../core/csv';
import { boundedByFeatures } from '../../../core/data/cardinality';
import { validateSpec } from '../../../core/spec/load';

/** 40 rows: an id-like `customer` column (every value distinct), a number, a label. */
const table = parseCsv(
  `customer,x,label\n${Array.from({ length: 40 }, (_, i) => `c${i},${i % 3},${i % 2 ? 'a' : 'b'}`).join('\n')}\n`,
);
const cardinality = (extra: Record<string, unknown>) =>
  runDataChecks({
    table,
    spec: validateSpec({
      name: 't',
      source: { uri: 'x.csv' },
      target: { column: 'label' },
      sanity: { minRows: 1 },
      ...extra,
    }),
    pinned: null,
    reference: { skipped: 'none' },
    origin: { runId: 'r', dataSha256: 'x', rows: 0 },
  }).report.find((r) => r.check === 'cardinality' && r.column === 'customer')!;

describe('sanity cardinality vs the features stage', () => {
  it('fails an id-like column the spec leaves as it is, with a hint in the features stage’s terms', () => {
    const check = cardinality({});
    expect(check.passed).toBe(false);
    expect(check.expected).toContain('features: [{ drop: [customer] }]');
    // Every customer is distinct: hashing or an 'other' bucket would keep a per-row id, so only drop/leave out.
    expect(check.expected).toContain('only silence this check');
    // A features stage that does not touch the column changes nothing.
    expect(
      cardinality({ features: [{ scale: { columns: ['x'] } }, { encode: { method: 'ordinal' } }] }).passed,
    ).toBe(false);
  });

  it.each([
    ['dropped', [{ drop: ['customer'] }], 'dropped by features[0]'],
    ['left out by select', [{ select: ['x'] }], 'left out by features[0] select'],
    [
      'hashed',
      [{ encode: { columns: ['customer'], method: 'hashing', buckets: 32 } }],
      'hashed into 32 buckets by features[0]',
    ],
    [
      'hashed with every string column',
      [{ log1p: ['x'] }, { encode: { method: 'hashing' } }],
      'hashed into 16 buckets by features[1]',
    ],
    [
      'one-hot with an other bucket',
      [{ encode: { columns: ['customer'], maxCategories: 10 } }],
      'one-hot encoded by features[0] with at most 10 columns (rarer values: other)',
    ],
    ['renamed, then dropped', [{ rename: { customer: 'id' } }, { drop: ['id'] }], 'dropped by features[1]'],
  ])('passes a column the stage %s', (_, features, why) => {
    const check = cardinality({ features });
    expect(check).toMatchObject({ passed: true, expected: `bounded: ${why}` });
    expect(check.observed).toContain('id-like');
  });

  it('one-hot without maxCategories is not bounded; a train.features keep-list without it is', () => {
    expect(
      boundedByFeatures(
        'customer',
        validateSpec({
          name: 't',
          source: { uri: 'x.csv' },
          target: { column: 'label' },
          features: [{ encode: { columns: ['customer'] } }],
        }).features,
      ),
    ).toBeNull();
    expect(cardinality({ train: { features: ['x'] } })).toMatchObject({
      passed: true,
      expected: 'bounded: not among train.features',
    });
  });
});
