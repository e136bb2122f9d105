import { describe, expect, it } from 'vitest';
import { outOfModel } from '../../../activities/ingest';
import { parseSource } from '../../../core/sources/index';
import { validateSpec } from '../../../core/spec/load';

const csv = (text: string) => parseSource(Buffer.from(text, 'utf8'), 'csv', 'c.csv');
const rows = (n: number) => Array.from({ length: n }, (_, i) => `${i},${['red', 'blue'][i % 2]}`).join('\n');

describe('control characters inside text values', () => {
  it('fail ingest naming the line, the column and the value escaped', () => {
    expect(() => csv(`x,color\n${rows(3)}\n3,re\u0000d\n4,red\n`)).toThrow(
      "c.csv: line 5, column 'color': 're\\u0000d' holds a control character (U+0000), invisible on screen yet a different value: a C-string writer or a damaged file? Remove it upstream",
    );
    expect(() => csv(`x,species\n1,seto\u0000sa\n2,setosa\n`)).toThrow(
      "line 2, column 'species': 'seto\\u0000sa'",
    );
    expect(() => csv(`x,c\n1,"a\u001b[0m"\n`)).toThrow(
      "line 2, column 'c': 'a\\u001b[0m' holds a control character (U+001B)",
    );
  });

  it('in JSON Lines too, naming the line', () => {
    const text = '{"x": 1, "c": "red"}\n{"x": 2, "c": "re\\u0007d"}\n';
    expect(() => parseSource(Buffer.from(text), 'jsonl', 'j.jsonl')).toThrow(
      "j.jsonl: line 2, column 'c': 're\\u0007d' holds a control character (U+0007)",
    );
  });

  it('leave tabs and line breaks inside quoted values alone', () => {
    const table = csv('x,c\n1,"a\tb"\n2,"two\nlines"\n');
    expect([...table.getChild('c')!]).toEqual(['a\tb', 'two\nlines']);
  });

  it("read FileMaker's vertical tab and pdftotext's form feed as whitespace, not a damaged file (BREAKER10 #7)", () => {
    const table = csv('x,notes\n1,checked\u000bsecond line\n2,page one\u000cpage two\n3,plain\n');
    expect([...table.getChild('notes')!]).toEqual([
      'checked\u000bsecond line',
      'page one\u000cpage two',
      'plain',
    ]);
  });

  it('skip a column the spec keeps out of the model, still fail a model input (BREAKER10 #7)', () => {
    const text = Buffer.from('x,notes,color\n1,a\u0000b,red\n2,c,blue\n');
    const read = (outOfModel: (c: string) => boolean) => parseSource(text, 'csv', 'c.csv', { outOfModel });
    expect(read((c) => c === 'notes').numRows).toBe(2);
    expect(() => read(() => false)).toThrow(
      "line 2, column 'notes': 'a\\u0000b' holds a control character (U+0000)",
    );
  });

  it("ingest's rule: out of the model by ignore: true or a train.features keep-list, never the target", () => {
    const spec = (extra: Record<string, unknown>) =>
      validateSpec({ name: 't', source: { uri: 'c.csv' }, target: { column: 'color' }, ...extra });
    const text = Buffer.from('x,notes,color\n1,a\u0000b,red\n2,c,blue\n3,d,re\u0000d\n');
    const read = (extra: Record<string, unknown>) =>
      parseSource(text.subarray(0, 33), 'csv', 'c.csv', { outOfModel: outOfModel(spec(extra)) });
    expect(read({ train: { features: ['x'] } }).numRows).toBe(2);
    expect(read({ sanity: { schema: { columns: { notes: { ignore: true } } } } }).numRows).toBe(2);
    expect(() => read({})).toThrow("column 'notes'");
    // The target is a model's output: a keep-list never leaves it out.
    const all = (extra: Record<string, unknown>) =>
      parseSource(text, 'csv', 'c.csv', { outOfModel: outOfModel(spec(extra)) });
    expect(() => all({ train: { features: ['x'] } })).toThrow("column 'color': 're\\u0000d'");
  });

  it('a file padded with NULs names the padding, never prints raw NULs', () => {
    let message = '';
    try {
      csv(`x,color\n${rows(3)}\n${'\u0000'.repeat(300)}`);
    } catch (error) {
      message = String(error);
    }
    expect(message).toContain(
      "line 5: expected 2 fields (as the header has), found 1: '\\u0000' × 300 (NUL padding)",
    );
    expect(message).not.toContain('\u0000');
  });
});
