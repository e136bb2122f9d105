import { describe, expect, it } from 'vitest';
import { runDataChecks } from '../../../activities/data-checks';
import { parseCsv } from '../../../core/csv';
import { validateSpec } from '../../../core/spec/load';

const origin = { runId: 'r1', dataSha256: 'abc', rows: 0 };
const spec = (sanity: Record<string, unknown> = {}) =>
  validateSpec({
    name: 't',
    source: { uri: 'x.csv' },
    target: { column: 'label' },
    sanity: { minRows: 1, ...sanity },
  });
const check = (text: string, sanity: Record<string, unknown> = {}) =>
  runDataChecks({
    table: parseCsv(text),
    spec: spec(sanity),
    pinned: null,
    reference: { skipped: 'none' },
    origin,
  });

describe('sanity: data that would train a silently wrong model fails by name', () => {
  it('fails a numeric column holding a few tokens, naming them quoted with their first rows', () => {
    const rows = Array.from(
      { length: 20 },
      (_, i) => `${i === 3 || i === 7 ? 'Infinity' : i === 5 ? '"7,900"' : i},${i % 2 ? 'a' : 'b'}`,
    );
    const outcome = check(`tenure,label\n${rows.join('\n')}\n`);
    const failed = outcome.failed.find((r) => r.check === 'numeric_tokens')!;
    expect(failed.column).toBe('tenure');
    expect(failed.observed).toBe("85.0% numbers; not numbers: 'Infinity' (lines 5, 9), '7,900' (line 7)");
  });

  it('fails an id-like column with a hint, never pins its categories, and passes it with categories: any', () => {
    const rows = Array.from({ length: 40 }, (_, i) => `c${i},${i % 3},${i % 2 ? 'a' : 'b'}`);
    const text = `customer,x,label\n${rows.join('\n')}\n`;
    const outcome = check(text);
    const failed = outcome.failed.find((r) => r.check === 'cardinality')!;
    expect(failed.observed).toBe('40 distinct in 40 rows (100.0%), id-like');
    expect(failed.expected).toMatch(/drop it .*hashing.*categories: any/);
    expect(outcome.inferred!.columns.customer.categories).toBe('any');
    const accepted = check(text, { schema: { columns: { customer: { categories: 'any' } } } });
    expect(accepted.failed).toEqual([]);
    const ignored = check(text, { schema: { columns: { customer: { ignore: true } } } });
    expect(ignored.failed).toEqual([]);
  });

  it('names the missing label with the columns that exist and the nearest one', () => {
    const outcome = check('x,lable\n1,a\n2,b\n');
    expect(outcome.failed.find((r) => r.check === 'label_present')!.observed).toBe(
      "missing (columns: x, lable; nearest 'lable')",
    );
  });
});
