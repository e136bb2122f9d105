import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../core/csv';
import { quote } from '../../../core/quote';
import { readText, DEFAULT_TEXT_RULES } from '../../../core/serving/text-rules';

const RLM = '\u200f';
const LRM = '\u200e';

describe('bidi marks around values (Hebrew and Arabic exports)', () => {
  it('are trimmed at field ends like zero-width characters, so the numbers stay numbers', () => {
    const table = parseCsv(`m,k,y\n${RLM}5.0,4.4${LRM},a\n4.9,1.4,b\n\u061c3\u2066,\u202b2\u202c,a\n`);
    expect(String(table.schema.fields[0].type)).toBe('Float64');
    expect([...table.getChild('m')!]).toEqual([5, 4.9, 3]);
    expect([...table.getChild('k')!]).toEqual([4.4, 1.4, 2]);
  });

  it('are trimmed from text values and header names, and kept inside a value', () => {
    const table = parseCsv(`${RLM}m,y\nred${LRM},a\nred,b\nב${RLM}ג,a\n`);
    expect(table.schema.fields[0].name).toBe('m');
    expect([...table.getChild('m')!]).toEqual(['red', 'red', `ב${RLM}ג`]);
  });

  it('serving trims them as ingest did', () => {
    expect(readText(`${RLM}red${LRM}`, DEFAULT_TEXT_RULES)).toBe('red');
  });

  it('print escaped in messages, as every invisible or control character does', () => {
    expect(quote(`${RLM}5.0`)).toBe("'\\u200f5.0'");
    expect(quote(`4.4${LRM}`)).toBe("'4.4\\u200e'");
    expect(quote('\u061c\u202e\u2066x\u2069')).toBe("'\\u061c\\u202e\\u2066x\\u2069'");
    expect(quote('re\u0000d\u001b[31m\u007f\u0085')).toBe("'re\\u0000d\\u001b[31m\\u007f\\u0085'");
    expect(quote('a b\tc\u00a0')).toBe("'a b\\tc\\u00a0'");
    expect(quote('Zürich ٥٫١ 東京')).toBe("'Zürich ٥٫١ 東京'");
  });
});
