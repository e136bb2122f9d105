import { describe, expect, it } from 'vitest';
import { runDataChecks } from '../../../activities/data-checks';
import { parseCsv, type CsvOptions } from '../../../core/csv';
import { DataError } from '../../../core/errors';
import { readText } from '../../../core/serving/text-rules';
import { parseSource } from '../../../core/sources';
import { validateSpec } from '../../../core/spec/load';

const origin = { runId: 'r1', dataSha256: 'abc', rows: 0 };
const spec = (source: Record<string, unknown> = {}) =>
  validateSpec({
    name: 't',
    source: { uri: 'x.csv', ...source },
    target: { column: 'label' },
    sanity: { minRows: 1 },
  });
const check = (text: string, options: CsvOptions = {}) =>
  runDataChecks({
    table: parseCsv(text, options),
    spec: spec(options as Record<string, unknown>),
    pinned: null,
    reference: { skipped: 'none' },
    origin,
  });
const tokensOf = (text: string, column = 'x', options: CsvOptions = {}) =>
  check(text, options).failed.find((r) => r.check === 'numeric_tokens' && r.column === column)!;
const values = (text: string, column: string, options: CsvOptions = {}) => [
  ...parseCsv(text, options).getChild(column)!,
];
const typeOf = (text: string, column: string, options: CsvOptions = {}) =>
  String(parseCsv(text, options).getChild(column)!.type);
function parseError(text: string, options: CsvOptions = {}): string {
  try {
    parseCsv(text, options);
  } catch (error) {
    expect(error).toBeInstanceOf(DataError);
    return (error as DataError).message;
  }
  throw new Error('expected parseCsv to throw');
}
/** 30 rows of `x,y,label`, x and y numbers. */
const body = Array.from({ length: 30 }, (_, i) => `${(i % 7) + 0.5},${i % 5},${i % 2 ? 'a' : 'b'}`);

describe('zero-padded decimals are numbers; only integer-shaped leading zeros are codes', () => {
  it('reads 05.1, -05.10, 00.2 and 0.5 as numbers (fixed-width, SAS Z4.1 exports)', () => {
    const text = 'x,label\n05.1,a\n-05.10,b\n00.2,a\n0.5,b\n10.0,a\n';
    expect(typeOf(text, 'x')).toBe('Float64');
    expect(values(text, 'x')).toEqual([5.1, -5.1, 0.2, 0.5, 10]);
  });

  it('keeps 00123 and 007 as text codes, saying why in the field metadata', () => {
    const table = parseCsv('zip,label\n00123,a\n007,b\n10001,a\n');
    expect(String(table.getChild('zip')!.type)).toBe('Dictionary<Int32, Utf8>');
    expect([...table.getChild('zip')!]).toEqual(['00123', '007', '10001']);
    expect(table.schema.fields[0].metadata.get('quiver.text_reason')).toContain("leading zeros ('00123')");
  });
});

describe('codes shaped like 1E5 are not scientific notation', () => {
  it('keeps a column of <digits>E<digits> codes as text, saying why', () => {
    const table = parseCsv('unit,label\n3E1,a\n1E5,b\n2E9,a\n1E5,b\n');
    expect(String(table.getChild('unit')!.type)).toBe('Dictionary<Int32, Utf8>');
    expect([...table.getChild('unit')!]).toEqual(['3E1', '1E5', '2E9', '1E5']);
    expect(table.schema.fields[0].metadata.get('quiver.text_reason')).toContain("'1E5' would read as 100000");
  });

  it('reads genuine scientific notation as numbers: 1.5e-3, 2E+05, 1e5, 1.2E3, and 1E5 beside them', () => {
    expect(values('v\n1.5e-3\n2E+05\n', 'v')).toEqual([0.0015, 200000]);
    expect(values('v\n1e5\n1e6\n', 'v')).toEqual([100000, 1000000]);
    expect(values('v\n1.2E3\n1E5\n', 'v')).toEqual([1200, 100000]);
  });

  it('a declared number column still reads 1E5 as 100000', () => {
    const text = 'unit,label\n1E5,a\n2E1,b\n';
    expect(values(text, 'unit', { columnTypes: { unit: 'number' } })).toEqual([100000, 20]);
    const table = parseSource(Buffer.from(text), 'csv', 'x.csv', { columnTypes: { unit: 'number' } });
    expect([...table.getChild('unit')!]).toEqual([100000, 20]);
  });

  it('a column mixing 1E5 with letter codes (1A5) fails naming them and the columnTypes override', () => {
    const codes = Array.from({ length: 30 }, (_, i) => (i === 3 ? '1A5' : `${(i % 3) + 1}E${(i % 9) + 1}`));
    const text = `x,label\n${codes.map((c, i) => `${c},${i % 2 ? 'a' : 'b'}`).join('\n')}\n`;
    const failed = tokensOf(text);
    expect(failed.observed).toContain("'1A5' (line 5)");
    expect(failed.expected).toContain('source.columnTypes: { x: string }');
    expect(failed.expected).toContain('scientific notation');
  });
});

