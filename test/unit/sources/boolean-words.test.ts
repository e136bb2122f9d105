import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../core/csv';
import { parseJsonLines } from '../../../core/sources/jsonl';
import { parsePredictBody } from '../../../core/serving/request';
import type { Preprocessing } from '../../../core/model/preprocess';

const column = (text: string) => {
  const table = parseCsv(text);
  return { type: String(table.schema.fields[0].type), values: [...table.getChild('m')!] };
};

describe('boolean columns: true/false in any case, and mixed with 1/0', () => {
  it('reads TRUE/False/1/0 in one column as one boolean, whichever comes first', () => {
    expect(column('m,y\n1,a\n0,b\nTRUE,a\nFalse,b\n')).toEqual({
      type: 'Bool',
      values: [true, false, true, false],
    });
    expect(column('m,y\nfalse,a\n1,b\n0,a\nTrue,b\n,a\n')).toEqual({
      type: 'Bool',
      values: [false, true, false, true, null],
    });
  });

  it('reads true/false in any case (tRUE, fAlSe) as booleans', () => {
    expect(column('m,y\ntRUE,a\nfAlSe,b\nTRUE,a\n')).toEqual({ type: 'Bool', values: [true, false, true] });
  });

  it('keeps a pure 1/0 column numeric, and 1/0 mixed with other words or numbers text', () => {
    expect(column('m,y\n1,a\n0,b\n1,a\n')).toEqual({ type: 'Float64', values: [1, 0, 1] });
    expect(column('m,y\n1,a\n0,b\nyes,a\n').type).toBe('Dictionary<Int32, Utf8>');
    expect(column('m,y\n1,a\n2,b\ntrue,a\n').type).toBe('Dictionary<Int32, Utf8>');
  });

  it('reads the same mix from JSON Lines strings', () => {
    const table = parseJsonLines('{"m":"TRUE"}\n{"m":"0"}\n{"m":"1"}\n{"m":"false"}\n');
    expect(String(table.schema.fields[0].type)).toBe('Bool');
    expect([...table.getChild('m')!]).toEqual([true, false, true, false]);
  });
});

describe('serving accepts the spellings ingest reads as a boolean', () => {
  const prep: Preprocessing = {
    version: 1,
    target: 'y',
    labelType: 'string',
    classes: ['a', 'b'],
    features: [{ name: 'm', kind: 'numeric', dtype: 'boolean', mean: 0.5, std: 0.5, offset: 0 }],
    inputWidth: 1,
  };
  it('reads 1/0 strings and any-case words as booleans, and names the accepted spellings otherwise', () => {
    const read = (m: unknown) => parsePredictBody({ instances: [{ m }] }, prep).instances[0].m;
    expect(['1', '0', 'tRUE', 'FALSE', 'True'].map(read)).toEqual([true, false, true, false, true]);
    expect(() => read('yes')).toThrow(
      "instances[0].m: expected a boolean (true/false in any case, or 1/0), got 'yes'",
    );
  });
});
