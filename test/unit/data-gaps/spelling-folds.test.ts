import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../core/csv';
import { spellingKey } from '../../../core/data/case-variants';
import { respellingKind } from '../../../core/data/respelt-categories';
import { checkAgainstSchema, checkCsv, dataChecksSpec } from '../../support/data-checks';

/** 60 rows of `x,city,label`, city and label given per 0-based row. */
const csv = (city: (i: number) => string, label: (i: number) => string = (i) => (i % 2 ? 'a' : 'b')) =>
  `x,city,label\n${Array.from({ length: 60 }, (_, i) => `${i % 7}.5,${city(i)},${label(i)}`).join('\n')}\n`;

const failedOf = (text: string, check: string) => checkCsv(text).failed.filter((r) => r.check === check);

/** `check`'s failures on `text` with `sanity.schema.columns` set to `columns`. */
const failedWith = (text: string, columns: Record<string, unknown>, check: string) =>
  checkAgainstSchema(
    parseCsv(text),
    dataChecksSpec({}, { sanity: { minRows: 1, schema: { columns } } }),
    null,
  ).failed.filter((r) => r.check === check);

describe('typographic quotes and dashes are spelling variants (BREAKER10 #18)', () => {
  it('folds curly quotes and en/em dashes in the shared spelling key', () => {
    expect(spellingKey('Don\u2019t know')).toBe(spellingKey("Don't know"));
    expect(spellingKey('\u201cfree\u201d')).toBe(spellingKey('"free"'));
    expect(spellingKey('18\u201324')).toBe(spellingKey('18-24'));
    expect(spellingKey('18\u201424')).toBe(spellingKey('18-24'));
    expect(spellingKey('18-24')).not.toBe(spellingKey('1824'));
  });

  it("fails case_variants for a target with 'Don’t know' beside 'Don't know', naming the kind", () => {
    const answer = (i: number) =>
      i % 3 === 0 ? (i % 6 === 0 ? 'Don\u2019t know' : "Don't know") : i % 3 === 1 ? 'Agree' : 'Disagree';
    const [failed] = failedOf(
      csv((i) => `c${i % 3}`, answer),
      'case_variants',
    );
    expect(failed.column).toBe('label');
    expect(failed.observed).toBe(
      "values differing only by case or spacing, or by typographic quotes or dashes (autocorrect's \u2019 U+2019 for ', \u2013 U+2013 for -): " +
        "'Don\u2019t know' (10 rows, first line 2) = 'Don\\'t know' (10 rows, first line 5)",
    );
    expect(failed.expected).toContain(`typographic quotes and dashes written as ' " and -`);
  });

  it("fails case_variants for a feature with '18–24' beside '18-24'", () => {
    const age = (i: number) => (i % 4 === 0 ? '18\u201324' : i % 2 ? '18-24' : '25-34');
    const [failed] = failedOf(csv(age), 'case_variants');
    expect(failed.column).toBe('city');
    expect(failed.observed).toContain(
      "'18\u201324' (15 rows, first line 2) = '18-24' (30 rows, first line 3)",
    );
    expect(failed.observed).toContain('typographic quotes or dashes');
  });
});

describe('accent-stripped spellings are spelling variants (BREAKER10 #19)', () => {
  it('strips Latin accents only: kana and other scripts keep their marks', () => {
    expect(spellingKey('São Paulo')).toBe(spellingKey('Sao Paulo'));
    expect(spellingKey('ZÜRICH')).toBe(spellingKey('Zurich'));
    expect(spellingKey('Łódź')).toBe(spellingKey('Lodz'));
    expect(spellingKey('が')).not.toBe(spellingKey('か'));
  });

  it("fails case_variants naming 'São Paulo' = 'Sao Paulo' as accents, with categories: any for a feature", () => {
    const cities = ['São Paulo', 'Zürich', 'Montréal'];
    const city = (i: number) => {
      const c = cities[i % 3];
      return i % 9 < 3 ? c.normalize('NFD').replace(/[\u0300-\u036f]/gu, '') : c;
    };
    const [failed] = failedOf(csv(city), 'case_variants');
    expect(failed.column).toBe('city');
    expect(failed.observed).toContain("by accents ('São Paulo' is 'Sao Paulo' once accents are removed)");
    expect(failed.observed).toContain(
      "'Sao Paulo' (7 rows, first line 2) = 'São Paulo' (13 rows, first line 5)",
    );
    expect(failed.observed).not.toContain('typographic');
    expect(failed.expected).toContain('categories: any');
  });
});

