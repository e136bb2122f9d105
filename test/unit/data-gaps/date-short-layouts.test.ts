import { describe, expect, it } from 'vitest';
import { checkCsv, expectDateText } from '../../support/data-checks';

const MON = ['Jan', 'Feb', 'Mar'];
const pad = (n: number) => String(n).padStart(2, '0');

/** 60 daily rows `date,sales,label` from 2025-01-01 in random order, the date written by `write` (month 0-based, day). */
function sales(write: (m: number, d: number, i: number) => string | number): string {
  const rows = Array.from({ length: 60 }, (_, k) => {
    const i = (k * 37) % 60;
    const at = new Date(Date.UTC(2025, 0, 1 + i));
    return `${write(at.getUTCMonth(), at.getUTCDate(), i)},${100 + i / 2},${k % 2 ? 'a' : 'b'}`;
  });
  return `date,sales,label\n${rows.join('\n')}\n`;
}

const failedChecks = (csv: string) => checkCsv(csv).failed.map((r) => `${r.check}(${r.column})`);

describe('date_text recognises dates with a 2-digit year or none (BREAKER9 #10, d2de/d2ymd/d2mon)', () => {
  const layouts: [string, (m: number, d: number) => string, string, string][] = [
    [
      'German dd.mm.yy',
      (m, d) => `${pad(d)}.${pad(m + 1)}.25`,
      'dd.mm.yy (German short date)',
      '4-digit year',
    ],
    ['yy-mm-dd', (m, d) => `25-${pad(m + 1)}-${pad(d)}`, 'yy-mm-dd (a 2-digit year first)', '4-digit year'],
    ['dd-mm-yy', (m, d) => `${pad(d)}-${pad(m + 1)}-25`, 'dd-mm-yy (a 2-digit year last)', '4-digit year'],
    ['Mon dd without a year', (m, d) => `${MON[m]} ${pad(d)}`, 'Mon dd (no year)', 'name no year'],
    [
      'dd Month without a year',
      (m, d) => `${d} ${['January', 'February', 'March'][m]}`,
      'Mon dd (no year)',
      'name no year',
    ],
  ];
  for (const [name, write, layout, hint] of layouts)
    it(`fails ${name} as date_text naming the layout and the year to write`, () => {
      expect(expectDateText(sales(write), layout).expected).toContain(hint);
    });

  it('leaves versions, scores, part codes and month-word names alone', () => {
    const versions = ['3.10.12', '3.11.10', '3.9.18', '3.8.10', '3.12.11', '2.7.18', '3.10.14', '3.11.19'];
    const scores = ['3-1', '0-0', '2-1', '1-1', '4-2', '0-3', '2-2', '1-0'];
    const parts = [
      '10-45-77',
      '12-99-03',
      '31-02-10',
      '07-66-21',
      '55-13-40',
      '20-40-60',
      '11-11-88',
      '90-01-01',
    ];
    const products = [
      'May 2',
      'March madness 2',
      'Mayday 5',
      'Decent 12',
      'iPhone 15',
      'Galaxy S24',
      'Marching 10',
      'Junior 3',
    ];
    for (const words of [versions, scores, parts, products])
      expect(failedChecks(sales((_m, _d, i) => words[i % words.length]))).not.toContain('date_text(date)');
  });

  it('does not read a yy-mm-dd column whose first field varies like a day as yy-mm-dd', () => {
    // dd-mm-yy: the last field is the year (constant), so the layout named is dd-mm-yy.
    const { failed } = checkCsv(sales((m, d) => `${pad(d)}-${pad(m + 1)}-24`));
    expect(failed[0].observed).toContain('dd-mm-yy');
    expect(failed[0].observed).not.toContain('yy-mm-dd');
  });
});

describe('date_number names a number column of yyyymmdd dates (BREAKER9 #10, 20250126)', () => {
  it('fails every-value yyyymmdd numbers with the ISO way out and the text escape', () => {
    const { failed } = checkCsv(sales((m, d) => `2025${pad(m + 1)}${pad(d)}`));
    expect(failed.map((r) => `${r.check}(${r.column})`)).toEqual(['date_number(date)']);
    expect(failed[0].observed).toMatch(
      /^numbers, yet every value \(60 distinct\) is a date written as a yyyymmdd number: \d{8} \(line 2\)/,
    );
    expect(failed[0].expected).toContain("format='%Y%m%d'");
    expect(failed[0].expected).toContain('source.columnTypes: { date: string }');
  });

  it('passes once the column is declared text (a true code)', () => {
    const csv = sales((m, d) => `2025${pad(m + 1)}${pad(d)}`);
    const { failed } = checkCsv(csv, { columnTypes: { date: 'string' } } as never);
    expect(failed.map((r) => r.check)).not.toContain('date_number');
  });

  it('leaves ordinary numbers, zip codes, ids and a few date-like codes alone', () => {
    const cases: ((m: number, d: number, i: number) => number | string)[] = [
      (_m, _d, i) => 20250100 + i, // ids running past day 31
      (_m, _d, i) => 10000 + i * 7, // zip-like
      (_m, _d, i) => 12345678 + i * 1111, // 8-digit ids, months out of range
      (_m, _d, i) => (i / 3).toFixed(2), // ordinary numbers
      (_m, _d, i) => [20250101, 20250102, 20250103][i % 3], // 3 distinct: a code
      (m, d, i) => (i === 5 ? 99999999 : `2025${pad(m + 1)}${pad(d)}`), // one value no date
    ];
    for (const write of cases) expect(failedChecks(sales(write))).not.toContain('date_number(date)');
  });
});

describe('date_text names both 2-digit dash readings when the days do not settle it', () => {
  it('monthly 25-01-01 … 26-12-01 is yy-mm-dd or dd-mm-yy', () => {
    const rows = Array.from(
      { length: 24 },
      (_, i) => `${25 + Math.floor(i / 12)}-${pad((i % 12) + 1)}-01,${i},${i % 2 ? 'a' : 'b'}`,
    );
    const { failed } = checkCsv(`date,sales,label\n${rows.join('\n')}\n`);
    const date = failed.find((r) => r.check === 'date_text' && r.column === 'date');
    expect(date?.observed).toContain('yy-mm-dd or dd-mm-yy');
    expect(date?.expected).toContain('25-02-28 (or 28-02-25) as 2025-02-28');
  });
});
