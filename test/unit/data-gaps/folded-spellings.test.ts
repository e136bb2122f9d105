import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../core/csv';
import { spellingKey } from '../../../core/data/case-variants';
import { undoMojibake } from '../../../core/data/text-folding';
import { checkCsv } from '../../support/data-checks';

/** 36 rows of `x,city,label`, city and label given per 0-based row. */
const csv = (city: (i: number) => string, label: (i: number) => string = (i) => (i % 2 ? 'a' : 'b')) =>
  `x,city,label\n${Array.from({ length: 36 }, (_, i) => `${i % 7}.5,${city(i)},${label(i)}`).join('\n')}\n`;
const CITIES = ['Zürich', 'Genève', 'Köln', 'Malmö'];
/** Every 6th row's city double-encoded (UTF-8 bytes read as Latin-1, written as UTF-8 again). */
const moji = (i: number) => {
  const city = CITIES[i % 4];
  return i % 6 === 5 ? Buffer.from(city, 'utf8').toString('latin1') : city;
};

describe('mojibake beside the right spelling is a spelling variant (breaker 9 #20)', () => {
  it('undoes one layer of cp1252/Latin-1 mojibake, and leaves real text alone', () => {
    expect(undoMojibake('ZÃ¼rich')).toBe('Zürich');
    expect(undoMojibake('CrÃ¨me brÃ»lÃ©e')).toBe('Crème brûlée');
    expect(undoMojibake('â€œquotedâ€\u009d')).toBe('\u201cquoted\u201d');
    for (const real of ['Zürich', 'Ãbc', 'plain', '❤']) expect(undoMojibake(real)).toBe(real);
    expect(spellingKey('KÃ¶ln')).toBe(spellingKey('Köln'));
  });

  it("fails case_variants naming 'ZÃ¼rich' = 'Zürich' with rows and lines, in a feature and in the target", () => {
    const [failed] = checkCsv(csv(moji)).failed.filter((r) => r.check === 'case_variants');
    expect(failed.column).toBe('city');
    expect(failed.observed).toContain(
      "or by mojibake (UTF-8 text decoded once as Latin-1: 'ZÃ¼rich' is 'Zürich')",
    );
    expect(failed.observed).toContain(
      "'Genève' (6 rows, first line 3) = 'GenÃ¨ve' (3 rows, first line 7); 'Malmö' (6 rows, first line 5) = 'MalmÃ¶' (3 rows, first line 13)",
    );
    expect(failed.expected).toContain('mojibake repaired');
    const [target] = checkCsv(
      csv(
        (i) => `c${i % 3}`,
        (i) => (i % 2 ? 'Crème' : i % 10 === 4 ? 'CrÃ¨me' : 'Brie'),
      ),
    ).failed.filter((r) => r.check === 'case_variants');
    expect(target.column).toBe('label');
  });

  it('refuses source.encoding latin1 on a valid UTF-8 file with multi-byte characters, naming the line', () => {
    const text = csv((i) => CITIES[i % 4]);
    expect(() => parseCsv(Buffer.from(text, 'utf8'), { encoding: 'latin1' })).toThrow(
      "source.encoding is latin1, but the file is valid UTF-8 with multi-byte characters (first on line 2: '0.5,Zürich,b'); " +
        "read as latin1, each would be mojibake ('Zürich' as 'ZÃ¼rich'): remove source.encoding (UTF-8 is the default)",
    );
    expect(() => parseCsv(Buffer.from(text, 'utf8'), { encoding: 'windows-1252' })).toThrow(
      'remove source.encoding',
    );
    expect(parseCsv(Buffer.from(text, 'latin1'), { encoding: 'latin1' }).getChild('city')!.get(0)).toBe(
      'Zürich',
    );
    expect(parseCsv(Buffer.from('x,city\n1,Zurich\n'), { encoding: 'latin1' }).numRows).toBe(1);
  });
});

describe('an emoji with and without its variation selector is one spelling variant (breaker 9 #32)', () => {
  it("fails case_variants for '❤' beside '❤\\ufe0f', the selector escaped", () => {
    const reaction = (i: number) =>
      i % 3 === 0 ? (i % 9 === 0 ? '\u2764\ufe0f' : '\u2764') : i % 3 === 1 ? '👍' : '🔥';
    const [failed] = checkCsv(csv((i) => `c${i % 3}`, reaction)).failed.filter(
      (r) => r.check === 'case_variants',
    );
    expect(failed.column).toBe('label');
    expect(failed.observed).toBe(
      'values differing only by case or spacing, or by an emoji variation selector (U+FE0E/U+FE0F): ' +
        "'\u2764\\ufe0f' (4 rows, first line 2) = '\u2764' (8 rows, first line 5)",
    );
    expect(failed.expected).toContain('variation selectors U+FE0E/U+FE0F removed');
    expect(spellingKey('\u2764\ufe0e')).toBe(spellingKey('\u2764'));
  });
});
