import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../core/csv';
import { validateSpec } from '../../../core/spec/load';
import { runSanityChecks } from '../../../activities/sanity-checks';

const table = parseCsv('x,color,label\n1,red,a\n2,blue,b\n,red,a\n40,green,\n');
const spec = (sanity: Record<string, unknown>) =>
  validateSpec({ name: 't', source: { uri: 'x.csv' }, target: { column: 'label' }, sanity });

function failed(results: ReturnType<typeof runSanityChecks>) {
  return results.filter((r) => !r.passed).map((r) => `${r.check}(${r.column})`);
}

describe('sanity checks', () => {
  it('passes clean data with permissive settings, one row per check', () => {
    const ok = parseCsv('x,label\n1,a\n2,b\n');
    const results = runSanityChecks(ok, spec({ minRows: 2 }));
    expect(failed(results)).toEqual([]);
    expect(results.map((r) => r.check)).toEqual([
      'label_present',
      'min_rows',
      'null_fraction',
      'null_fraction',
    ]);
  });

  it('flags missing labels, too few rows, nulls, ranges and unexpected categories', () => {
    const results = runSanityChecks(
      table,
      spec({
        minRows: 10,
        requiredColumns: ['x', 'size'],
        maxNullFraction: 0.1,
        ranges: { x: { min: 0, max: 10 } },
        categories: { color: ['red', 'blue'] },
      }),
    );
    expect(failed(results).sort()).toEqual(
      [
        'required_column(size)',
        'min_rows(*)',
        'null_fraction(x)',
        'null_fraction(label)',
        'numeric_range(x)',
        'allowed_categories(color)',
      ].sort(),
    );
    const range = results.find((r) => r.check === 'numeric_range')!;
    expect(range).toMatchObject({ observed: '[1, 40]', expected: '[0, 10]' });
    expect(results.find((r) => r.check === 'allowed_categories')!.observed).toBe("unexpected: 'green'");
  });

  it('honours per-column null fractions and never tolerates null labels', () => {
    const results = runSanityChecks(
      table,
      spec({ minRows: 1, maxNullFraction: 0, nullFractions: { x: 0.5, label: 1 } }),
    );
    expect(failed(results)).toEqual(['null_fraction(label)']);
  });

  it('reports configured columns that do not exist and type mismatches', () => {
    const results = runSanityChecks(
      table,
      spec({ minRows: 1, maxNullFraction: 1, ranges: { color: { min: 0 }, nope: { max: 1 } } }),
    );
    expect(failed(results).sort()).toEqual([
      'configured_column(nope)',
      'null_fraction(label)',
      'numeric_range(color)',
    ]);
    expect(results.find((r) => r.check === 'numeric_range')!.observed).toBe('not numeric');
  });
});
