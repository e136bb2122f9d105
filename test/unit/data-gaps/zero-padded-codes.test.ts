import { describe, expect, it } from 'vitest';
import { checkCsv } from '../../support/data-checks';

const ZIPS = ['02134', '10001', '06510', '01002', '11201'];
/** 50 rows of `zip,sqft,label`; from row 30 on, the zips went through a spreadsheet (leading zeros dropped). */
const csv = (zip: (i: number) => string, label = (i: number): string => (i % 2 ? 'a' : 'b')) =>
  `zip,sqft,label\n${Array.from({ length: 50 }, (_, i) => `${zip(i)},${500 + i * 3},${label(i)}`).join('\n')}\n`;
const excel = (i: number) => (i < 30 ? ZIPS[i % 5] : String(Number(ZIPS[i % 5])));

describe('codes that lost their leading zeros beside the same codes with them fail leading_zeros (breaker 9 #35)', () => {
  it("names each pair ('2134' = '02134') with rows and first lines", () => {
    const failed = checkCsv(csv(excel)).failed.filter((r) => r.check === 'leading_zeros');
    expect(failed).toHaveLength(1);
    expect(failed[0].column).toBe('zip');
    expect(failed[0].observed).toBe(
      "codes that equal another once zero-padded to 5 digits: '2134' (4 rows, first line 32) = '02134' (6 rows, first line 2); " +
        "'6510' (4 rows, first line 34) = '06510' (6 rows, first line 4); '1002' (4 rows, first line 35) = '01002' (6 rows, first line 5)",
    );
    expect(failed[0].expected).toContain('restore the leading zeros upstream');
    expect(failed[0].expected).toContain('zero-pad them to 5 digits');
  });

  it('fails a target the same way (separate classes), passes codes all written alike', () => {
    const [target] = checkCsv(
      csv(
        (i) => String(i % 7),
        (i) => excel(i),
      ),
    ).failed.filter((r) => r.check === 'leading_zeros');
    expect(target.column).toBe('label');
    expect(target.expected).toContain('as a target they would be separate classes');
    expect(checkCsv(csv((i) => ZIPS[i % 5])).failed.filter((r) => r.check === 'leading_zeros')).toEqual([]);
    // '7' and '007' in a column of 3-digit codes: '7' pads to '007'; '70' pads to '070', which is absent.
    const codes = (i: number) => ['007', '123', '456', '7', '70'][i % 5];
    const [odd] = checkCsv(csv(codes)).failed.filter((r) => r.check === 'leading_zeros');
    // Most rows went through the spreadsheet: the padded codes still set the width (5).
    const zeroZips = (i: number) => ['02134', '06510', '01002'][i % 3];
    const mostly = checkCsv(csv((i) => (i < 10 ? zeroZips(i) : String(Number(zeroZips(i)))))).failed.filter(
      (r) => r.check === 'leading_zeros',
    );
    expect(mostly[0].observed).toMatch(
      /^codes that equal another once zero-padded to 5 digits: '6510' \(14 rows/,
    );
    expect(odd.observed).toMatch(
      /^codes that equal another once zero-padded to 3 digits: '7' \(10 rows, first line 5\) = '007'/,
    );
  });
});
