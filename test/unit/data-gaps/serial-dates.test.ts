import { describe, expect, it } from 'vitest';
import { runDataChecks } from '../../../activities/data-checks';
import { parseCsv } from '../../../core/csv';
import { validateSpec } from '../../../core/spec/load';

/**
 * Dates written as numbers among ISO dates: Excel serial day numbers (cells Excel left as numbers
 * when the column was reformatted), Unix epoch seconds or milliseconds. timestamp_tokens names them
 * as dates with the converted value, and does not lead with source.nullValues (breaker 9 #18).
 */
const origin = { runId: 'r1', dataSha256: 'abc', rows: 0 };
const spec = validateSpec({
  name: 't',
  source: { uri: 'x.csv' },
  target: { column: 'sales' },
  sanity: { minRows: 1 },
});
const DAY = 86_400_000;
const START = Date.UTC(2025, 0, 1);

/** 100 daily rows from 2025-01-01, ISO dates except `odd` (0-based row → value written instead). */
function sales(odd: (row: number, ms: number) => string | null): string {
  const lines = Array.from({ length: 100 }, (_, i) => {
    const ms = START + i * DAY;
    return `${odd(i, ms) ?? new Date(ms).toISOString().slice(0, 10)},${(i * 37) % 101}`;
  });
  return `date,sales\n${lines.join('\n')}\n`;
}
const tokensCheck = (text: string) =>
  runDataChecks({
    table: parseCsv(text),
    spec,
    pinned: null,
    reference: { skipped: 'none' },
    origin,
  }).failed.find((r) => r.check === 'timestamp_tokens')!;

describe('dates written as numbers among ISO dates', () => {
  it('Excel serial day numbers are named with the date they stand for', () => {
    // Excel day 45658 is 2025-01-01; every 16th row is a serial.
    const failed = tokensCheck(sales((i) => (i % 16 === 5 ? String(45658 + i) : null)));
    expect(failed.column).toBe('date');
    expect(failed.observed).toContain("'45663' (line 7)");
    expect(failed.expected).toBe(
      "timestamps only: Excel serial dates ('45663' = 2025-01-06; days since 1899-12-30): cells Excel left as " +
        'numbers: format the cells as dates before exporting; do not add them to source.nullValues, which would blank real dates',
    );
  });

  it('epoch seconds and milliseconds are named as such; other numbers keep the usual advice', () => {
    const seconds = tokensCheck(sales((i, ms) => (i % 20 === 3 ? String(ms / 1000) : null)));
    expect(seconds.expected).toContain(
      "Unix epoch seconds ('1735948800' = 2025-01-04): write them as ISO-8601 upstream",
    );
    const millis = tokensCheck(sales((i, ms) => (i % 20 === 3 ? String(ms + 12 * 3_600_000) : null)));
    expect(millis.expected).toContain("Unix epoch milliseconds ('1735992000000' = 2025-01-04T12:00:00Z)");
    // A serial beside an odd word: the word gets the nullValues advice after the serials.
    const mixed = tokensCheck(sales((i) => (i === 10 ? '45668' : i === 40 ? 'n/d' : null)));
    expect(mixed.expected).toContain("Excel serial dates ('45668' = 2025-01-11;");
    expect(mixed.expected).toContain("; the others ('n/d'): add them to source.nullValues");
    // 12345 is 1933 as a serial, far from this column's dates: no date.
    const far = tokensCheck(sales((i) => (i % 16 === 5 ? '12345' : null)));
    expect(far.expected).toBe(
      'timestamps only: add them to source.nullValues if they mean "missing", or fix the rows',
    );
  });
});