describe('lines that are not data: source.comment, skipRows, skipFooter and the hints', () => {
  it('skips comment lines anywhere, keeping file line numbers in messages', () => {
    const text = '# exported 2024-01-01\nx,label\n1,a\n# a note\n2,b\n3,b,extra\n';
    expect(values(text.replace(',extra', ''), 'x', { comment: '#' })).toEqual([1, 2, 3]);
    expect(parseError(text, { comment: '#' })).toMatch(/^line 6: expected 2 fields/);
  });

  it('does not take a # inside a quoted multi-line field for a comment', () => {
    const text = 'note,label\n"first\n# not a comment",a\n# comment\nplain,b\n';
    expect(values(text, 'note', { comment: '#' })).toEqual(['first\n# not a comment', 'plain']);
  });

  it('skipRows: a number skips lines above the header; a list skips those file lines', () => {
    expect(values('Report title\n\nx,label\n1,a\n2,b\n', 'x', { skipRows: 1 })).toEqual([1, 2]);
    const units = 'x,y,label\ncm,kg,\n1,2,a\n3,4,b\n';
    expect(values(units, 'x', { skipRows: [2] })).toEqual([1, 3]);
    expect(parseError('x,y,label\ncm,kg,\n1,2,a\n3,4\n', { skipRows: [2] })).toMatch(/^line 4: /);
  });

  it('a stray quote in a comment line opens no field; listed lines count physical lines', () => {
    expect(values('# a 27" monitor\nx,label\n1,a\n', 'x', { comment: '#' })).toEqual([1]);
    const text = 'note,label\n"two\nlines",a\ncm,\nplain,b\n';
    expect(values(text, 'note', { skipRows: [4] })).toEqual(['two\nlines', 'plain']);
  });

  it('skipFooter drops the last non-blank lines', () => {
    expect(values('x,label\n1,a\n2,b\nTotal,3\n\n', 'x', { skipFooter: 1 })).toEqual([1, 2]);
  });

  it('a one-field header with wider rows hints at a title or comment line', () => {
    const message = parseError('# exported 2024-01-01 by tool\nx,y,label\n1,2,a\n');
    expect(message).toContain("the header is one field, '# exported 2024-01-01 by tool'");
    expect(message).toContain("source.comment: '#'");
    expect(message).toContain('source.skipRows: 1');
  });

  it('a short last line is called a footer or a truncated file', () => {
    const message = parseError('x,y,label\n1,2,a\n3,4,b\nTotal,7\n');
    expect(message).toMatch(/^line 4: expected 3 fields/);
    expect(message).toContain('source.skipFooter: 1');
    expect(message).toContain('truncated');
  });

  it('a repeated header is named as such, not as a null token', () => {
    const rows = [...body.slice(0, 10), 'x,y,label', ...body.slice(10)];
    const failed = tokensOf(`x,y,label\n${rows.join('\n')}\n`);
    expect(failed.observed).toContain("'x' (line 12)");
    expect(failed.expected).toContain('the header repeats');
    expect(failed.expected).not.toContain('nullValues');
  });

  it('a units row under the header is named as such', () => {
    const failed = tokensOf(`x,y,label\ncm,kg,\n${body.join('\n')}\n`, 'y');
    expect(failed.observed).toContain("'kg' (line 2)");
    expect(failed.expected).toContain('units or second header row');
    expect(failed.expected).toContain('source.skipRows: [2]');
  });

  it('a total line at the end is named a footer', () => {
    const failed = tokensOf(`x,y,label\n${body.join('\n')}\nTotal,150,\n`);
    expect(failed.observed).toContain("'Total' (line 32)");
    expect(failed.expected).toContain('source.skipFooter: 1');
  });

  it('the spec accepts the options', () => {
    const source = spec({ comment: '#', skipRows: [2], skipFooter: 1 }).source;
    expect([source.comment, source.skipRows, source.skipFooter]).toEqual(['#', [2], 1]);
    expect(() => spec({ skipRows: -1 })).toThrow();
  });
});

