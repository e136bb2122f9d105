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
    expect(results.find((r) => r.column === 'label' && r.check === 'null_fraction')!.expected).toContain(
      'sanity.flags.missingLabel: { policy: drop',
    );
  });

  it('names the settings of a failed null_fraction, and passes columns the model never sees (#1)', () => {
    const titanic = parseCsv(
      'Age,Cabin,Fare,label\n22,,7.2,a\n,C85,71.3,b\n26,,7.9,a\n35,C123,53.1,b\n,,8.1,a\n',
    );
    const age = runSanityChecks(titanic, spec({})).find(
      (r) => r.check === 'null_fraction' && r.column === 'Age',
    )!;
    expect(age.passed).toBe(false);
    expect(age.expected).toContain('sanity.maxNullFraction, default 0.1');
    expect(age.expected).toContain('sanity.nullFractions: { Age: 0.4 }');
    expect(age.expected).toContain('impute: { columns: [Age]');
    const dropped = validateSpec({
      name: 't',
      source: { uri: 'x.csv' },
      target: { column: 'label' },
      features: [{ drop: ['Cabin'] }],
      train: { features: ['Fare'] },
      sanity: { minRows: 1 },
    });
    const results = runSanityChecks(titanic, dropped);
    expect(failed(results)).toEqual([]);
    expect(results.find((r) => r.column === 'Cabin')!.expected).toBe(
      'any: not a model input (dropped by features[0])',
    );
    expect(results.find((r) => r.column === 'Age')!.expected).toBe(
      'any: not a model input (not among train.features)',
    );
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