describe('ß upper-cased to SS is a case variant (BREAKER10 #14)', () => {
  it("fails case_variants for 'Hauptstraße' beside 'HAUPTSTRASSE'", () => {
    expect(spellingKey('Hauptstraße')).toBe(spellingKey('HAUPTSTRASSE'));
    expect(spellingKey('Gießen')).toBe(spellingKey('GIESSEN'));
    const street = (i: number) => (i % 4 === 0 ? 'HAUPTSTRASSE' : i % 2 ? 'Hauptstraße' : 'Weißer Weg');
    const [failed] = failedOf(csv(street), 'case_variants');
    expect(failed.observed).toContain(
      "'HAUPTSTRASSE' (15 rows, first line 2) = 'Hauptstraße' (30 rows, first line 3)",
    );
    expect(failed.observed).toContain('by ß written as SS');
  });
});

describe('a feature mixing Yes/No with Y/N (BREAKER10 #9)', () => {
  const yn = (i: number) => (i % 3 === 0 ? (i % 2 ? 'Y' : 'N') : i % 2 ? 'Yes' : 'No');

  it('fails label_spellings for the feature, named as yes/no words in two spellings (not 1/0)', () => {
    const [failed] = failedOf(csv(yn), 'label_spellings');
    expect(failed.column).toBe('city');
    expect(failed.observed).toBe(
      "yes/no words in two spellings: 'Yes' (20 rows, first line 3) = 'Y' (10 rows, first line 5); " +
        "'No' (20 rows, first line 4) = 'N' (10 rows, first line 2)",
    );
    expect(failed.expected).toContain('sanity.schema.columns.city.categories: any');
  });

  it("says 'mixed with 1/0' only when 1/0 are there, in the target", () => {
    const [target] = failedOf(
      csv((i) => `c${i % 3}`, yn),
      'label_spellings',
    );
    expect(target.column).toBe('label');
    expect(target.observed).toMatch(/^yes\/no words in two spellings: /u);
    const [digits] = failedOf(
      csv(
        (i) => `c${i % 3}`,
        (i) => (i % 3 === 0 ? String(i % 2) : i % 2 ? 'Yes' : 'No'),
      ),
      'label_spellings',
    );
    expect(digits.observed).toMatch(/^yes\/no words mixed with 1\/0: /u);
  });

  it('leaves a plain Yes/No feature and a feature marked categories: any alone', () => {
    expect(
      failedOf(
        csv((i) => (i % 2 ? 'Yes' : 'No')),
        'label_spellings',
      ),
    ).toEqual([]);
    expect(failedWith(csv(yn), { city: { categories: 'any' } }, 'label_spellings')).toEqual([]);
  });
});

describe('a target whose classes differ only by case can be accepted (BREAKER10 #12)', () => {
  const genotypes = csv(
    (i) => `c${i % 4}`,
    (i) => ['AA', 'Aa', 'aa'][i % 3],
  );
  const check = (columns: Record<string, unknown>) => failedWith(genotypes, columns, 'case_variants');

  it('names the target escape, and the printed setting lets the check pass', () => {
    const [failed] = check({});
    expect(failed.column).toBe('label');
    expect(failed.expected).toContain(
      "if they truly are different classes (as genotypes 'AA'/'Aa'/'aa' are), mark sanity.schema.columns.label.categories: any",
    );
    expect(check({ label: { categories: 'any' } })).toEqual([]);
  });

  it('gives the genotype example only where case alone differs (RECHECK10 N3)', () => {
    const answers = csv(
      (i) => `c${i % 4}`,
      (i) => ["Don't know", 'Don\u2019t know', 'Yes'][i % 3],
    );
    const [failed] = failedWith(answers, {}, 'case_variants');
    expect(failed.expected).toContain('typographic quotes');
    expect(failed.expected).not.toContain('genotypes');
  });
});

describe("a retrain's respelt pinned values name the same folds", () => {
  it('says typographic quotes, accents or ß, not Unicode form', () => {
    expect(respellingKind([{ from: "Don't know", to: 'Don\u2019t know' }])).toBe(
      'typographic quotes or dashes',
    );
    expect(respellingKind([{ from: 'São Paulo', to: 'Sao Paulo' }])).toBe('accents');
    expect(respellingKind([{ from: 'Straße', to: 'STRASSE' }])).toBe('ß written as SS');
    expect(respellingKind([{ from: 'ｓｅｔｏｓａ', to: 'setosa' }])).toBe('Unicode form (NFKC)');
  });
});
