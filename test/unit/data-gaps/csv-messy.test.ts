import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../core/csv';

function column(table: arrow.Table, name: string): unknown[] {
  return table.getChild(name)!.toArray() as unknown[];
}

describe('source.nullValues that look like numbers', () => {
  it('reads a listed -9999 as null, not as a number', () => {
    const table = parseCsv('x,y\n1.5,a\n-9999,b\n2.5,c\n', { nullValues: ['-9999'] });
    expect(String(table.getChild('x')!.type)).toBe('Float64');
    expect([...table.getChild('x')!].map((v) => v)).toEqual([1.5, null, 2.5]);
  });

  it('reads listed ±1e308 sentinels as null, blanks around them too', () => {
    const table = parseCsv('x\n1\n-1e308\n 1e308 \n3\n', { nullValues: ['-1e308', '1e308'] });
    expect([...table.getChild('x')!]).toEqual([1, null, null, 3]);
  });

  it('keeps numbers that are not listed', () => {
    const table = parseCsv('x\n-9999\n-999\n', { nullValues: ['-99'] });
    expect(column(table, 'x')).toEqual(new Float64Array([-9999, -999]));
  });
});

describe('German dot digit groups in a ; file', () => {
  it("fails ingest on '3.400' beside 3-digit integers, naming the column, value, line and settings", () => {
    expect(() => parseCsv('price;label\n950;a\n3.400;b\n450;a\n12.500;b\n', { delimiter: ';' })).toThrow(
      "column 'price': '3.400' (line 3) has a dot and exactly 3 digits beside integers",
    );
    const read = parseCsv('price;label\n950;a\n3.400;b\n', { delimiter: ';', decimal: ',', thousands: '.' });
    expect([...read.getChild('price')!]).toEqual([950, 3400]);
  });

  it('reads ordinary decimals, explicit decimal points and , files as they are', () => {
    expect([...parseCsv('x;y\n5.1;1\n4.925;2\n120;3\n', { delimiter: ';' }).getChild('x')!]).toEqual([
      5.1, 4.925, 120,
    ]);
    expect([...parseCsv('x;y\n950;1\n3.400;2\n', { delimiter: ';', decimal: '.' }).getChild('x')!]).toEqual([
      950, 3.4,
    ]);
    expect([...parseCsv('x,y\n950,1\n3.400,2\n').getChild('x')!]).toEqual([950, 3.4]);
  });
});
