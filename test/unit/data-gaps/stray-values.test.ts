import { tableFromArrays } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { runDataChecks } from '../../../activities/data-checks';
import { parseCsv, type CsvOptions } from '../../../core/csv';
import { validateSpec } from '../../../core/spec/load';

const origin = { runId: 'r1', dataSha256: 'abc', rows: 0 };
const spec = (source: Record<string, unknown> = {}) =>
  validateSpec({
    name: 't',
    source: { uri: 'x.csv', ...source },
    target: { column: 'label' },
    sanity: { minRows: 1 },
  });
const run = (table: ReturnType<typeof parseCsv>, source: Record<string, unknown> = {}) =>
  runDataChecks({ table, spec: spec(source), pinned: null, reference: { skipped: 'none' }, origin });
const check = (text: string, options: CsvOptions = {}) =>
  run(parseCsv(text, options), options as Record<string, unknown>);
/** 30 rows of `x,label` with `odd` in place of x at the given 0-based rows. */
const csv = (odd: Record<number, string>) =>
  `x,label\n${Array.from({ length: 30 }, (_, i) => `${odd[i] ?? (i % 7) + 0.5},${i % 2 ? 'a' : 'b'}`).join('\n')}\n`;

describe('a stray value that is numeric after trimming or overflow fails numeric_tokens by name', () => {
  it('names an overflowing 1e400 with its line and a sentinel hint', () => {
    const failed = check(csv({ 4: '1e400' })).failed.find((r) => r.check === 'numeric_tokens')!;
    expect(failed.column).toBe('x');
    expect(failed.observed).toContain("'1e400' (line 6)");
    expect(failed.expected).toContain('float64 range');
  });

  it('names a quoted value with a line break, escaped, and says quoted values are not trimmed', () => {
    const failed = check(csv({ 2: '"5.1\n"' })).failed.find((r) => r.check === 'numeric_tokens')!;
    expect(failed.observed).toContain("'5.1\\n' (line 4)");
    expect(failed.expected).toContain('source.trim');
  });

  it('trims a non-breaking space by default, as String.prototype.trim does (numbers and classes)', () => {
    const table = parseCsv('x,label\n4.6\u00a0,setosa\u00a0\n5,setosa\n');
    expect([...table.getChild('x')!]).toEqual([4.6, 5]);
    expect([...table.getChild('label')!]).toEqual(['setosa', 'setosa']);
  });

  it('with trim off, names the NBSP visibly (JSON-escaped)', () => {
    const failed = check(csv({ 1: '4.6\u00a0', 9: '4.6\u00a0', 11: '2\u00a0' }), { trim: false }).failed.find(
      (r) => r.check === 'numeric_tokens',
    )!;
    expect(failed.observed).toContain("'4.6\\u00a0' (lines 3, 11)");
  });

  it('runs the numeric checks on string columns of typed sources, naming rows', () => {
    const x = Array.from({ length: 30 }, (_, i) => (i === 4 ? 'NA' : String(i + 0.5)));
    const label = Array.from({ length: 30 }, (_, i) => (i % 2 ? 'a' : 'b'));
    const withToken = run(tableFromArrays({ x, label }));
    expect(withToken.failed.find((r) => r.check === 'numeric_tokens')!.observed).toContain("'NA' (row 4)");
    const allNumbers = run(tableFromArrays({ x: x.map((v) => (v === 'NA' ? '1.5' : v)), label }));
    const failed = allNumbers.failed.find((r) => r.check === 'numeric_text')!;
    expect(failed.column).toBe('x');
    expect(failed.observed).toContain("'0.5' (row 0)");
    expect(failed.expected).toContain('store it as a number column');
  });

  it('leaves typed-source codes with leading zeros alone', () => {
    const code = Array.from({ length: 30 }, (_, i) => String(i).padStart(5, '0'));
    const label = Array.from({ length: 30 }, (_, i) => (i % 2 ? 'a' : 'b'));
    expect(run(tableFromArrays({ code, label })).failed.filter((r) => r.check.startsWith('numeric'))).toEqual(
      [],
    );
  });
});

describe('numeric-looking text never becomes categories silently', () => {
  it('fails a percent column with a plain hint', () => {
    const failed = check(
      csv(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [i, `${40 + i}%`]))),
    ).failed.find((r) => r.check === 'numeric_text')!;
    expect(failed.observed).toContain("'40%' (line 2)");
    expect(failed.expected).toContain("'%'");
  });

  it("fails space digit groups with source.thousands: ' '", () => {
    const failed = check(
      csv(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [i, `"1 ${400 + i}"`]))),
    ).failed.find((r) => r.check === 'numeric_text')!;
    expect(failed.observed).toContain("'1 400' (line 2)");
    expect(failed.expected).toContain("source.thousands: ' '");
    const table = parseCsv('x\n"1 400"\n"2 500"\n', { thousands: ' ' });
    expect([...table.getChild('x')!]).toEqual([1400, 2500]);
  });

  it('fails an ISO date column holding impossible dates, naming them and their lines', () => {
    const dates = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [i, `2024-01-${String(i + 1).padStart(2, '0')}`]),
    );
    dates[3] = '2024-02-30';
    dates[20] = '2023-02-29';
    const failed = check(csv(dates)).failed.find((r) => r.check === 'timestamp_tokens')!;
    expect(failed.column).toBe('x');
    expect(failed.observed).toContain("'2024-02-30' (line 5), '2023-02-29' (line 22)");
  });
});
