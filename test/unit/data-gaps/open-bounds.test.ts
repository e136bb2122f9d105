import { describe, expect, it } from 'vitest';
import { openBoundOf } from '../../../core/data/ordinal-scale';
import { checkCsv } from '../../support/data-checks';

/** 200 respondents, `YearsCode` 1 … 50 with Stack Overflow's open ends on a few rows. */
function survey(): string {
  const rows = Array.from({ length: 200 }, (_, i) => {
    const years =
      i % 29 === 3 ? 'Less than 1 year' : i % 31 === 5 ? 'More than 50 years' : String(1 + ((i * 7) % 50));
    return `${years},${i % 3 ? 'yes' : 'no'},${i % 2 ? 'a' : 'b'}`;
  });
  return `YearsCode,remote,label\n${rows.join('\n')}\n`;
}

describe("open-ended bounds beside numbers (BREAKER10 #11: 'Less than 1 year' / 'More than 50 years')", () => {
  it('reads the side and number of a bound, with or without a unit word', () => {
    expect(openBoundOf('Less than 1 year')).toEqual({ below: true, bound: 1 });
    expect(openBoundOf('More than 50 years')).toEqual({ below: false, bound: 50 });
    expect(openBoundOf('65 years or older')).toEqual({ below: false, bound: 65 });
    expect(openBoundOf('Under 18')).toEqual({ below: true, bound: 18 });
    expect(openBoundOf('about 20')).toBeNull();
    expect(openBoundOf('never')).toBeNull();
  });

  it('names them as an ordinal scale\'s open ends, with numbers to write and the text way out; never "missing"', () => {
    const { failed } = checkCsv(survey());
    const tokens = failed.find((r) => r.check === 'numeric_tokens' && r.column === 'YearsCode')!;
    expect(tokens.expected).toContain('open-ended bounds of an ordinal scale beside numbers');
    expect(tokens.expected).toContain("'Less than 1 year' as 0.5");
    expect(tokens.expected).toContain("'More than 50 years' as 50");
    expect(tokens.expected).toContain('source.columnTypes: { YearsCode: string }');
    expect(tokens.expected).not.toContain('add them to source.nullValues');
  });

  it("keeps a count scale with 'never' and '>4' ends as categories (Kaggle job change's last_new_job)", () => {
    const ends = ['never', '1', '2', '3', '4', '>4'];
    const rows = Array.from({ length: 120 }, (_, i) => `${ends[i % 6]},${i % 2 ? 'a' : 'b'}`);
    const { failed } = checkCsv(`last_new_job,label\n${rows.join('\n')}\n`);
    expect(failed.filter((r) => r.column === 'last_new_job').map((r) => r.check)).toEqual([]);
  });
});
