import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NULL_VALUES, parseCsv } from '../../../core/csv';
import { DataError } from '../../../core/errors';
import { readSource } from '../../../core/sources';
import { tableToCsv } from '../../../core/sources/csv-writer';
import { toParquet } from '../../../core/sources/parquet';
import { LOGICAL_TYPE_KEY, TEXT_REASON_KEY } from '../../../core/sources/text-types';

const rows = (t: arrow.Table) => t.toArray().map((r: { toJSON(): Record<string, unknown> }) => r.toJSON());
const type = (t: arrow.Table, name: string) => String(t.schema.fields.find((f) => f.name === name)!.type);
const meta = (t: arrow.Table, name: string, key: string) =>
  t.schema.fields.find((f) => f.name === name)!.metadata.get(key);

describe('ingest: null tokens, whitespace, number formats', () => {
  it('reads every default null token in a numeric column as null, keeping it Float64', () => {
    const tokens = DEFAULT_NULL_VALUES.filter((t) => !t.includes(','));
    const table = parseCsv(`x,y\n${tokens.map((t, i) => `${t},${i}`).join('\n')}\n7.9,99\n`);
    expect(type(table, 'x')).toBe('Float64');
    expect(table.getChild('x')!.nullCount).toBe(tokens.length);
    expect(rows(table).at(-1)).toEqual({ x: 7.9, y: 99 });
  });

  it('reads a quoted empty field as null in a numeric column and as an empty string in a text one', () => {
    const table = parseCsv('x,s\n1,a\n"",""\n');
    expect(rows(table)).toEqual([
      { x: 1, s: 'a' },
      { x: null, s: '' },
    ]);
  });

  it('takes source.nullValues instead of the defaults', () => {
    const table = parseCsv('x\n1\nmissing\nNA\n', { nullValues: ['missing'] });
    expect(type(table, 'x')).toContain('Utf8');
    expect(rows(table).map((r) => r.x)).toEqual(['1', null, 'NA']);
  });

  it("trims blanks around unquoted fields and header names: 'red ' is 'red', ' label' is 'label'", () => {
    const table = parseCsv(' x , label\n1,red \n2, red\n');
    expect(table.schema.fields.map((f) => f.name)).toEqual(['x', 'label']);
    expect(rows(table).map((r) => r.label)).toEqual(['red', 'red']);
    expect(rows(parseCsv('l\nred \n', { trim: false }))[0].l).toBe('red ');
  });

  it('reads decimal commas and digit groups when told to', () => {
    const semicolon = parseCsv('x;y\n3,14;1.234,5\n', { delimiter: ';', decimal: ',', thousands: '.' });
    expect(rows(semicolon)).toEqual([{ x: 3.14, y: 1234.5 }]);
    expect(rows(parseCsv('n\n"7,900"\n"1,000,000.25"\n', { thousands: ',' })).map((r) => r.n)).toEqual([
      7900, 1000000.25,
    ]);
  });

  it('keeps leading-zero codes and integers beyond 2^53 exact, as text, and says why', () => {
    const table = parseCsv('zip,id\n00123,9007199254740993\n10001,1\n');
    expect(rows(table)).toEqual([
      { zip: '00123', id: '9007199254740993' },
      { zip: '10001', id: '1' },
    ]);
    expect(meta(table, 'zip', TEXT_REASON_KEY)).toBe("codes with leading zeros ('00123') kept exact as text");
    expect(meta(table, 'id', TEXT_REASON_KEY)).toMatch(/integers beyond 2\^53/);
  });

  it('infers booleans and ISO-8601 timestamps (UTC when no zone is given)', () => {
    const table = parseCsv(
      'b,t\ntrue,2024-03-01\nFalse,2024-03-01T12:30:00\nTRUE,2024-03-01 00:00:00+02:00\n',
    );
    expect(type(table, 'b')).toBe('Bool');
    expect(rows(table).map((r) => r.b)).toEqual([true, false, true]);
    expect(meta(table, 't', LOGICAL_TYPE_KEY)).toBe('timestamp');
    expect(rows(table).map((r) => r.t)).toEqual([
      Date.UTC(2024, 2, 1),
      Date.UTC(2024, 2, 1, 12, 30),
      Date.UTC(2024, 1, 29, 22),
    ]);
  });
});

