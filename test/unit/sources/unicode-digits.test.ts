import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../core/csv';
import { parseJsonLines } from '../../../core/sources/jsonl';
import { parseSource } from '../../../core/sources/index';
import { asciiDigits } from '../../../core/sources/unicode-digits';
import { parsePredictBody } from '../../../core/serving/request';
import type { Preprocessing } from '../../../core/model/preprocess';
import { checkTable } from '../../support/data-checks';

const column = (text: string, options = {}) => {
  const table = parseCsv(text, options);
  return { type: String(table.schema.fields[0].type), values: [...table.getChild('m')!] };
};

describe('numbers written in Unicode decimal digits', () => {
  it('spells Arabic-Indic, Persian, full-width and other Nd digits in ASCII, as float() reads them', () => {
    expect(asciiDigits('٥٫١')).toBe('5.1');
    expect(asciiDigits('۵.۱')).toBe('5.1');
    expect(asciiDigits('５．１')).toBe('5.1');
    expect(asciiDigits('－３')).toBe('-3');
    expect(asciiDigits('४२')).toBe('42'); // Devanagari
    expect(asciiDigits('١٬٢٣٤٫٥')).toBe('1234.5');
    expect(asciiDigits('١٬٢٣')).toBeNull(); // not a digit group
    expect(asciiDigits('٥٫١', ',')).toBe('5,1');
    expect(asciiDigits('5.1')).toBeNull();
    expect(asciiDigits('5²')).toBeNull(); // a superscript is no digit (NFKC would make it 52)
    expect(asciiDigits('Zürich')).toBeNull();
  });

  it('reads a CSV column written in them on every row as numbers', () => {
    expect(column('m,y\n٥٫١,a\n٤٫٩,b\n١٠,a\n')).toEqual({ type: 'Float64', values: [5.1, 4.9, 10] });
    expect(column('m,y\n۵.۱,a\n۴.۹,b\n')).toEqual({ type: 'Float64', values: [5.1, 4.9] });
    expect(column('m,y\n５．１,a\n"４．９",b\n')).toEqual({ type: 'Float64', values: [5.1, 4.9] });
    expect(column('m;y\n٥٫١;a\n4,9;b\n', { delimiter: ';', decimal: ',' })).toEqual({
      type: 'Float64',
      values: [5.1, 4.9],
    });
  });

  it('reads the column as numbers when only some rows use them', () => {
    expect(column('m,y\n5.1,a\n５．４,b\n4.9,a\n٣,b\n')).toEqual({
      type: 'Float64',
      values: [5.1, 5.4, 4.9, 3],
    });
  });

  it('keeps text text, and Arabic-Indic codes with leading zeros exact', () => {
    expect(column('m,y\n٥٫١,a\nشمال,b\n')).toEqual({
      type: 'Dictionary<Int32, Utf8>',
      values: ['٥٫١', 'شمال'],
    });
    expect(column('m,y\n٠٠٧,a\n٠١٢,b\n').values).toEqual(['٠٠٧', '٠١٢']);
  });

  it('serving reads a feature sent in them as its number, as ingest did', () => {
    const prep: Preprocessing = {
      version: 1,
      target: 'y',
      labelType: 'string',
      classes: ['a', 'b'],
      features: [{ name: 'm', kind: 'numeric', dtype: 'number', mean: 5, std: 1, offset: 0 }],
      inputWidth: 1,
    };
    const read = (m: unknown) => parsePredictBody({ instances: [{ m }] }, prep).instances[0].m;
    expect(['٥٫١', '۵.۱', '５．１', 5.1].map(read)).toEqual([5.1, 5.1, 5.1, 5.1]);
    expect(() => read('٥x')).toThrow("instances[0].m: expected a finite number, got '٥x'");
  });
});

describe('JSON Lines numbers beside strings in Unicode digits', () => {
  it('reads the column as numbers', () => {
    const table = parseJsonLines('{"m": 5.1, "y": "a"}\n{"m": "٤٫٩", "y": "b"}\n{"m": "５．０", "y": "a"}\n');
    expect(String(table.schema.fields.find((f) => f.name === 'm')!.type)).toBe('Float64');
    expect([...table.getChild('m')!]).toEqual([5.1, 4.9, 5]);
  });
});

describe('a column declared number (source.columnTypes) in Unicode digits', () => {
  it('reads JSON Lines strings in them as numbers', () => {
    const text = '{"m": "٥٫١", "y": "a"}\n{"m": "４．９", "y": "b"}\n';
    const table = parseSource(Buffer.from(text), 'jsonl', 'j.jsonl', { columnTypes: { m: 'number' } });
    expect([...table.getChild('m')!]).toEqual([5.1, 4.9]);
  });

  it('names a JSON Lines string column written only in them as numbers held as text (numeric_text)', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => {
      const digits = String(40 + i).replace(/\d/g, (d) => String.fromCharCode(0x660 + Number(d)));
      return JSON.stringify({ m: `${digits}٫٥`, label: i % 2 ? 'a' : 'b' });
    });
    const table = parseJsonLines(`${rows.join('\n')}\n`);
    expect(String(table.schema.fields[0].type)).toContain('Utf8');
    const failed = checkTable(table)
      .report.filter((r) => !r.passed && r.column === 'm')
      .map((r) => r.check);
    expect(failed).toContain('numeric_text');
  });
});
