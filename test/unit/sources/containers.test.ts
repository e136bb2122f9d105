import { gzipSync } from 'node:zlib';
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../core/errors';
import { parseSource, sourceFormat } from '../../../core/sources';

const CSV = 'x,label\n1.5,a\n2.5,b\n';
const column = (t: arrow.Table, name: string) =>
  Array.from({ length: t.numRows }, (_, i) => t.getChild(name)!.get(i));

describe('sources inside containers: gzip, Excel workbooks, zip archives', () => {
  it('reads a gzipped CSV, whether named .csv.gz or saved as .csv', () => {
    expect(sourceFormat('file:///d/iris.csv.gz')).toBe('csv');
    expect(sourceFormat('./events.jsonl.GZ')).toBe('jsonl');
    const table = parseSource(gzipSync(CSV), 'csv', 'irisgz.csv');
    expect(column(table, 'x')).toEqual([1.5, 2.5]);
    expect(column(table, 'label')).toEqual(['a', 'b']);
  });

  it('reads gzipped JSON Lines and Arrow files too', () => {
    const jsonl = parseSource(gzipSync('{"x": 1}\n{"x": 2}\n'), 'jsonl', 'e.jsonl.gz');
    expect(column(jsonl, 'x')).toEqual([1, 2]);
    const ipc = arrow.tableToIPC(
      new arrow.Table({ x: arrow.vectorFromArray([1, 2], new arrow.Float64()) }),
      'file',
    );
    expect(column(parseSource(gzipSync(ipc), 'arrow', 't.arrow.gz'), 'x')).toEqual([1, 2]);
  });

  it('says a truncated gzip file does not decompress', () => {
    const cut = gzipSync(CSV.repeat(50)).subarray(0, 30);
    expect(() => parseSource(cut, 'csv', 'cut.csv')).toThrow(
      /cut\.csv: a gzip file that does not decompress/,
    );
  });

  it('names an .xlsx workbook saved as .csv and says to export it as CSV, not to change the encoding', () => {
    const xlsx = Buffer.concat([
      Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]),
      Buffer.from('\u0000\u0000[Content_Types].xml<x/>PK', 'latin1'),
    ]);
    const read = () => parseSource(xlsx, 'csv', 'book.csv');
    expect(read).toThrow(DataError);
    expect(read).toThrow(
      /book\.csv: this is an Excel workbook \(\.xlsx, a zip\), not CSV: export the sheet as CSV/,
    );
    expect(read).not.toThrow(/encoding/);
  });

  it('names an old .xls workbook and any other zip archive', () => {
    const xls = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0]);
    expect(() => parseSource(xls, 'csv', 'old.csv')).toThrow(/Excel 97–2003 workbook \(\.xls\), not CSV/);
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('data/iris.csv')]);
    expect(() => parseSource(zip, 'jsonl', 'a.jsonl')).toThrow(/a zip archive, not JSON Lines: unzip it/);
  });
});
