import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../core/csv';
import { readsAsNumber } from '../../../core/data/numeric-tokens';
import { checkCsv } from '../../support/data-checks';

/** 40 rows of `x,y,label`: x given per 0-based row, y a plain measure. */
const csv = (x: (i: number) => string) =>
  `x,y,label\n${Array.from({ length: 40 }, (_, i) => `${x(i)},${(i * 7) % 13}.5,${i % 2 ? 'a' : 'b'}`).join('\n')}\n`;
const failures = (text: string, check: string, options = {}) =>
  checkCsv(text, options).failed.filter((r) => r.check === check && r.column === 'x');

describe('numbers with Swiss apostrophe or Indian lakh digit groups are named, never categories (breaker 9 #16)', () => {
  it('fails a column of 2\'800 naming source.thousands: "\'", which then reads it', () => {
    const text = csv((i) => `${1 + (i % 9)}'${100 + i * 7}`);
    const [failed] = failures(text, 'numeric_text');
    expect(failed.observed).toBe(
      "text, yet 100.0% numbers with apostrophe digit groups: '1\\'100' (line 2), '2\\'107' (line 3), '3\\'114' (line 4)",
    );
    expect(failed.expected).toBe(`numbers: set source.thousands: "'" (Swiss digit groups: 2'800 = 2800)`);
    const read = parseCsv(text, { thousands: "'" });
    expect(read.getChild('x')!.get(0)).toBe(1100);
    expect(checkCsv(text, { thousands: "'" }).failed).toEqual([]);
  });

  it('names the typographic apostrophe U+2019, set or not', () => {
    const text = csv((i) => `${1 + (i % 9)}\u2019${100 + i * 7}`);
    for (const options of [{}, { thousands: "'" }]) {
      const [failed] = failures(text, 'numeric_text', options);
      expect(failed.expected).toContain('replace the typographic apostrophe \u2019 (U+2019)');
    }
  });

  it('fails a column of "1,70,00,000" naming source.thousands: \',\', which reads lakh groups', () => {
    const text = csv((i) => (i % 4 ? `"${1 + (i % 9)},${10 + i},00,000"` : `"${20 + i},000"`));
    const [failed] = failures(text, 'numeric_text');
    expect(failed.observed).toMatch(
      /^text, yet 100\.0% numbers with Indian lakh digit groups: '2,11,00,000' \(line 3\)/,
    );
    expect(failed.expected).toContain("set source.thousands: ','");
    const read = parseCsv(text, { thousands: ',' });
    expect(read.getChild('x')!.get(1)).toBe(21_100_000);
    expect(read.getChild('x')!.get(0)).toBe(20_000);
    expect(checkCsv(text, { thousands: ',' }).failed).toEqual([]);
    for (const w of ['1,70,00,000', '12,34,567', '1,234,567', '12,345'])
      expect(readsAsNumber(w, { thousands: ',' })).toBe(true);
    for (const w of ['1,234,56,789', '123,45,678', '1,70,00,00', '1,7,000'])
      expect(readsAsNumber(w, { thousands: ',' })).toBe(false);
    expect(parseCsv('x\n"1,234,56,789"\n"1,7,000"\n', { thousands: ',' }).getChild('x')!.get(0)).toBe(
      '1,234,56,789',
    );
  });

  it("under source.thousands: ',' a column whose groups break the rule fails numeric_tokens naming them", () => {
    const text = csv((i) => `"${1 + (i % 9)},${10 + i},${1000 + i}"`);
    const [failed] = failures(text, 'numeric_tokens', { thousands: ',' });
    expect(failed.observed).toContain("digit groups the reader rejects: '1,10,1000' (line 2)");
    expect(failed.expected).toContain(
      "a number's groups are 1–3 digits, then exactly 3 per group (or Indian lakh groups",
    );
  });

  it('names apostrophe groups among plain numbers with the setting, quoted so it reads', () => {
    const text = csv((i) => (i % 5 ? `${100 + i}` : `${1 + (i % 9)}'${100 + i}`));
    const [failed] = failures(text, 'numeric_tokens');
    expect(failed.expected).toBe(
      `numbers only: set source.thousands: "'" (Swiss digit groups: 2'800 = 2800)`,
    );
  });
});

describe('numbers behind a leading apostrophe are named, not read (breaker 9 #26)', () => {
  it("fails a column of '5.1 (Excel's text prefix on every row) naming the prefix", () => {
    const [failed] = failures(
      csv((i) => `'${4 + (i % 30) / 10}`),
      'numeric_text',
    );
    expect(failed.observed).toBe(
      "text, yet 100.0% numbers with a leading apostrophe (a spreadsheet text prefix or CSV-injection guard): '\\'4' (line 2), '\\'4.1' (line 3), '\\'4.2' (line 4)",
    );
    expect(failed.expected).toContain("strip the leading ' upstream");
  });

  it("names a CSV-injection guard on the negatives only ('-2.8) instead of offering to null them", () => {
    const text = csv((i) => (i % 3 ? `${(i % 17) + 0.5}` : `'-${(i % 11) + 0.3}`));
    const named = checkCsv(text).failed.filter((r) => r.column === 'x');
    expect(named).toHaveLength(1);
    expect(named[0].expected).toContain(
      "strip the leading ' upstream (Excel's text prefix, or an export's CSV-injection guard",
    );
    expect(named[0].expected).not.toContain('nullValues');
  });
});

describe('durations written as text are named, not one category per value (breaker 9 #27)', () => {
  it('fails h:mm:ss, mm:ss and PT12M30S columns with "convert to seconds upstream"', () => {
    const layouts = [
      (i: number) => `0:${String(i + 1).padStart(2, '0')}:${i % 2 ? '30' : '00'}`,
      (i: number) => `${String(i + 1).padStart(2, '0')}:${i % 2 ? '30' : '05'}`,
      (i: number) => `PT${i + 1}M${i % 2 ? 30 : 5}S`,
    ];
    for (const layout of layouts) {
      const [failed] = failures(csv(layout), 'numeric_text');
      expect(failed.observed).toMatch(
        /^text, yet 100\.0% durations or times written as text \(h:mm:ss, mm:ss\): /,
      );
      expect(failed.expected).toContain('convert the durations to seconds upstream (0:12:30 = 750');
    }
  });

  it('leaves a few shift times (08:00, 16:00) as categories, and names durations in the target without the text exit', () => {
    expect(
      failures(
        csv((i) => ['08:00', '16:00', '00:00'][i % 3]),
        'numeric_text',
      ),
    ).toEqual([]);
    const rows = Array.from({ length: 40 }, (_, i) => `${i},0:${String(i + 5).padStart(2, '0')}:00`);
    const [failed] = checkCsv(`x,label\n${rows.join('\n')}\n`).failed.filter((r) => r.column === 'label');
    expect(failed.check).toBe('numeric_text');
    expect(failed.expected).not.toContain('columnTypes: { label: string }');
  });
});
