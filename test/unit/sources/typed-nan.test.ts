import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { runDataChecks } from '../../../activities/data-checks';
import { parseSource } from '../../../core/sources';
import { toParquet } from '../../../core/sources/parquet';
import { validateSpec } from '../../../core/spec/load';

/** 40 rows of a Parquet file: x and y floats, a class label; `nanAt` rows hold NaN in `column`. */
function parquet(column: 'x' | 'y', nanAt: (i: number) => boolean, value = NaN): arrow.Table {
  const n = 40;
  const x = Array.from({ length: n }, (_, i) => (column === 'x' && nanAt(i) ? value : 1 + (i % 9) / 2));
  const y = Array.from({ length: n }, (_, i) => (column === 'y' && nanAt(i) ? value : 2 + (i % 7) / 3));
  const label = Array.from({ length: n }, (_, i) => ['a', 'b'][i % 2]);
  const table = new arrow.Table({
    x: arrow.vectorFromArray(x, new arrow.Float64()),
    y: arrow.vectorFromArray(y, new arrow.Float64()),
    label: arrow.vectorFromArray(label, new arrow.Utf8()),
  });
  return parseSource(Buffer.from(toParquet(table)), 'parquet', 'nan.parquet');
}

function check(table: arrow.Table, target: string) {
  return runDataChecks({
    table,
    spec: validateSpec({ name: 't', source: { uri: 'nan.parquet' }, target: { column: target } }),
    pinned: null,
    reference: { skipped: 'none' },
    origin: { runId: 'r', dataSha256: 'x', rows: 0 },
  });
}
const failures = (outcome: ReturnType<typeof check>) =>
  outcome.failed.map((f) => `${f.check}(${f.column}): ${f.observed}; ${f.expected}`);

describe('NaN in typed (Parquet/Arrow) float columns', () => {
  it('a NaN regression label is a missing label, named by row (as a null label is)', () => {
    const outcome = check(
      parquet('y', (i) => i % 11 === 0),
      'y',
    );
    const messages = failures(outcome);
    const missing = messages.find((m) => m.startsWith('row_flags(missingLabel)'));
    expect(missing, messages.join('\n')).toBeDefined();
    expect(missing).toContain('4 row(s)');
    expect(missing).toContain("row 0, column 'y': NaN (the label; a NaN label counts as missing)");
  });

  it('NaN in a feature fails sanity as non_finite, naming column and rows, with a hint that fits a typed file', () => {
    const messages = failures(
      check(
        parquet('x', (i) => i % 7 === 0),
        'label',
      ),
    );
    const nonFinite = messages.find((m) => m.startsWith('non_finite(x)'));
    expect(nonFinite, messages.join('\n')).toBeDefined();
    expect(nonFinite).toContain('6 NaN (row 0: NaN, row 7: NaN, row 14: NaN)');
    expect(nonFinite).toContain('source.nullValues cannot change them');
    expect(nonFinite).toContain('write them as nulls');
  });

  it('±Infinity in a feature fails the same way; a label with ±Infinity too', () => {
    expect(
      failures(
        check(
          parquet('x', (i) => i === 3, -Infinity),
          'label',
        ),
      ).join('\n'),
    ).toContain('non_finite(x): 1 ±Infinity (row 3: -Infinity)');
    expect(
      failures(
        check(
          parquet('y', (i) => i === 5, Infinity),
          'y',
        ),
      ).join('\n'),
    ).toContain('non_finite(y): 1 ±Infinity (row 5: Infinity)');
  });

  it('a clean Parquet file passes both checks', () => {
    const messages = failures(
      check(
        parquet('x', () => false),
        'label',
      ),
    );
    expect(messages.filter((m) => /non_finite|missingLabel/.test(m))).toEqual([]);
  });
});
