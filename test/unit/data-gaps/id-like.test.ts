import { describe, expect, it } from 'vitest';
import { checkAgainstSchema } from '../../support/data-checks';
import { parseCsv } from '../../../core/csv';
import { validateSpec } from '../../../core/spec/load';

const spec = validateSpec({
  name: 't',
  source: { uri: 'x.csv' },
  target: { column: 'label' },
  sanity: { minRows: 1 },
});
/** The data checks on `NAME,x,label` rows with NAME's value from `value(i)`; the label sorted (first half a, then b). */
const checks = (name: string, n: number, value: (i: number) => string | number) => {
  const rows = Array.from({ length: n }, (_, i) => `${value(i)},${(i * 7) % 11},${i < n / 2 ? 'a' : 'b'}`);
  return checkAgainstSchema(parseCsv(`${name},x,label\n${rows.join('\n')}\n`), spec, null);
};
/** The failed cardinality checks of that data. */
const check = (name: string, n: number, value: (i: number) => string | number) =>
  checks(name, n, value).failed.filter((r) => r.check === 'cardinality');
/** The same data's cardinality entries in the whole report, passed ones included. */
const report = (name: string, n: number, value: (i: number) => string | number) =>
  checks(name, n, value).report.filter((r) => r.check === 'cardinality' && r.column === name);

describe('numeric id-like: by name and distinct share, or equal to the row position', () => {
  it("calls a 'week' / 't' / 'period' counter equal to the row position a time index and offers ignore: true first (#25)", () => {
    for (const name of ['week', 't', 'period', 'month_no']) {
      const [found] = check(name, 104, (i) => i + 1);
      expect(found.observed).toContain(`named like a time index (a counter of ${name}s)`);
      expect(found.expected).toMatch(
        new RegExp(
          `^a time index, not an id: to keep it .* sanity\\.schema\\.columns\\.${name}\\.ignore: true`,
        ),
      );
      expect(found.expected.indexOf('ignore: true')).toBeLessThan(found.expected.indexOf('drop'));
    }
    // Any other name equal to the row position is still an id first.
    expect(check('n', 104, (i) => i + 1)[0].expected).toMatch(/^an identifier, not a feature: drop it/);
  });

  it("passes a life table's 'age' 0 … 100 (one row per age) as a quantity, not an id, saying so in the report (BREAKER10 #10)", () => {
    for (const name of ['age', 'dose_mg', 'floor', 'Size']) {
      expect(check(name, 101, (i) => i)).toEqual([]);
      const [found] = report(name, 101, (i) => i);
      expect(found.passed).toBe(true);
      expect(found.observed).toContain(
        `named like a quantity (one row per ${name}: a table sorted by ${name}?)`,
      );
      expect(found.observed).not.toContain('id-like');
      expect(found.expected).toMatch(/^a quantity with one row per value, not an id: kept as a model input/);
    }
    // An id name stays an id, whatever it counts: `count_id`, `row`.
    expect(check('count_id', 101, (i) => i)[0].expected).toMatch(/^an identifier, not a feature: drop it/);
    expect(check('row', 101, (i) => i)[0].expected).toMatch(/^an identifier, not a feature: drop it/);
  });

  it('passes years, sorted epoch seconds and sorted ages named as data', () => {
    expect(check('year', 31, (i) => 1990 + i)).toEqual([]);
    expect(check('ts', 40, (i) => 1_700_000_000 + i * 617)).toEqual([]);
    expect(check('age', 25, (i) => 20 + i)).toEqual([]);
  });

  it('fails an id column with one swapped pair or one duplicate', () => {
    const swapped = check('id', 150, (i) => (i === 70 ? 72 : i === 71 ? 71 : i === 72 ? 70 : i) + 1);
    expect(swapped.map((r) => r.column)).toEqual(['id']);
    expect(swapped[0].observed).toContain('named like an identifier');
    const duplicate = check('id', 150, (i) => (i === 9 ? 9 : i + 1));
    expect(duplicate[0].observed).toBe(
      '149 distinct integers in 150 rows (99.3%), named like an identifier (1 … 150), id-like',
    );
    expect(check('customerId', 40, (i) => 5000 - i * 3).map((r) => r.column)).toEqual(['customerId']);
    expect(check('order_ID', 40, (i) => (i * 13) % 41).map((r) => r.column)).toEqual(['order_ID']);
  });

  it('fails a column equal to the row position whatever its name, and passes paid/valid names', () => {
    expect(check('n', 30, (i) => i)[0].observed).toBe(
      '30 distinct integers in 30 rows, equal to the row position (0 … 29), id-like',
    );
    expect(check('paid', 40, (i) => 3 * i + 7)).toEqual([]);
  });
});

describe('text id-like: the share rule needs more than 50 distinct values', () => {
  it('passes 21 country codes in 40 rows, still fails all-unique values', () => {
    const codes = 'SK LV SE DE FR IT ES PT PL CZ HU AT CH NL BE DK NO FI EE LT IE'.split(' ');
    expect(check('country', 40, (i) => codes[(i * 5) % 21])).toEqual([]);
    expect(check('customer', 40, (i) => `c${i}`)[0].observed).toBe(
      '40 distinct in 40 rows (100.0%), id-like',
    );
  });
});

describe("pandas' re-exported index: `Unnamed: 0` and row numbers with gaps (#25)", () => {
  /** Row numbers of a 150-row file after dropna() removed every 7th row. */
  const kept = Array.from({ length: 150 }, (_, i) => i).filter((i) => i % 7 !== 3);

  it('fails `Unnamed: 0`, `level_0` and `unnamed_0` named columns, and unnamed row numbers with gaps', () => {
    for (const name of ['Unnamed: 0', 'level_0', 'unnamed_0']) {
      const found = check(name, kept.length, (i) => (i === 40 ? kept[41] : i === 41 ? kept[40] : kept[i]));
      expect(found.map((r) => r.column)).toEqual([name]);
    }
    const found = check('n', kept.length, (i) => kept[i]);
    expect(found.map((r) => r.column)).toEqual(['n']);
    expect(found[0].observed).toBe(
      '129 integers in 129 rows, strictly increasing with gaps (0 … 149): row numbers of an earlier file (a re-exported index), id-like',
    );
  });

  it('passes sorted measurements that do not start at the first row number', () => {
    expect(check('year', 40, (i) => 1990 + i + (i > 20 ? 1 : 0))).toEqual([]);
    expect(check('age', 30, (i) => 18 + i * 2)).toEqual([]);
    expect(check('score', 30, (i) => 3 * i + 1 - (i % 2))).toEqual([]);
  });
});