describe('quote errors name the column, show the field and say what RFC 4180 expects', () => {
  it("Excel formula text ='00123'", () => {
    const message = parseError('store,label\n="00123",a\n');
    expect(message).toContain("line 2: unexpected quote inside an unquoted field, column 'store' (field 1)");
    expect(message).toContain('\'="00123",a\'');
    expect(message).toContain('Excel formula');
    expect(message).toContain('source.columnTypes: { store: string }');
  });

  it('an unescaped inch mark: 27" monitor', () => {
    const message = parseError('id,note,label\n1,27" monitor,a\n');
    expect(message).toContain("column 'note' (field 2): '27\" monitor,a'");
    expect(message).toContain('"27"" monitor"');
  });

  it('backslash escapes', () => {
    const message = parseError('id,note,label\n1,"He said \\"hi\\", ok",a\n');
    expect(message).toContain("after a closing quote, column 'note' (field 2)");
    expect(message).toContain('backslash-escaped quotes');
    expect(message).toContain('doubled ("")');
  });

  it('an unclosed quote names the line where the field opens', () => {
    const message = parseError('id,note,label\n1,2,a\n2,"unclosed note,b\n3,x,a\n');
    expect(message).toMatch(
      /^line 3: unterminated quoted field, column 'note' \(field 2\): '"unclosed note,b/,
    );
  });
});

describe('a trailing delimiter', () => {
  it('on every line, header included (Excel ,,, padding): the empty unnamed columns are dropped', () => {
    const table = parseCsv('x,label,\r\n1,a,\r\n2,b,\r\n');
    expect(table.schema.fields.map((f) => f.name)).toEqual(['x', 'label']);
    expect(parseCsv('x,label,,,\n1,a,,,\n').schema.fields.map((f) => f.name)).toEqual(['x', 'label']);
  });

  it("under a padded header, lines of delimiters only (Excel's padding of empty rows) are blank lines", () => {
    const text = 'x,label,,,\r\n1,a,,,\r\n,,,,\r\n2,b,,,\r\n,,,,\r\n,,,,';
    expect(values(text, 'x')).toEqual([1, 2]);
    // Without padding, `,` is a row of nulls, as a CSV writer writes one.
    expect(values('x,label\n1,a\n,\n2,b\n', 'x')).toEqual([1, null, 2]);
    expect(values('x,label\n,a\n', 'label')).toEqual(['a']);
  });

  it('an unnamed trailing column holding a value is an error naming it and the line', () => {
    expect(parseError('x,label,\n1,a,\n2,b,7\n')).toBe(
      'column 3 has an empty header name, yet holds values (line 3)',
    );
  });

  it('on the rows only: the field-count error says so', () => {
    const message = parseError('x,label\n1,a,\n2,b,\n');
    expect(message).toMatch(/^line 2: expected 2 fields/);
    expect(message).toContain("extra empty field (a trailing ',')");
  });
});

