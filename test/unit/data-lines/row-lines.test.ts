import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { runDataChecks } from '../../../activities/data-checks';
import { parseCsv } from '../../../core/csv';
import { parseSource } from '../../../core/sources';
import { toParquet } from '../../../core/sources/parquet';
import { locatorFrom, RowLineRecorder, rowLocator } from '../../../core/sources/row-lines';
import { validateSpec } from '../../../core/spec/load';

const spec = (sanity: Record<string, unknown> = {}) =>
  validateSpec({
    name: 't',
    source: { uri: 'x.csv' },
    target: { column: 'label' },
    sanity: { minRows: 1, ...sanity },
  });
const check = (table: arrow.Table, sanity: Record<string, unknown> = {}) =>
  runDataChecks({
    table,
    spec: spec(sanity),
    pinned: null,
    reference: { skipped: 'none' },
    origin: { runId: 'r', dataSha256: 'x', rows: 0 },
  });
const failure = (table: arrow.Table, name: string, sanity: Record<string, unknown> = {}) =>
  check(table, sanity).failed.find((r) => r.check === name);

/** 20 numeric rows with `NA?`-style tokens at the given 0-based rows. */
function tokenRows(tokens: Record<number, string>): string[] {
  return Array.from({ length: 20 }, (_, i) => `${tokens[i] ?? i},${i % 2 ? 'a' : 'b'}`);
}

describe('row → file line', () => {
  it('the recorder stores one run for a plain file and a new run at each gap', () => {
    const recorder = new RowLineRecorder();
    [2, 3, 4, 7, 8, 10].forEach((line, row) => recorder.record(row, line));
    expect(recorder.toMetadata()).toBe('0:2 3:7 5:10');
    const at = locatorFrom(recorder.toMetadata());
    expect([0, 1, 2, 3, 4, 5].map((r) => at.line(r))).toEqual([2, 3, 4, 7, 8, 10]);
    expect(at.cell(3, 'tenure', 'NA')).toBe("line 7, column 'tenure': 'NA'");
    expect(locatorFrom(undefined).cell(3, 'tenure', 'NA')).toBe("row 3, column 'tenure': 'NA'");
  });

  it('counts the header, blank lines, CRLF and quoted fields spanning lines', () => {
    const text = 'note,x\r\n"a\r\nb",1\r\n\r\nplain,2\n"c\nd\ne",3\nlast,4\n';
    const table = parseCsv(text);
    const at = rowLocator(table);
    expect([0, 1, 2, 3].map((r) => at.line(r))).toEqual([2, 5, 6, 9]);
    // The same, independently: the physical line where each row's first field begins.
    const lines = text.split(/\r?\n/);
    expect(lines[at.line(1)! - 1]).toBe('plain,2');
    expect(lines[at.line(3)! - 1]).toBe('last,4');
  });

  it('sanity names a numeric column’s tokens by file line, past a multi-line field', () => {
    const rows = tokenRows({ 4: 'unknown', 11: 'unknown' });
    rows[1] = `1,"two\nlines"`;
    const failed = failure(parseCsv(`tenure,label\n${rows.join('\n')}\n`), 'numeric_tokens')!;
    expect(failed.column).toBe('tenure');
    // Row 4 starts on line 7: header (1), rows 0–3 on lines 2–6, row 1 spanning two.
    expect(failed.observed).toBe("90.0% numbers; not numbers: 'unknown' (lines 7, 14)");
  });

  it('row flags and the flags checkpoint carry the file line, values quoted', () => {
    const text = 'x,c,label\n1,a,p\n\n50,a,p\n2,zz,q\n1,a,p\n';
    const table = parseCsv(text);
    const outcome = check(table, {
      schema: { columns: { x: { max: 10 }, c: { categories: ['a', 'b'] } } },
      flags: { unseenCategory: { policy: 'fail' } },
    });
    const flags = outcome.flags.toArray().map((r: { toJSON(): Record<string, unknown> }) => r.toJSON());
    expect(flags).toEqual([
      {
        row: 1,
        line: 4,
        checks: 'outOfRange',
        reason: "line 4, column 'x': 50 > max 10",
        action: 'run failed',
      },
      {
        row: 2,
        line: 5,
        checks: 'unseenCategory',
        reason: "line 5, column 'c': 'zz' is not a known category",
        action: 'run failed',
      },
      { row: 3, line: 6, checks: 'duplicate', reason: 'line 6: duplicate of line 2', action: 'run failed' },
    ]);
    const unseen = outcome.failed.find((r) => r.column === 'unseenCategory')!;
    expect(unseen.observed).toContain("e.g. line 5, column 'c': 'zz' is not a known category");
  });

  it('a pinned numeric column read as text names the line and the value', () => {
    const first = check(parseCsv(`tenure,label\n${tokenRows({}).join('\n')}\n`));
    const pinned = first.inferred!;
    const changed = parseCsv(`tenure,label\n${tokenRows({ 15: 'NA ', 16: 'ten' }).join('\n')}\n`, {
      nullValues: [],
      trim: false,
    });
    const outcome = runDataChecks({
      table: changed,
      spec: spec(),
      pinned,
      reference: { skipped: 'none' },
      origin: { runId: 'r', dataSha256: 'x', rows: 0 },
    });
    const failed = outcome.failed.find((r) => r.check === 'schema_type')!;
    expect(failed.observed).toBe(
      "string (not a number: line 17, column 'tenure': 'NA '; line 18, column 'tenure': 'ten')",
    );
  });

  it('JSON Lines count blank lines; Parquet and Arrow name 0-based rows', () => {
    const records = Array.from({ length: 20 }, (_, i) =>
      JSON.stringify({ tenure: i === 9 ? 'n.a.' : i, label: i % 2 ? 'a' : 'b' }),
    );
    records.splice(3, 0, '', '');
    const jsonl = parseSource(Buffer.from(records.join('\n')), 'jsonl', 'x.jsonl');
    expect(failure(jsonl, 'numeric_tokens')!.observed).toContain("'n.a.' (line 12)");

    const csv = parseCsv(`tenure,label\n${tokenRows({ 9: 'n.a.' }).join('\n')}\n`);
    const parquet = parseSource(Buffer.from(toParquet(csv)), 'parquet', 'x.parquet');
    expect(rowLocator(parquet).lines).toBe(false);
    expect(failure(parquet, 'numeric_tokens')!.observed).toContain("'n.a.' (row 9)");
    const ipc = parseSource(Buffer.from(arrow.tableToIPC(csv)), 'arrow', 'x.arrow');
    expect(failure(ipc, 'numeric_tokens')!.observed).toContain("'n.a.' (row 9)");
  });
});
