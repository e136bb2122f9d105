import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { parseCsv, type CsvOptions } from '../../../core/csv';
import { DataError, SpecError } from '../../../core/errors';
import { parseSource, sourceFormat } from '../../../core/sources';
import { skippedLinesOf } from '../../../core/sources/comment-lines';
import { locatorFrom, ROW_LINES_KEY } from '../../../core/sources/row-lines';
import { categoryEditNote } from '../../../core/data/category-edit';
import { quote } from '../../../core/quote';
import { validateSpec } from '../../../core/spec/load';

const IRIS_ROWS = [
  '5.1,3.5,1.4,0.2,Iris-setosa',
  '4.9,3.0,1.4,0.2,Iris-setosa',
  '5.1,3.3,1.7,0.5,Iris-setosa',
  '7.0,3.2,4.7,1.4,Iris-versicolor',
  '6.4,3.2,4.5,1.5,Iris-versicolor',
  '6.3,3.3,6.0,2.5,Iris-virginica',
];
const NAMES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'];

function failure(text: string, options: CsvOptions = {}): Error {
  try {
    parseCsv(text, options);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected parseCsv to throw');
}

describe('a file without a header line (UCI .data)', () => {
  it('fails naming the first line as data, with source.header: false and source.names', () => {
    const error = failure(`${IRIS_ROWS.join('\n')}\n`);
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toContain('line 1: the first line looks like data');
    expect(error.message).toContain("'5.1', '3.5'");
    expect(error.message).toContain('no header? set source.header: false and source.names: [');
  });

  it('reads every line as data under source.header: false with source.names', () => {
    const table = parseCsv(`${IRIS_ROWS.join('\n')}\n`, { header: false, names: NAMES });
    expect(table.numRows).toBe(6);
    expect(table.schema.fields.map((f) => f.name)).toEqual(NAMES);
    expect(table.getChild('sepal_length')!.get(0)).toBe(5.1);
    expect(String(table.getChild('species')!.get(0))).toBe('Iris-setosa');
  });

  it('names the mismatch when source.names has too few or too many names', () => {
    const few = failure(`${IRIS_ROWS.join('\n')}\n`, { header: false, names: NAMES.slice(0, 4) });
    expect(few).toBeInstanceOf(SpecError);
    expect(few.message).toContain('source.names lists 4 names');
    expect(few.message).toContain('line 1 has 5 fields');
    expect(few.message).toContain('field 5 has no name');
    const many = failure(`${IRIS_ROWS.join('\n')}\n`, { header: false, names: [...NAMES, 'extra'] });
    expect(many.message).toContain("'extra' has no field");
  });

  it('needs source.names with source.header: false, and replaces a header with them otherwise', () => {
    expect(failure('1,2\n3,4\n', { header: false }).message).toContain(
      'source.header: false needs source.names',
    );
    const table = parseCsv('a,b\n1,2\n', { names: ['x', 'y'] });
    expect(table.schema.fields.map((f) => f.name)).toEqual(['x', 'y']);
    expect(table.numRows).toBe(1);
  });

  it('keeps ordinary headers, pandas 0,1,2 column names and year headers', () => {
    expect(parseCsv(`${NAMES.join(',')}\n${IRIS_ROWS.join('\n')}\n`).numRows).toBe(6);
    expect(parseCsv('0,1,2\n0,1,2\n1,0,2\n').numRows).toBe(2);
    expect(parseCsv('region,2019,2020\nnorth,5,6\nsouth,7,8\n').numRows).toBe(2);
  });

  it("keeps pandas' numbered names beside a named label (sklearn digits: 0,…,15,target), and an explicit header: true", () => {
    const digits = ['0,1,2,3,target', '0,1,2,3,0', '3,0,1,2,1', '2,3,0,1,2'].join('\n');
    expect(parseCsv(`${digits}\n`).schema.fields.map((f) => f.name)).toEqual(['0', '1', '2', '3', 'target']);
    expect(parseCsv(`${IRIS_ROWS.join('\n')}\n`, { header: true }).numRows).toBe(IRIS_ROWS.length - 1);
    expect(() => parseCsv(`${IRIS_ROWS.join('\n')}\n`)).toThrow('no header?');
  });
});

describe('a header name with a line break (Excel Alt+Enter)', () => {
  it('reads the break as one space and says so in the summary', () => {
    const table = parseCsv('"Sepal\nLength (cm)",species\n5.1,setosa\n4.9,setosa\n');
    expect(table.schema.fields.map((f) => f.name)).toEqual(['Sepal Length (cm)', 'species']);
    expect(skippedLinesOf(table).headerNames).toBe("'Sepal Length (cm)'");
  });
});

describe('Parquet/Arrow durations and times of day', () => {
  const ipc = (columns: Record<string, arrow.Vector>) =>
    Buffer.from(arrow.tableToIPC(new arrow.Table(columns), 'file'));
  const species = arrow.vectorFromArray(['a', 'b', 'a'], new arrow.Utf8());
  const x = arrow.vectorFromArray([1, 2, 3], new arrow.Float64());

  it('reads a Duration as seconds and a Time32 as ms since midnight, noting the logical type', () => {
    const table = parseSource(
      ipc({
        dur: arrow.vectorFromArray([1500n, null, 60000n], new arrow.DurationMillisecond()),
        t: arrow.vectorFromArray([3_600_000, 0, 45_000_000], new arrow.TimeMillisecond()),
        x,
        species,
      }),
      'arrow',
      'f.arrow',
    );
    expect([...table.getChild('dur')!]).toEqual([1.5, null, 60]);
    expect([...table.getChild('t')!]).toEqual([3_600_000, 0, 45_000_000]);
    expect(table.schema.fields.find((f) => f.name === 'dur')!.metadata.get('quiver.logical_type')).toBe(
      'duration[s]',
    );
    expect(table.schema.fields.find((f) => f.name === 't')!.metadata.get('quiver.logical_type')).toBe(
      'time_of_day[ms]',
    );
  });

  it('source.columns reads a subset, leaving an unreadable column out; a missing one is named', () => {
    const bytes = ipc({
      tags: arrow.vectorFromArray(
        [[1], [2], [3]],
        new arrow.List(new arrow.Field('item', new arrow.Int32())),
      ),
      x,
      species,
    });
    expect(() => parseSource(bytes, 'arrow', 'f.arrow')).toThrow(/column 'tags' has type .*source\.columns/);
    const table = parseSource(bytes, 'arrow', 'f.arrow', { columns: ['species', 'x'] });
    expect(table.schema.fields.map((f) => f.name)).toEqual(['species', 'x']);
    expect(() => parseSource(bytes, 'arrow', 'f.arrow', { columns: ['x', 'y'] })).toThrow(
      /source\.columns lists 'y', which the file lacks; its columns: 'tags', 'x', 'species'/,
    );
    const csv = parseSource(Buffer.from('a,b,c\n1,2,3\n4,5,6\n'), 'csv', 'f.csv', { columns: ['c', 'a'] });
    expect(csv.schema.fields.map((f) => f.name)).toEqual(['c', 'a']);
    expect(csv.schema.metadata.get(ROW_LINES_KEY)).toBeDefined();
  });
});

describe('a report footer of several short lines (Salesforce export)', () => {
  const rows = ['"Name","Stage","Amount"', '"Deal 1","Won","100"', '"Deal 2","Lost","200"'];
  const footer = [
    '',
    '"Grand Totals (2 records)"',
    '',
    '"Opportunity Report"',
    '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."',
    '"Generated By:  Jane Doe  12/1/2026, 9:14 AM"',
    '"Acme Corp."',
  ];
  const text = `${[...rows, ...footer].join('\r\n')}\r\n`;

  it('names the run of short lines to the end and the skipFooter count', () => {
    expect(failure(text).message).toContain(
      'line 5: expected 3 fields (as the header has), found 1: \'"Grand Totals (2 records)"\'; the 6 lines from line 5 to the end are all short: a report footer (totals, title, notes)? set source.skipFooter: 5',
    );
    expect(parseCsv(text, { skipFooter: 5 }).numRows).toBe(2);
  });

  it('keeps the single-line hint for a short last line, and none when a full row follows', () => {
    expect(failure('a,b\n1,2\nTotal\n').message).toContain('it is the last line');
    const middle = failure('a,b\n1,2\nshort\n3,4\n').message;
    expect(middle).not.toContain('footer');
  });
});

describe('long values in messages', () => {
  it('are cut at 120 characters with their length, as rows are', () => {
    const long = `${'tempor et '.repeat(401)}(updated)`;
    const shown = quote(long);
    expect(shown).toBe(`'${long.slice(0, 120)}'… (4,019 chars)`);
    expect(quote('x'.repeat(120))).toBe(`'${'x'.repeat(120)}'`);
    const locator = locatorFrom(undefined);
    expect(locator.cell(0, 'description', long).length).toBeLessThan(200);
  });
});

describe("pandas' to_json layouts and REST wrappers", () => {
  const rows = [
    { x: 5.1, species: 'setosa' },
    { x: 7.0, species: 'versicolor' },
    { x: 6.3, species: 'virginica' },
  ];
  const read = (doc: unknown, options: { recordPath?: string } = {}) =>
    parseSource(Buffer.from(JSON.stringify(doc)), 'jsonl', 'f.json', options);
  const values = (table: ReturnType<typeof read>) => ({
    names: table.schema.fields.map((f) => f.name),
    x: [...table.getChild('x')!],
    species: [...table.getChild('species')!].map(String),
  });
  const expected = {
    names: ['x', 'species'],
    x: [5.1, 7.0, 6.3],
    species: ['setosa', 'versicolor', 'virginica'],
  };

  it("reads orient='columns' (pandas' default), 'index' and 'split' as tables", () => {
    const columns = {
      x: Object.fromEntries(rows.map((r, i) => [String(i), r.x])),
      species: Object.fromEntries(rows.map((r, i) => [String(i), r.species])),
    };
    expect(values(read(columns))).toEqual(expected);
    expect(values(read(Object.fromEntries(rows.map((r, i) => [String(i), r]))))).toEqual(expected);
    const split = { columns: ['x', 'species'], index: [0, 1, 2], data: rows.map((r) => [r.x, r.species]) };
    expect(values(read(split))).toEqual(expected);
  });

  it('names a REST wrapper and its key, and reads it with source.recordPath', () => {
    const api = { count: 3, next: null, results: rows };
    expect(() => read(api)).toThrow(
      "one JSON object holding 3 records under 'results' (a REST response?): set source.recordPath: results",
    );
    expect(values(read(api, { recordPath: 'results' }))).toEqual(expected);
    expect(values(read({ data: { items: rows } }, { recordPath: 'data.items' }))).toEqual(expected);
    expect(() => read(api, { recordPath: 'result' })).toThrow(
      "source.recordPath 'result' names no array in the file; arrays at the top: 'results'",
    );
  });

  it('still reads JSON Lines and a one-line flat record', () => {
    const lines = rows.map((r) => JSON.stringify(r)).join('\n');
    expect(values(parseSource(Buffer.from(lines), 'jsonl', 'f.jsonl'))).toEqual(expected);
    expect(read(rows[0]).numRows).toBe(1);
  });
});

describe('whitespace-aligned columns (fixed-width .txt)', () => {
  const text = [
    'sepal_length  sepal_width   species',
    '5.1           3.5           setosa',
    '  4.9         3.0\t\t\t    "iris virginica"',
    '',
  ].join('\n');

  it('a one-column header with runs of blanks says so, with the way out', () => {
    expect(failure(text).message).toContain(
      "line 1: the header reads as one column 'sepal_length  sepal_width   species': whitespace-aligned columns (3 names separated by runs of blanks)? set source.delimiter: whitespace",
    );
    expect(failure(text, { delimiter: ' ' }).message).toContain(
      'column 2 has an empty header name: names separated by runs of spaces? set source.delimiter: whitespace',
    );
  });

  it('source.delimiter: whitespace reads runs of spaces and tabs as one separator', () => {
    const table = parseCsv(text, { delimiter: 'whitespace' });
    expect(table.schema.fields.map((f) => f.name)).toEqual(['sepal_length', 'sepal_width', 'species']);
    expect([...table.getChild('sepal_width')!]).toEqual([3.5, 3.0]);
    expect([...table.getChild('species')!].map(String)).toEqual(['setosa', 'iris virginica']);
  });
});

describe('the spec accepts the new source options', () => {
  it('header, names, columns, recordPath and delimiter: whitespace', () => {
    const spec = validateSpec({
      name: 't',
      source: {
        uri: 'x.txt',
        delimiter: 'whitespace',
        header: false,
        names: ['a', 'b'],
        columns: ['b'],
        recordPath: 'results',
      },
      target: { column: 'b' },
    });
    expect(spec.source).toMatchObject({ delimiter: 'whitespace', header: false, names: ['a', 'b'] });
  });
});

describe('hand-written CSV habits', () => {
  it('names a blank before an opening quote, and source.skipInitialSpace reads it', () => {
    const text = 'x,y,species\n5.1, 3.5, "setosa"\n4.9, 3.0, "iris, virginica"\n';
    expect(failure(text).message).toContain(
      "column 'species' (field 3): ' \"setosa\"'; a blank before an opening quote",
    );
    expect(failure(text).message).toContain('set source.skipInitialSpace: true');
    const table = parseCsv(text, { skipInitialSpace: true });
    expect([...table.getChild('y')!]).toEqual([3.5, 3.0]);
    expect([...table.getChild('species')!].map(String)).toEqual(['setosa', 'iris, virginica']);
  });

  it('skips lines of blanks only like empty lines when trim is on', () => {
    const text = 'x,label\n1,a\n   \n2,b\n\t\n3,c\n';
    expect(parseCsv(text).numRows).toBe(3);
    expect(failure(text, { trim: false }).message).toContain(
      "line 3: expected 2 fields (as the header has), found 1: '   '",
    );
    // In a tab-separated file a line of tabs is a row of empty fields, as before.
    expect(parseCsv('x\tlabel\n1\ta\n\t\n', { delimiter: '\t' }).numRows).toBe(2);
  });

  it('prints a DOS end-of-file byte (Ctrl-Z) escaped', () => {
    expect(failure('x,label\n1,a\n\u001a').message).toContain("found 1: '\\u001a'");
  });
});

describe('SPSS, Stata and SAS files', () => {
  const binary = (head: Buffer) => Buffer.concat([head, Buffer.alloc(512, 0xd0)]);
  const spss = binary(Buffer.from('$FL2@(#) IBM SPSS STATISTICS 64-bit', 'latin1'));
  const stata = binary(Buffer.from('<stata_dta><header><release>118</release>', 'latin1'));
  const oldStata = binary(Buffer.from([114, 2, 1, 0, 5, 0]));
  const sas = binary(
    Buffer.from([
      ...new Array<number>(12).fill(0),
      0xc2,
      0xea,
      0x81,
      0x60,
      0xb3,
      0x14,
      0x11,
      0xcf,
      0xbd,
      0x92,
      0x08,
      0x00,
      0x09,
      0xc7,
      0x31,
      0x8c,
      0x18,
      0x1f,
      0x10,
      0x11,
    ]),
  );

  it('are refused by their bytes in every format, with the conversion hint', () => {
    for (const [bytes, what] of [
      [spss, 'an SPSS data file (.sav)'],
      [stata, 'a Stata data file (.dta)'],
      [oldStata, 'a Stata data file (.dta)'],
      [sas, 'a SAS data set (.sas7bdat)'],
    ] as const)
      for (const format of ['csv', 'parquet', 'jsonl', 'arrow'] as const)
        expect(() => parseSource(bytes, format, 'survey.bin')).toThrow(
          new RegExp(
            `survey\\.bin: this is ${what.replace(/[().]/g, '\\$&')}, which Quiver does not read: export it as CSV .*pd\\.read_`,
          ),
        );
  });

  it('are named by their extension when no source.format is set', () => {
    expect(() => sourceFormat('./survey.sav')).toThrow(/'\.sav' is an SPSS data file.*pd\.read_spss/);
    expect(() => sourceFormat('./survey.dta')).toThrow(/'\.dta' is a Stata data file.*pd\.read_stata/);
    expect(() => sourceFormat('./survey.sas7bdat')).toThrow(/'\.sas7bdat' is a SAS data set.*pd\.read_sas/);
    expect(() => sourceFormat('./survey.xyz')).toThrow(/set source\.format to one of/);
  });
});

describe('an unseen category that extends a known one', () => {
  it('names the known value and the text added', () => {
    const known = `${'tempor et '.repeat(400)}end`;
    expect(categoryEditNote(`${known} (updated)`, ['short', known])).toBe(
      `: the known value ${quote(known)} + ' (updated)'`,
    );
    expect(categoryEditNote(`NEW: ${known}`, [known])).toBe(`: 'NEW: ' + the known value ${quote(known)}`);
    expect(categoryEditNote('reddish', ['red'])).toBe('');
  });
});

describe('source.delimiter in the spec', () => {
  it('names both forms when it is neither one character nor whitespace', () => {
    expect(() =>
      validateSpec({ name: 't', source: { uri: 'x.csv', delimiter: ';;' }, target: { column: 'y' } }),
    ).toThrow('source.delimiter: must be one character');
  });
});
