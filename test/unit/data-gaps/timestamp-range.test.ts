import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../core/csv';
import { columnViews } from '../../../core/data/column-views';
import { inferSchema } from '../../../core/data/data-schema';
import { flagRows, flagsToArrow, applyPolicies } from '../../../core/data/row-flags';
import { isTimestampColumn, isoTimestamp } from '../../../core/data/timestamp-columns';
import { rowFlagsSpec } from '../../../core/spec/data-checks-schema';

const HOUR = 3_600_000;
const january = Date.UTC(2026, 0, 1);
const february = Date.UTC(2026, 1, 1);
// Hourly rows as ingest stores a timestamp column: ms since 1970 (BREAKER9 #33).
const month = (start: number, temp: (i: number) => number) =>
  parseCsv(
    `ts,temp,load\n${Array.from({ length: 48 }, (_, i) => `${start + i * HOUR},${temp(i)},${i % 7}`).join('\n')}\n`,
  );
const notes = new Map([['ts', 'timestamp (ms since 1970-01-01 UTC)']]);
const origin = { pipeline: 'tsr', inferredFrom: { runId: 'r1', dataSha256: 'x', rows: 48 } };

describe('pinned schema: a timestamp column is not range-checked (time moves forward)', () => {
  it("next month's timestamps are not outOfRange; a measurement out of range still is, and its reason names no timestamp", () => {
    const schema = inferSchema(columnViews(month(january, (i) => 10 + (i % 5))), 0.1, origin, { notes });
    expect(isTimestampColumn(schema.columns.ts)).toBe(true);
    expect(isTimestampColumn(schema.columns.temp)).toBe(false);

    const next = columnViews(month(february, (i) => (i === 3 ? 99 : 10 + (i % 5))));
    const flags = flagRows(next, schema.columns, 'load');
    expect(flags.counts.outOfRange).toBe(1);
    const outcome = applyPolicies(flags, rowFlagsSpec.parse({}));
    const reasons = flagsToArrow(flags, outcome, next, schema.columns, 'load', true).toArray();
    expect(reasons.map((r) => String(r.reason))).toEqual(["row 3, column 'temp': 99 > max 14.4"]);
  });

  it('prints timestamps as ISO dates', () => {
    expect(isoTimestamp(Date.UTC(2026, 1, 3, 1))).toBe('2026-02-03T01:00:00.000Z');
    expect(isoTimestamp(Number.POSITIVE_INFINITY)).toBe('Infinity');
  });
});
