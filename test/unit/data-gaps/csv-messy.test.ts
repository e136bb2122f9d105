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
