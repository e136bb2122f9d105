import { describe, expect, it } from 'vitest';
import { runDataChecks } from '../../../activities/data-checks';
import { parseCsv } from '../../../core/csv';
import { validateSpec } from '../../../core/spec/load';

/**
 * Amounts signed after the number (`125.00 CR` / `40.00 DR`: bank statements, SAP FI; `40.00-` /
 * `12.50+`) are signed numbers written as text, named so: never "id-like: hash it" (breaker 9 #29).
 */
const origin = { runId: 'r1', dataSha256: 'abc', rows: 0 };
const spec = validateSpec({
  name: 't',
  source: { uri: 'x.csv' },
  target: { column: 'kind' },
  sanity: { minRows: 1 },
});

/** 200 transactions; `amount(i, cents)` writes row i's amount. */
function transactions(amount: (i: number, value: string) => string): string {
  const lines = Array.from({ length: 200 }, (_, i) => {
    const value = (((i * 7919) % 99_991) / 100 + 1).toFixed(2);
    return `${['card', 'transfer', 'atm'][i % 3]},${amount(i, value)},${i % 2 ? 'income' : 'spend'}`;
  });
  return `channel,amount,kind\n${lines.join('\n')}\n`;
}
const failedChecks = (text: string) =>
  runDataChecks({ table: parseCsv(text), spec, pinned: null, reference: { skipped: 'none' }, origin }).failed;

describe('amounts with a sign after the number', () => {
  it('CR/DR suffixes on every row: numeric_text names signed amounts, not an id-like column', () => {
    const failed = failedChecks(transactions((i, v) => `${v} ${i % 2 ? 'CR' : 'DR'}`));
    expect(failed.map((r) => `${r.check}(${r.column})`)).toEqual(['numeric_text(amount)']);
    const [amount] = failed;
    expect(amount.observed).toBe(
      "text, yet 100.0% numbers with sign suffixes ('DR', 'CR'): '1.00 DR' (line 2), '80.19 CR' (line 3), '159.38 DR' (line 4)",
    );
    expect(amount.expected).toContain(
      "numbers: signed amounts written as text: convert CR/DR to signs upstream (one convention for the column, e.g. CR positive, DR negative: '40.00 DR' is -40.00)",
    );
    expect(amount.expected).not.toContain('id-like');
  });

  it('trailing - and + signs on every row, and a few CR/DR among plain numbers', () => {
    const trailing = failedChecks(transactions((i, v) => `${v}${i % 2 ? '+' : '-'}`));
    expect(trailing.map((r) => r.check)).toEqual(['numeric_text']);
    expect(trailing[0].expected).toContain("move the sign before the number upstream ('40.00-' is -40.00)");
    const few = failedChecks(transactions((i, v) => (i % 25 === 3 ? `${v} DR` : v)));
    const tokens = few.find((r) => r.check === 'numeric_tokens')!;
    expect(tokens.expected).toContain(
      'numbers only: signed amounts written as text: convert CR/DR to signs upstream',
    );
    expect(tokens.expected).not.toContain('source.nullValues');
  });
});
