import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../core/errors';
import { canonicalEncoding } from '../../../core/sources/encoding';
import { parseSource } from '../../../core/sources/index';
import { toParquet } from '../../../core/sources/parquet';
import { validateSpec } from '../../../core/spec/load';

const specWith = (source: Record<string, unknown>) =>
  validateSpec({ name: 't', source: { uri: 'x.csv', ...source }, target: { column: 'y' } });

describe('source.encoding: the usual spellings of each encoding', () => {
  it('accepts utf8, UTF8, latin-1, ISO-8859-1, utf16le, CP1252 as the canonical names', () => {
    const cases: Record<string, string> = {
      utf8: 'utf-8',
      UTF8: 'utf-8',
      'UTF-8': 'utf-8',
      'latin-1': 'latin1',
      'iso-8859-1': 'latin1',
      ISO_8859_1: 'latin1',
      utf16le: 'utf-16le',
      'UTF-16BE': 'utf-16be',
      CP1252: 'windows-1252',
    };
    for (const [written, canonical] of Object.entries(cases))
      expect(specWith({ encoding: written }).source.encoding, written).toBe(canonical);
    expect(canonicalEncoding('ebcdic')).toBeNull();
  });

  it('refuses an unknown encoding naming it and the accepted names', () => {
    expect(() => specWith({ encoding: 'ebcdic' })).toThrow(
      /source\.encoding.*unknown encoding "ebcdic": use one of utf-8, latin1, windows-1252, utf-16le, utf-16be/,
    );
  });
});

describe('a Parquet or Arrow file read as CSV says what it is', () => {
  const table = arrow.tableFromArrays({ x: Float64Array.from([1, 2]), y: ['a', 'b'] });
  it.each([
    ['Parquet', Buffer.from(toParquet(table)), 'parquet', '.parquet'],
    ['Arrow IPC', Buffer.from(arrow.tableToIPC(table, 'file')), 'arrow', '.arrow'],
    ['Arrow IPC', Buffer.from(arrow.tableToIPC(table, 'stream')), 'arrow', '.arrow'],
  ])('%s bytes with format csv', (what, bytes, format, ext) => {
    const read = () => parseSource(bytes, 'csv', 'd.csv');
    expect(read).toThrow(DataError);
    expect(read).toThrow(
      `d.csv: this is a ${what} file, not CSV: set source.format: ${format}, or drop source.format and name the file ${ext}`,
    );
  });
  it('still reads a tiny CSV', () => {
    expect(parseSource(Buffer.from('y\na\n'), 'csv', 'd.csv').numRows).toBe(1);
  });
});
