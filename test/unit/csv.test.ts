import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { parseCsv, readCsv } from '../../core/csv';
import { DataError, SpecError } from '../../core/errors';

const dataDir = path.join(__dirname, '..', '..', 'data');

function rows(table: arrow.Table): Record<string, unknown>[] {
  return table.toArray().map((row: { toJSON(): Record<string, unknown> }) => row.toJSON());
}

function types(table: arrow.Table): Record<string, string> {
  return Object.fromEntries(table.schema.fields.map((f) => [f.name, String(f.type)]));
}

function parseError(text: string): DataError {
  try {
    parseCsv(text);
  } catch (error) {
    expect(error).toBeInstanceOf(DataError);
    return error as DataError;
  }
  throw new Error('expected parseCsv to throw');
}

describe('parseCsv: RFC 4180 fields', () => {
  it('reads quoted fields holding delimiters, doubled quotes and line breaks', () => {
    const table = parseCsv('id,text\n1,"a,b"\n2,"she said ""hi"""\n3,"two\nlines"\n');
    expect(rows(table)).toEqual([
      { id: 1, text: 'a,b' },
      { id: 2, text: 'she said "hi"' },
      { id: 3, text: 'two\nlines' },
    ]);
  });

  it('turns unquoted empty fields into nulls and keeps a quoted empty string', () => {
    const table = parseCsv('x,label\n1,a\n,b\n3,\n4,""\n');
    expect(rows(table)).toEqual([
      { x: 1, label: 'a' },
      { x: null, label: 'b' },
      { x: 3, label: null },
      { x: 4, label: '' },
    ]);
    expect(table.getChild('x')!.nullCount).toBe(1);
    expect(table.getChild('label')!.nullCount).toBe(1);
  });

  it('accepts CRLF line endings, a missing final newline, a BOM and blank lines', () => {
    const table = parseCsv('\ufeffa,b\r\n1,x\r\n\r\n2,"y\r\nz"');
    expect(table.schema.fields.map((f) => f.name)).toEqual(['a', 'b']);
    expect(rows(table)).toEqual([
      { a: 1, b: 'x' },
      { a: 2, b: 'y\r\nz' },
    ]);
  });

  it('splits on a custom delimiter', () => {
    const table = parseCsv('a;b\n1,5;x\n', { delimiter: ';' });
    expect(rows(table)).toEqual([{ a: '1,5', b: 'x' }]);
  });

  it('rejects a delimiter that is not one plain character', () => {
    expect(() => parseCsv('a\n1\n', { delimiter: '"' })).toThrow(SpecError);
    expect(() => parseCsv('a\n1\n', { delimiter: '::' })).toThrow(SpecError);
  });
});

describe('parseCsv: type inference', () => {
  it('makes all-number columns Float64 and anything else dictionary-encoded Utf8', () => {
    const table = parseCsv('n,s,mixed\n1,a,1\n2.5,b,x\n-3e2,a,3\n');
    expect(types(table)).toEqual({
      n: 'Float64',
      s: 'Dictionary<Int32, Utf8>',
      mixed: 'Dictionary<Int32, Utf8>',
    });
    expect(rows(table).map((r) => r.n)).toEqual([1, 2.5, -300]);
    expect(rows(table).map((r) => r.mixed)).toEqual(['1', 'x', '3']);
  });

  it('parses numbers exactly like Number(), with surrounding blanks trimmed', () => {
    const texts = [
      '0',
      '-0.5',
      '+7',
      '.25',
      '5.',
      ' 12 ',
      '\t3.14\t',
      '1e3',
      '2.5E-4',
      '0.1',
      '123456789012345678901.0',
      '0.30000000000000004',
      '9007199254740992',
      '1.7976931348623157e308',
      '4.9e-324',
      '0.000001234567',
    ];
    const table = parseCsv(`v\n${texts.join('\n')}\n`);
    expect(String(table.schema.fields[0].type)).toBe('Float64');
    expect(rows(table).map((r) => r.v)).toEqual(texts.map((t) => Number(t)));
  });

  it('keeps a column as text when one value is not a finite decimal number, with its original text', () => {
    for (const odd of ['Infinity', '0x10', '1e999', '1_000', '--1', '1e', '1 2']) {
      const table = parseCsv(`v\n007\n1.50\n${odd}\n`);
      expect(String(table.schema.fields[0].type), odd).toBe('Dictionary<Int32, Utf8>');
      expect(rows(table).map((r) => r.v)).toEqual(['007', '1.50', odd]);
    }
  });

  it('reads quoted numbers as numbers', () => {
    const table = parseCsv('v\n"1.5"\n" 2 "\n');
    expect(rows(table).map((r) => r.v)).toEqual([1.5, 2]);
  });

  it('types a column of nulls only as Float64', () => {
    const table = parseCsv('a,b\n1,\n2,\n');
    expect(types(table).b).toBe('Float64');
    expect(table.getChild('b')!.nullCount).toBe(2);
  });
});