describe('other shapes of numbers and invisible characters', () => {
  it('a trailing-minus negative (SAP 6.66-) is named as one, never offered to nullValues', () => {
    const rows = body.map((r, i) => (i === 4 ? r.replace(/^[^,]+/, '6.66-') : r));
    const failed = tokensOf(`x,y,label\n${rows.join('\n')}\n`);
    expect(failed.observed).toContain("'6.66-' (line 6)");
    expect(failed.expected).toContain('trailing-minus negatives');
    expect(failed.expected).not.toMatch(/add (it|them) to source\.nullValues/);
  });

  it('strips zero-width characters at a field’s ends when trim is on (U+200B, U+FEFF, U+00AD, U+2060)', () => {
    const text = 'color,x\nred\u200b,1\nred,2\n\ufeffred,3\nred\u00ad,4\n\u2060red,5\n5.5\u200b,6\n';
    expect(values(text, 'color')).toEqual(['red', 'red', 'red', 'red', 'red', '5.5']);
    expect(values('x,y\n5.5\u200b,1\n2,2\n', 'x')).toEqual([5.5, 2]);
    expect(values('c,y\nred\u200b,1\n', 'c', { trim: false })).toEqual(['red\u200b']);
  });

  it('serving reads a request string as ingest read the training text: NBSP and zero-width ends stripped', () => {
    const rules = { trim: true, nullValues: ['NA'] };
    expect(['red\u200b', '\ufeffred', 'red\u00a0', ' red\u2060\t'].map((v) => readText(v, rules))).toEqual([
      'red',
      'red',
      'red',
      'red',
    ]);
    expect(readText('NA\u200b', rules)).toBeNull();
    expect(readText('red\u200b', { trim: false, nullValues: [] })).toBe('red\u200b');
  });

  it('fails a text column whose values differ only by invisible characters inside them, showing them escaped', () => {
    expect(parseError('c,y\nred,1\nr\u200bed,2\nblue,3\n', { source: 'f.csv' })).toBe(
      "f.csv: column 'c': 'red' and 'r\\u200bed' differ only by invisible characters (zero-width space, word joiner, BOM, soft hyphen): remove them upstream",
    );
    expect(parseError('c,y\nsoft\u00adware,1\nsoftware,2\n')).toContain("'soft\\u00adware'");
    // Joiners that shape scripts and emoji are data; distinct values without variants pass.
    expect(values('c,y\n\u0645\u200c\u0627,1\n\u0645\u0627,2\nr\u200bed,3\n', 'c')).toHaveLength(3);
  });
});

describe('default null tokens that may be categories (NA = North America, None = a level)', () => {
  const regions = ['EU', 'APAC', 'LATAM', 'NA'];
  const text = `x,region,label\n${Array.from({ length: 30 }, (_, i) => `${i % 7},${regions[i % 4]},${i % 2 ? 'a' : 'b'}`).join('\n')}\n`;

  it('records which tokens ingest read as null, per column', () => {
    const field = parseCsv(text).schema.fields.find((f) => f.name === 'region')!;
    expect(JSON.parse(field.metadata.get('quiver.null_tokens')!)).toEqual({ NA: 7 });
  });

  it('fails sanity naming the token, its count and the categories beside it, with both fixes', () => {
    const failed = check(text).failed.find((r) => r.check === 'null_tokens')!;
    expect(failed.column).toBe('region');
    expect(failed.observed).toContain(
      "'NA' ×7 (23.3% of rows) read as null by the default source.nullValues",
    );
    expect(failed.observed).toContain("'EU', 'APAC', 'LATAM'");
    expect(failed.expected).toContain("source.nullValues: ['']");
    expect(failed.expected).toContain("source.nullValues: ['NA']");
  });

  it("passes once nullValues is stated, and keeps 'NA' as a category with ['']", () => {
    expect(check(text, { nullValues: ['NA'] }).failed.find((r) => r.check === 'null_tokens')).toBeUndefined();
    expect(new Set(values(text, 'region', { nullValues: [''] }))).toEqual(new Set(regions));
  });

  it('a file-wide missing marker (NA in numeric columns too, as R writes) passes', () => {
    const r = `x,region,label\n${Array.from({ length: 30 }, (_, i) => `${i % 5 ? i : 'NA'},${i % 6 ? regions[i % 3] : 'NA'},${i % 2 ? 'a' : 'b'}`).join('\n')}\n`;
    expect(check(r).failed.find((c) => c.check === 'null_tokens')).toBeUndefined();
  });

  it('names None in a target column (damage levels)', () => {
    const levels = ['None', 'Minor', 'Severe'];
    const damage = `x,label\n${Array.from({ length: 30 }, (_, i) => `${i % 7},${levels[i % 3]}`).join('\n')}\n`;
    const failed = check(damage).failed.find((r) => r.check === 'null_tokens')!;
    expect(failed.column).toBe('label');
    expect(failed.observed).toContain("'None' ×10");
  });
});
