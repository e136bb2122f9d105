import { describe, expect, it } from 'vitest';
import { checkCsv, expectDateText } from '../../support/data-checks';

const MON = ['Jan', 'Feb', 'Mar'];
const DAY = ['Wed', 'Thu', 'Fri', 'Sat', 'Sun', 'Mon', 'Tue'];
const pad = (n: number) => String(n).padStart(2, '0');

/** 90 daily rows `date,sales,label` from 2025-01-01, the date written by `write` (day offset, month, day, hour). */
function sales(write: (i: number, m: number, d: number, h: number) => string): string {
  const rows = Array.from({ length: 90 }, (_, i) => {
    const at = new Date(Date.UTC(2025, 0, 1 + i));
    const h = [0, 9, 13][i % 3];
    return `"${write(i, at.getUTCMonth(), at.getUTCDate(), h)}",${100 + i / 2},${i % 2 ? 'a' : 'b'}`;
  });
  return `date,sales,label\n${rows.join('\n')}\n`;
}

describe('date_text recognises everyday layouts with month names and zones (BREAKER9 #10)', () => {
  const layouts: [string, (i: number, m: number, d: number, h: number) => string, string][] = [
    ['SAS DATE9.', (_, m, d) => `${pad(d)}${MON[m].toUpperCase()}2025`, 'ddMONyyyy (SAS DATE9.)'],
    ['Excel dd-mmm-yy', (_, m, d) => `${pad(d)}-${MON[m]}-25`, 'dd-Mon-yy (Excel)'],
    [
      'Shopify',
      (_, m, d, h) => `2025-${pad(m + 1)}-${pad(d)} ${pad(h)}:00:00 -0500`,
      'a space before the offset',
    ],
    ['RFC 1123', (i, m, d, h) => `${DAY[i % 7]}, ${pad(d)} ${MON[m]} 2025 ${pad(h)}:00:00 GMT`, 'RFC 1123'],
    [
      'a zone abbreviation',
      (_, m, d, h) => `2025-${pad(m + 1)}-${pad(d)} ${pad(h)}:00:00 EST`,
      'a zone abbreviation',
    ],
    [
      "JavaScript's Date.toString()",
      (i, m, d, h) =>
        `${DAY[i % 7]} ${MON[m]} ${pad(d)} 2025 ${pad(h)}:00:00 GMT+0000 (Coordinated Universal Time)`,
      'Date.toString()',
    ],
    [
      'a spelled-out date',
      (_, m, d) => `${MON[m]}uary ${d}th 2025`.replace('Febuary', 'February').replace('Maruary', 'March'),
      'a date with a month name',
    ],
  ];
  for (const [name, write, layout] of layouts)
    it(`fails ${name} as date_text naming the layout and the ISO way out, not as id-like`, () => {
      expectDateText(sales(write), layout);
    });

  it('tells how to write a zone as an ISO offset when the layout has one', () => {
    const { failed } = checkCsv(sales((_, m, d, h) => `2025-${pad(m + 1)}-${pad(d)} ${pad(h)}:00:00 -0500`));
    expect(failed[0].expected).toContain('2025-02-13T00:00:00-05:00');
  });

  it('leaves text that merely holds a month name or a number alone', () => {
    const words = ['May', 'March madness 2', 'Jan 5', 'Q1 2024', 'iPhone 15', 'Dec sale'];
    expect(checkCsv(sales((i) => words[i % words.length])).failed).toEqual([]);
  });
});