describe('parseCsv: errors name the physical line', () => {
  it('reports a row with the wrong field count', () => {
    const error = parseError(
      'a,b,c,d,e\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4,5,6\n',
    );
    expect(error.message).toBe("line 7: expected 5 fields (as the header has), found 6: '1,2,3,4,5,6'");
    // A short last line also gets a footer/truncation hint (see test/unit/data-lines/csv-reading.test.ts).
    expect(parseError('a,b\n1\n').message).toMatch(
      /^line 2: expected 2 fields \(as the header has\), found 1: '1'; /,
    );
  });

  it("shows a ragged row's text quoted (line breaks escaped), cut at 120 characters", () => {
    expect(parseError('a,b\r\n1,"x\r\ny",3\r\n').message).toBe(
      'line 2: expected 2 fields (as the header has), found 3: \'1,"x\\r\\ny",3\'',
    );
    const long = parseError(`a,b\n1,${'é'.repeat(200)},3\n`).message;
    expect(long).toBe(`line 2: expected 2 fields (as the header has), found 3: '1,${'é'.repeat(118)}'…`);
  });

  it('counts the lines inside a multi-line quoted field', () => {
    const error = parseError('a,b\n1,"one\ntwo\nthree"\n2,ok\n3\n');
    expect(error.message).toMatch(/^line 6: expected 2 fields \(as the header has\), found 1: '3'; /);
  });

  it('reports an unterminated quote at the line where it opened', () => {
    expect(parseError('a,b\n1,x\n2,"never closed\n3,y\n').message).toMatch(
      /^line 3: unterminated quoted field, column 'b' \(field 2\): /,
    );
  });

  it('reports a stray quote inside an unquoted field and text after a closing quote', () => {
    expect(parseError('a,b\n1,ab"c\n').message).toMatch(
      /^line 2: unexpected quote inside an unquoted field, column 'b' \(field 2\): 'ab"c'; /,
    );
    expect(parseError('a,b\n1,"ab"c\n').message).toMatch(
      /^line 2: unexpected character "c" after a closing quote, column 'b' \(field 2\): /,
    );
  });

  it('rejects empty and duplicate header names, an empty file and a header without rows', () => {
    expect(parseError('a,,c\n1,2,3\n').message).toBe('line 1: column 2 has an empty header name');
    expect(parseError('a,b,a\n1,2,3\n').message).toMatch(
      /^line 1: duplicate header name 'a' \(columns 1 and 3\)/,
    );
    expect(parseError('').message).toMatch(/empty: a header row is required/);
    expect(parseError('a,b\n').message).toMatch(/no data rows/);
  });

  it('names the source when given one', () => {
    expect(() => parseCsv('a\n"x', { source: 'data.csv' })).toThrow(
      'data.csv: line 2: unterminated quoted field',
    );
  });
});

describe('readCsv', () => {
  it('reads iris: 150 rows, 4 numeric features and the species', async () => {
    const table = await readCsv(path.join(dataDir, 'iris.csv'));
    expect(table.numRows).toBe(150);
    expect(table.numCols).toBe(5);
    expect(types(table)).toEqual({
      sepal_length: 'Float64',
      sepal_width: 'Float64',
      petal_length: 'Float64',
      petal_width: 'Float64',
      species: 'Dictionary<Int32, Utf8>',
    });
    expect(rows(table)[0]).toEqual({
      sepal_length: 5.1,
      sepal_width: 3.5,
      petal_length: 1.4,
      petal_width: 0.2,
      species: 'setosa',
    });
  });

  it('reads penguins from a file:// URI, with its missing values as nulls', async () => {
    const table = await readCsv(pathToFileURL(path.join(dataDir, 'penguins.csv')).href);
    expect(table.numRows).toBe(344);
    expect(table.numCols).toBe(7);
    expect(types(table).body_mass_g).toBe('Float64');
    expect(types(table).sex).toBe('Dictionary<Int32, Utf8>');
    expect(table.getChild('bill_length_mm')!.nullCount).toBe(2);
    expect(table.getChild('sex')!.nullCount).toBeGreaterThan(0);
    expect(rows(table)[3]).toEqual({
      species: 'Adelie',
      island: 'Torgersen',
      bill_length_mm: null,
      bill_depth_mm: null,
      flipper_length_mm: null,
      body_mass_g: null,
      sex: null,
    });
  });

  it('names the file in errors and reports a missing file as a DataError', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'quiver-csv-'));
    try {
      const file = path.join(dir, 'bad.csv');
      await fs.writeFile(file, 'a,b\n1,2\n3\n');
      await expect(readCsv(file)).rejects.toThrow(
        `${file}: line 3: expected 2 fields (as the header has), found 1: '3'`,
      );
      await expect(readCsv(path.join(dir, 'missing.csv'))).rejects.toThrow(DataError);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('produces a table that survives an Arrow IPC round trip', async () => {
    const table = await readCsv(path.join(dataDir, 'penguins.csv'));
    const back = arrow.tableFromIPC(arrow.tableToIPC(table, 'file'));
    expect(rows(back)).toEqual(rows(table));
  });
});
