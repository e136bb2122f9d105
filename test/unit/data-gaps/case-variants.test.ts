import { describe, expect, it } from 'vitest';
import { runDataChecks } from '../../../activities/data-checks';
import { parseCsv } from '../../../core/csv';
import { spellingKey } from '../../../core/data/case-variants';
import { validateSpec } from '../../../core/spec/load';

const origin = { runId: 'r1', dataSha256: 'abc', rows: 0 };
const check = (text: string, extra: Record<string, unknown> = {}, top: Record<string, unknown> = {}) =>
  runDataChecks({
    table: parseCsv(text),
    spec: validateSpec({
      name: 't',
      source: { uri: 'x.csv' },
      target: { column: 'species' },
      sanity: { minRows: 1, ...extra },
      ...top,
    }),
    pinned: null,
    reference: { skipped: 'none' },
    origin,
  });

/** 24 rows: x, colour, species; `species` and `colour` words by row. */
const csv = (species: (i: number) => string, colour: (i: number) => string = (i) => ['red', 'blue'][i % 2]) =>
  `x,colour,species\n${Array.from({ length: 24 }, (_, i) => `${i % 5}.5,${colour(i)},${species(i)}`).join('\n')}\n`;
const cleanSpecies = (i: number) => ['setosa', 'versicolor', 'virginica'][i % 3];

describe('values that differ only by case or spacing fail sanity (case_variants)', () => {
  it('names the target, each group quoted with counts and first lines, and says why it cannot be accepted', () => {
    // `Setosa` on two rows, `SETOSA` on one: three spellings of one class.
    const text = csv((i) => (i === 3 || i === 9 ? 'Setosa' : i === 15 ? 'SETOSA' : cleanSpecies(i)));
    const outcome = check(text);
    const failed = outcome.failed.filter((r) => r.check === 'case_variants');
    expect(failed).toHaveLength(1);
    expect(failed[0].column).toBe('species');
    expect(failed[0].observed).toContain(
      "'setosa' (5 rows, first line 2) = 'Setosa' (2 rows, first line 5) = 'SETOSA' (1 row, first line 17)",
    );
    expect(failed[0].expected).toContain('normalise the values upstream');
    expect(failed[0].expected).toContain('separate classes');
  });

  it('catches inner spacing and Unicode compatibility forms (NFKC), several groups in one column', () => {
    const text = csv((i) =>
      i === 4
        ? 'versi  color'
        : i === 7
          ? 'ｓｅｔｏｓａ'
          : i === 8
            ? 'virginica'
            : i === 10
              ? 'VERSICOLOR'
              : cleanSpecies(i),
    );
    const failed = check(text).failed.find((r) => r.check === 'case_variants')!;
    expect(failed.observed).toContain(
      "'setosa' (8 rows, first line 2) = 'ｓｅｔｏｓａ' (1 row, first line 9)",
    );
    expect(failed.observed).not.toContain('versi  color');
    expect(failed.observed).toContain(
      "'versicolor' (5 rows, first line 3) = 'VERSICOLOR' (1 row, first line 12)",
    );
    expect(spellingKey('versi  color')).not.toBe(spellingKey('versicolor'));
    expect(spellingKey(' New\u00a0 York ')).toBe(spellingKey('new york'));
  });

  it('fails a categorical feature split by case too, and its categories: any override accepts it', () => {
    const text = csv(cleanSpecies, (i) => (i === 6 ? 'Red' : ['red', 'blue'][i % 2]));
    const failed = check(text).failed.find((r) => r.check === 'case_variants')!;
    expect(failed.column).toBe('colour');
    expect(failed.observed).toContain("'red' (11 rows, first line 2) = 'Red' (1 row, first line 8)");
    expect(failed.expected).toContain('sanity.schema.columns.colour.categories: any');
    const accepted = check(text, { schema: { columns: { colour: { categories: 'any' } } } });
    expect(accepted.failed.filter((r) => r.check === 'case_variants')).toEqual([]);
  });

  it('leaves out a feature the features stage drops or train.features leaves out, never the target', () => {
    const text = csv(cleanSpecies, (i) => (i === 6 ? 'Red' : ['red', 'blue'][i % 2]));
    const dropped = check(text, {}, { features: [{ drop: ['colour'] }] });
    expect(dropped.failed.filter((r) => r.check === 'case_variants')).toEqual([]);
    const kept = check(text, {}, { train: { features: ['x'] } });
    expect(kept.failed.filter((r) => r.check === 'case_variants')).toEqual([]);
    const target = check(
      csv((i) => (i === 3 ? 'Setosa' : cleanSpecies(i))),
      {},
      { train: { features: ['x'] } },
    );
    expect(target.failed.find((r) => r.check === 'case_variants')?.column).toBe('species');
  });

  it('passes clean data, and distinct words that merely share letters', () => {
    expect(check(csv(cleanSpecies)).failed).toEqual([]);
  });
});
