import { describe, expect, it } from 'vitest';
import { runDataChecks } from '../../../activities/data-checks';
import { parseCsv } from '../../../core/csv';
import { validateSpec } from '../../../core/spec/load';

const spec = (source: Record<string, unknown>) =>
  validateSpec({
    name: 't',
    source: { uri: 'x.csv', ...source },
    target: { column: 'label' },
    sanity: { minRows: 1 },
  });

describe('source number format is validated with the spec', () => {
  it("fails thousands: '.' without decimal: ',' naming the field", () => {
    expect(() => spec({ thousands: '.' })).toThrow(
      /source\.thousands: '\.' is the decimal mark by default: set source\.decimal: ','/,
    );
  });

  it("fails decimal: ',' with thousands: ','", () => {
    expect(() => spec({ decimal: ',', thousands: ',' })).toThrow(
      /source\.thousands: ',' is also source\.decimal: the digit-group separator and the decimal mark must differ/,
    );
  });

  it("accepts decimal: ',' with thousands: '.'", () => {
    expect(spec({ decimal: ',', thousands: '.' }).source.thousands).toBe('.');
  });
});

describe('hints never ask for a setting already set', () => {
  it("names the '.' values as strays when source.decimal is ','", () => {
    const rows = Array.from(
      { length: 30 },
      (_, i) => `${i % 3 ? `4.${i % 10}` : `5,${i % 10}`};${i % 2 ? 'a' : 'b'}`,
    );
    const options = { delimiter: ';', decimal: ',' as const };
    const outcome = runDataChecks({
      table: parseCsv(`x;label\n${rows.join('\n')}\n`, options),
      spec: spec(options),
      pinned: null,
      reference: { skipped: 'none' },
      origin: { runId: 'r1', dataSha256: 'abc', rows: 0 },
    });
    const failed = outcome.failed.find((r) => r.check === 'numeric_text')!;
    expect(failed.observed).toContain("'4.1' (line 3)");
    expect(failed.expected).not.toContain('set source.decimal');
    expect(failed.expected).toContain("source.decimal is ','");
  });
});
