import { describe, expect, it } from 'vitest';
import { affixOf } from '../../../core/data/label-spellings';
import { checkCsv } from '../../support/data-checks';

/** 40 rows of `x,label`, the label given per 0-based row. */
const labelled = (label: (i: number) => string) =>
  `x,label\n${Array.from({ length: 40 }, (_, i) => `${(i % 7) + 0.5},${label(i)}`).join('\n')}\n`;
const spellings = (text: string) => checkCsv(text).failed.filter((r) => r.check === 'label_spellings');

describe('a class that is another class plus a prefix or suffix word fails label_spellings (BREAKER8 #2)', () => {
  it("fails UCI's 'Iris-virginica' beside 'virginica' (a second export appended), naming both with rows and lines", () => {
    const iris = (i: number) =>
      i < 14 ? 'setosa' : i < 28 ? 'versicolor' : i < 32 ? 'virginica' : 'Iris-virginica';
    const [failed] = spellings(labelled(iris));
    expect(failed.column).toBe('label');
    expect(failed.observed).toBe(
      "one class with and without a prefix or suffix word: 'Iris-virginica' (8 rows, first line 34) = 'virginica' (4 rows, first line 30)",
    );
    expect(failed.expected).toContain(
      "map them to one upstream (e.g. 'Iris-virginica' and 'virginica' as one value each)",
    );
    expect(failed.expected).toContain('sanity.schema.columns.label.categories: any');
  });

  it("fails 'class_a'/'a', 'x_new'/'x', 'b.old'/'b' and 'Group C'/'C' (separators -, _, ., space)", () => {
    for (const [plain, affixed] of [
      ['a', 'class_a'],
      ['x', 'x_new'],
      ['b', 'b.old'],
      ['C', 'Group C'],
    ]) {
      const [failed] = spellings(labelled((i) => (i % 4 === 0 ? affixed : i % 4 === 1 ? 'other' : plain)));
      expect(failed?.observed, affixed).toContain(`'${affixed}'`);
      expect(failed.observed).toContain(`'${plain}'`);
    }
  });

  it("leaves real classes alone: type1/type2, A/B/C, '<=50K'/'>50K', 'high'/'very high', '20'/'20-30'", () => {
    expect(spellings(labelled((i) => `type${(i % 2) + 1}`))).toEqual([]);
    expect(spellings(labelled((i) => ['A', 'B', 'C'][i % 3]))).toEqual([]);
    expect(spellings(labelled((i) => (i % 2 ? '<=50K' : '>50K')))).toEqual([]);
    expect(spellings(labelled((i) => ['low', 'high', 'very high', 'not spam'][i % 4]))).toEqual([]);
    expect(spellings(labelled((i) => ['20', '20-30', '30'][i % 3]))).toEqual([]);
    expect(spellings(labelled((i) => ['No', 'Yes', 'No phone service'][i % 3]))).toEqual([]);
    expect(affixOf('virginica', 'Iris-virginica')).toBe('Iris');
    expect(affixOf('>50k', '<=50k')).toBeNull();
  });
});

describe('yes/no words in two spellings are named as such, 1/0 only when present (BREAKER8 #7)', () => {
  it("says 'yes/no words in two spellings' for 'Y'/'N' beside 'yes'/'no'", () => {
    const [failed] = spellings(labelled((i) => (i < 30 ? (i % 2 ? 'yes' : 'no') : i % 2 ? 'Y' : 'N')));
    expect(failed.observed).toBe(
      "yes/no words in two spellings: 'yes' (15 rows, first line 3) = 'Y' (5 rows, first line 33); 'no' (15 rows, first line 2) = 'N' (5 rows, first line 32)",
    );
    expect(failed.observed).not.toContain('1/0');
  });

  it("still says 'mixed with 1/0' when 1 or 0 are there", () => {
    const [failed] = spellings(labelled((i) => (i < 30 ? (i % 2 ? 'yes' : 'no') : String(i % 2))));
    expect(failed.observed).toMatch(/^yes\/no words mixed with 1\/0: /);
  });
});
