import { describe, expect, it } from 'vitest';
import { checkCsv } from '../../support/data-checks';

/** 40 rows of `vip,spend,label`: vip given per 0-based row ('' is blank). */
const csv = (vip: (i: number) => string) =>
  `vip,spend,label\n${Array.from({ length: 40 }, (_, i) => `${vip(i)},${(i * 7) % 23}.5,${i % 2 ? 'a' : 'b'}`).join('\n')}\n`;
const nullHint = (text: string) =>
  checkCsv(text).failed.find((r) => r.check === 'null_fraction' && r.column === 'vip')!.expected;

describe('a checkbox column (X or blank) is not told to fill blanks with its only value (breaker 9 #28)', () => {
  it("names 'X' or blank as a checkbox and offers a constant 'no', never most_frequent", () => {
    const hint = nullHint(csv((i) => (i % 3 === 0 ? 'X' : '')));
    expect(hint).toContain(
      "then fill them as a checkbox's: 'X' on 35.0% of rows, blank elsewhere, so blank means no: ",
    );
    expect(hint).toContain("features: [{ impute: { columns: [vip], strategy: constant, value: 'no' } }]");
    expect(hint).not.toContain('strategy: most_frequent');
  });

  it('does the same for 1 or blank (no median), and keeps most_frequent / median for other columns', () => {
    const ones = nullHint(csv((i) => (i % 3 === 0 ? '1' : '')));
    expect(ones).toContain('strategy: constant, value: 0 }');
    expect(ones).not.toContain('strategy: median');
    expect(nullHint(csv((i) => (i % 3 === 0 ? ['gold', 'silver'][i % 2] : '')))).toContain(
      'strategy: most_frequent',
    );
    expect(nullHint(csv((i) => (i % 3 === 0 ? String(i) : '')))).toContain('strategy: median');
  });
});
