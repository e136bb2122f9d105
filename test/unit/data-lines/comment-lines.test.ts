import { describe, expect, it } from 'vitest';
import { parseCsv, type CsvOptions } from '../../../core/csv';
import { DataError, SpecError } from '../../../core/errors';
import { parseSource } from '../../../core/sources';
import { skippedLinesOf } from '../../../core/sources/comment-lines';
import { validateSpec } from '../../../core/spec/load';

/** The error parseCsv throws on `text`. */
function failure(text: string, options: CsvOptions = {}): Error {
  try {
    parseCsv(text, options);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected parseCsv to throw');
}
/** What ingest's summary adds for `text` read with `options`. */
const skippedOf = (text: string, options: CsvOptions) => skippedLinesOf(parseCsv(text, options));

const SPECIES = ['setosa', 'versicolor', 'virginica'];
/** `rows` iris-like rows, the first field a colour: hex codes (`#a1b2c3`) for the third class. */
function colours(rows: number): string[] {
  return Array.from({ length: rows }, (_, i) => {
    const species = SPECIES[i % 3];
    const colour =
      species === 'virginica' ? `#${(0xa1b2c3 + i * 977).toString(16).slice(-6)}` : ['red', 'blue'][i % 2];
    return `${colour},${(4 + (i % 30) / 10).toFixed(1)},${(2 + (i % 17) / 10).toFixed(1)},${species}`;
  });
}

describe('source.comment never eats data (breaker 8 #1, #4, #6)', () => {
  it('refuses rows whose first field starts with the prefix and that have the header field count', () => {
    const text = `# exported 2026-11-30 from lab db\ncolor,x,y,species\n${colours(60).join('\n')}\n`;
    const error = failure(text, { comment: '#', source: 'cm.csv' });
    expect(error).toBeInstanceOf(DataError);
    // 20 of 60 rows are virginica, each on a line starting with '#': once silently dropped.
    expect(error.message).toMatch(
      /^cm\.csv: 20 lines after the header start with '#' yet have the header's 4 fields \('#/,
    );
    expect(error.message).toContain("line 5, '#");
    expect(error.message).toContain(
      'drop source.comment and skip the other comment lines with source.skipRows: 1',
    );
    expect(error.message).toContain('list every comment line in source.skipRows instead: [1, 5, 8,');
    // The list pastes as printed: all 21 lines (the title and the 20 rows), not cut after 12.
    const listed = /instead: \[([\d, ]+)\]/.exec(error.message)![1].split(', ');
    expect(listed).toHaveLength(21);
  });

  it('still skips comment-shaped lines, counting them in the summary', () => {
    const rows = colours(60).map((r) => r.replace(/^#/, 'x'));
    const text = `# exported 2026-11-30\ncolor,x,y,species\n${rows.slice(0, 30).join('\n')}\n# second batch\n${rows.slice(30).join('\n')}\n`;
    const table = parseCsv(text, { comment: '#' });
    expect(table.numRows).toBe(60);
    expect(skippedOf(text, { comment: '#' })).toEqual({ commentLines: 2 });
  });

  it('a header that starts with the prefix is named, with skipRows as the way out (#4)', () => {
    const rows = Array.from(
      { length: 20 },
      (_, i) => `${i + 1},Mon${i},${i % 2 ? 'Fire' : 'Water'},${300 + i},False`,
    );
    const text = `# Pokemon stats, gen 1-6, scraped 2026-11-30\n#,Name,Type 1,Total,Legendary\n${rows.join('\n')}\n`;
    const message = failure(text, { comment: '#' }).message;
    expect(message).toMatch(
      /^line 2 starts with '#' yet has the 5 fields of the line read as the header \(line 3: '1', 'Mon0', 'Water', …\)/,
    );
    expect(message).toContain("'#,Name,Type 1,Total,Legendary' is the header, skipped as a comment");
    expect(message).toContain('drop source.comment and set source.skipRows: 1');
    expect(parseCsv(text, { skipRows: 1 }).schema.fields.map((f) => f.name)).toEqual([
      '#',
      'Name',
      'Type 1',
      'Total',
      'Legendary',
    ]);
  });

  it('a title with the header field count above a named header is no eaten header', () => {
    const text = `# sales, Q3, 2026\nregion,units,revenue\nnorth,3,30\nsouth,4,40\n`;
    expect(parseCsv(text, { comment: '#' }).numRows).toBe(2);
  });

  it('every row starting with the prefix is named as such (#6)', () => {
    const orders = Array.from(
      { length: 30 },
      (_, i) => `#${1001 + i},${(20 + i * 3.1).toFixed(2)},${i % 4},${i % 3 ? 'no' : 'yes'}`,
    );
    const message = failure(
      `# Orders export, store X\nName,Subtotal,Items,Returned\n${orders.join('\n')}\n`,
      { comment: '#' },
    ).message;
    expect(message).toMatch(
      /^30 lines after the header start with '#' yet have the header's 4 fields \('#1001,20\.00,0,yes' line 3/,
    );
  });

  it('"no data rows after the header" says the rows were removed as comments', () => {
    const notes = Array.from({ length: 5 }, (_, i) => `# note ${i}`);
    const message = failure(`# title\nName,Subtotal,Items\n${notes.join('\n')}\n`, { comment: '#' }).message;
    expect(message).toContain('no data rows after the header: the 5 lines after it (lines 3–7');
    expect(message).toContain('were all skipped as comments (source.comment)');
    expect(message).toContain('source.skipRows: 1 for the lines above the header');
  });
});

describe('a title line with commas above the header (breaker 8 #4)', () => {
  it('hints at skipRows when the header has fewer fields than most lines below it', () => {
    const rows = Array.from(
      { length: 12 },
      (_, i) => `${i},Mon${i},Normal,${300 + i},${i % 2 ? 'True' : 'False'}`,
    );
    const message = failure(
      `Pokemon stats, gen 1-6, scraped 2026-11-30\n#,Name,Type 1,Total,Legendary\n${rows.join('\n')}\n`,
    ).message;
    expect(message).toMatch(/^line 2: expected 3 fields \(as the header has\), found 5: /);
    expect(message).toContain(
      'the header (line 1) has 3 fields but most lines below it have 5: a title line above the header? set source.skipRows: 1',
    );
  });

  it('gives no title hint for one wide row among narrower ones', () => {
    const message = failure('x,y,label\n1,2,a\n3,4,b,extra,more\n5,6,c\n').message;
    expect(message).not.toContain('title line');
  });
});

describe('source.skipRows lines that are not in the file, and what was skipped (breaker 8 #5)', () => {
  const text = `x,y,label\n${Array.from({ length: 10 }, (_, i) => `${i},${i * 2},${i % 2 ? 'a' : 'b'}`).join('\n')}\n`;

  it('refuses a listed line beyond the last line, naming the field, value and line count', () => {
    const error = failure(text, { skipRows: [5, 500], source: 'iris.csv' });
    expect(error).toBeInstanceOf(SpecError);
    expect(error.message).toMatch(/^source\.skipRows lists line 500, but iris\.csv has 11 lines/);
    expect(failure(text, { skipRows: 11 }).message).toContain('source.skipRows: 11 skips every line');
  });

  it('reports each skipped line with its first field quoted', () => {
    const moved = text.replace('4,8,b\n', 'x,y,label\n');
    expect(skippedOf(moved, { skipRows: [6, 11] })).toEqual({ skippedLines: "line 6 'x', line 11 '9'" });
    expect(skippedOf(`Report, Q3\n${text}`, { skipRows: 1 })).toEqual({ skippedLines: "line 1 'Report'" });
    // Through parseSource (ingest's reader), declared types and all.
    const read = parseSource(Buffer.from(moved), 'csv', 'x.csv', {
      skipRows: [6],
      columnTypes: { x: 'string' },
    });
    expect(skippedLinesOf(read)).toEqual({ skippedLines: "line 6 'x'" });
  });
});

describe('duplicate header names (breaker 8 #9)', () => {
  const text = 'sepal_length,petal_length,species,petal_length\n5.1,1.4,setosa,1.4\n';

  it('names both columns and the ways out', () => {
    expect(failure(text).message).toBe(
      "line 1: duplicate header name 'petal_length' (columns 2 and 4): rename one upstream, or set " +
        "source.renameDuplicates: true to read column 4 as 'petal_length.1' (as pandas does)",
    );
  });

  it('source.renameDuplicates reads them as pandas names them', () => {
    const names = parseCsv(`a,a,a.1,a\n1,2,3,4\n`, { renameDuplicates: true }).schema.fields.map(
      (f) => f.name,
    );
    // A later name the renaming already took (`a.1`) is renamed in turn, as in pandas.
    expect(names).toEqual(['a', 'a.1', 'a.1.1', 'a.2']);
    const spec = validateSpec({
      name: 't',
      source: { uri: 'x.csv', renameDuplicates: true },
      target: { column: 'species' },
    });
    expect(spec.source.renameDuplicates).toBe(true);
  });
});
