import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../core/csv';
import { parseBooleanText } from '../../../core/sources/text-types';
import { checkCsv } from '../../support/data-checks';

/** 120 rows `x,label`: x rising with the class; the label written by `word` (row, class). */
const labelled = (word: (i: number, yes: boolean) => string) =>
  `x,label\n${Array.from({ length: 120 }, (_, i) => `${(i * 37) % 100},${word(i, (i * 37) % 100 > 50)}`).join('\n')}\n`;

describe('yes/no and TRUE/FALSE in other languages (BREAKER9 #9)', () => {
  const pairs: [string, string][] = [
    ['ja', 'nein'],
    ['oui', 'non'],
    ['sí', 'no'],
    ['sim', 'não'],
    ['да', 'нет'],
    ['tak', 'nie'],
  ];
  for (const [yes, no] of pairs)
    it(`fails a target mixing yes/no with ${yes}/${no} as label_spellings, grouping the two spellings of each answer`, () => {
      const text = labelled((i, y) => (i % 3 === 0 ? (y ? yes : no) : y ? 'yes' : 'no'));
      const found = checkCsv(text).failed.filter((r) => r.check === 'label_spellings');
      expect(found).toHaveLength(1);
      expect(found[0].observed).toMatch(new RegExp(`'yes' \\(\\d+ rows, first line \\d+\\) = '${yes}'`));
      if (no !== 'no')
        expect(found[0].observed).toMatch(new RegExp(`'no' \\(\\d+ rows, first line \\d+\\) = '${no}'`));
    });

  it('reads a column of TRUE/FALSE beside WAHR/FALSCH (German Excel) as one boolean column', () => {
    const rows = Array.from(
      { length: 40 },
      (_, i) => `${i},${i % 4 === 0 ? (i % 8 ? 'WAHR' : 'FALSCH') : i % 2 ? 'TRUE' : 'FALSE'}`,
    );
    const table = parseCsv(`x,flag\n${rows.join('\n')}\n`);
    expect(String(table.getChild('flag')!.type)).toBe('Bool');
    expect(table.getChild('flag')!.get(4)).toBe(true);
    expect(table.getChild('flag')!.get(0)).toBe(false);
  });

  it('serving reads VRAI/FAUX, VERDADERO/FALSO as booleans; other words stay refused', () => {
    expect(['VRAI', 'faux', 'Verdadero', 'FALSO', 'wahr'].map(parseBooleanText)).toEqual([
      true,
      false,
      true,
      false,
      true,
    ]);
    expect(parseBooleanText('sand')).toBeNull();
    expect(parseBooleanText('maybe')).toBeNull();
  });
});