describe('ingest: encodings', () => {
  const text = 'city,n\nZürich,1\nZärich,2\n';
  it('decodes latin1 when told, and refuses invalid UTF-8 naming the line and byte offset', () => {
    const latin1 = Buffer.from(text, 'latin1');
    expect(rows(parseCsv(latin1, { encoding: 'latin1' })).map((r) => r.city)).toEqual(['Zürich', 'Zärich']);
    expect(() => parseCsv(latin1, { source: 'c.csv' })).toThrow(
      'c.csv: line 2, byte offset 8: invalid UTF-8 byte 0xfc; if the file is not UTF-8, set source.encoding',
    );
  });

  it('reads UTF-16 LE/BE by byte order mark, and BOM-less UTF-16 without a final newline', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
    for (const bytes of [le, be, Buffer.from(text.trimEnd(), 'utf16le')])
      expect(rows(parseCsv(bytes))).toEqual([
        { city: 'Zürich', n: 1 },
        { city: 'Zärich', n: 2 },
      ]);
  });
});

describe('ingest: Parquet, Arrow IPC and JSON Lines sources', () => {
  const expected = [
    { x: 1.5, s: 'a', b: true },
    { x: null, s: null, b: false },
  ];
  const table = new arrow.Table({
    x: arrow.vectorFromArray([1.5, null], new arrow.Float64()),
    s: arrow.vectorFromArray(['a', null], new arrow.Utf8()),
    b: arrow.vectorFromArray([true, false], new arrow.Bool()),
  });

  it('reads each format by extension or source.format', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'quiver-sources-'));
    try {
      await fs.writeFile(path.join(dir, 'd.parquet'), toParquet(table));
      await fs.writeFile(path.join(dir, 'd.arrow'), arrow.tableToIPC(table, 'file'));
      await fs.writeFile(path.join(dir, 'd.jsonl'), '{"x":1.5,"s":"a","b":true}\n{"x":null,"b":false}\n');
      await fs.writeFile(path.join(dir, 'd.data'), toParquet(table));
      for (const file of ['d.parquet', 'd.arrow', 'd.jsonl'])
        expect(rows(await readSource(path.join(dir, file))), file).toEqual(expected);
      expect(rows(await readSource(path.join(dir, 'd.data'), { format: 'parquet' }))).toEqual(expected);
      await expect(readSource(path.join(dir, 'd.data'))).rejects.toThrow(/set source.format/);
      await expect(readSource(path.join(dir, 'd.arrow'), { format: 'parquet' })).rejects.toThrow(DataError);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('CSV round trip (property): a kept CSV writer and our reader agree', () => {
  const token = fc.constantFrom(...DEFAULT_NULL_VALUES, 'Infinity', '1,5', '""');
  const text = fc.oneof(
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r\n', ' ', 'é', '😀') }),
    token,
  );
  const number = fc
    .double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 })
    .map((n) => (Object.is(n, -0) ? 0 : n));

  it('reads back exactly the numbers, nulls and strings csv-stringify wrote (strings quoted)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.option(number), fc.option(text.map((s) => `s${s}`))), {
          minLength: 1,
          maxLength: 30,
        }),
        (records) => {
          const csv = stringify(
            [['n', 's'], ...records.map(([n, s]) => [n === null ? null : String(n), s])],
            {
              quoted_string: true,
            },
          ).replace(/^"n","s"/, 'n,s');
          const back = rows(parseCsv(csv));
          // A quoted field is text as written; an unquoted empty is null (csv-stringify writes null so).
          expect(back.map((r) => r.s)).toEqual(records.map(([, s]) => s));
          const numbers = back.map((r) => (typeof r.n === 'string' ? Number(r.n) : r.n));
          expect(numbers).toEqual(records.map(([n]) => n));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('exports any table to CSV (null apart from an empty string) and reads it back equal', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.option(number), fc.option(text)), { minLength: 1, maxLength: 30 }),
        (records) => {
          const table = new arrow.Table({
            n: arrow.vectorFromArray(
              records.map(([n]) => n),
              new arrow.Float64(),
            ),
            s: arrow.vectorFromArray(
              records.map(([, s]) => s),
              new arrow.Utf8(),
            ),
          });
          const back = rows(parseCsv(tableToCsv(table), { trim: false }));
          const strings = back.map((r) => (r.s === null || typeof r.s === 'string' ? r.s : String(r.s)));
          expect(strings.map((s, i) => (typeof records[i][1] === 'string' ? s : s))).toEqual(
            records.map(([, s]) => s),
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});
