import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../core/csv';
import { DataError } from '../../../core/errors';
import { fitFeatures } from '../../../core/features/pipeline';
import { assertSplitGrouping, repeatedIdColumns, withSplitGroups } from '../../../core/model/split-groups';
import { splitDataset } from '../../../core/model/train';

// Panel data: 60 customers × 10 monthly rows, a per-customer label (BREAKER9 #30).
const lines: string[] = [];
for (let c = 0; c < 60; c++) {
  for (let m = 0; m < 10; m++)
    lines.push(`C${1000 + c},${m},${20 + c},${(c * 7) % 13}.${m},${c % 3 === 0 ? 'yes' : 'no'}`);
}
const panel = parseCsv(`customer_id,month,age,usage,churned\n${lines.join('\n')}\n`);
const customerOf = (row: number) => `C${1000 + Math.floor(row / 10)}`;

describe('split.groupBy: rows of one entity stay on one side (GroupShuffleSplit)', () => {
  it('a row-wise split of panel data leaks customers; groupBy keeps each customer on one side, deterministically', () => {
    const rowWise = splitDataset(panel, 'churned', { holdout: 0.2, seed: 42 });
    const trainCustomers = new Set(Array.from(rowWise.trainRows, customerOf));
    expect(Array.from(rowWise.holdoutRows).some((r) => trainCustomers.has(customerOf(r)))).toBe(true);

    const grouped = splitDataset(panel, 'churned', { holdout: 0.2, seed: 42, groupBy: 'customer_id' });
    expect(grouped.trainRows.length + grouped.holdoutRows.length).toBe(600);
    const train = new Set(Array.from(grouped.trainRows, customerOf));
    const held = new Set(Array.from(grouped.holdoutRows, customerOf));
    expect([...held].filter((c) => train.has(c))).toEqual([]);
    expect(held.size).toBe(12);
    expect(grouped.holdoutRows.length).toBe(120);
    const again = splitDataset(panel, 'churned', { holdout: 0.2, seed: 42, groupBy: 'customer_id' });
    expect(Array.from(again.holdoutRows)).toEqual(Array.from(grouped.holdoutRows));
  });

  it('refuses a groupBy column with empty values: those rows would be split alone, leaking their customer (BREAKER11 F8)', () => {
    const blanked = lines.map((l, i) => (i % 10 === 3 ? l.replace(/^C\d+/, '') : l));
    const table = parseCsv(`customer_id,month,age,usage,churned\n${blanked.join('\n')}\n`);
    expect(() => splitDataset(table, 'churned', { holdout: 0.2, seed: 42, groupBy: 'customer_id' })).toThrow(
      /split\.groupBy: column 'customer_id' is empty on 60 of 600 rows \(data rows 4, 14, 24, 34, 44, …\)/,
    );
  });

  it("a features stage's output (no customer_id left) carries the groups: train and validate split it the same way", async () => {
    const split = { holdout: 0.2, seed: 42, groupBy: 'customer_id' };
    const { output } = await fitFeatures({
      table: panel,
      specs: [{ kind: 'drop', params: { columns: ['customer_id'] } }],
      target: 'churned',
      task: 'classification',
      trainRows: splitDataset(panel, 'churned', split).trainRows,
      inputSha256: 'test',
    });
    expect(output.getChild('customer_id')).toBeNull();
    const carried = withSplitGroups(output, panel, 'customer_id');
    expect(Array.from(splitDataset(carried, 'churned', split).holdoutRows)).toEqual(
      Array.from(splitDataset(panel, 'churned', split).holdoutRows),
    );
  });

  it('a missing groupBy column is an error naming the columns that exist', () => {
    expect(() => splitDataset(panel, 'churned', { holdout: 0.2, seed: 42, groupBy: 'customer' })).toThrow(
      /split.groupBy: column 'customer' is not in the data; the columns are 'customer_id'/,
    );
  });

  it('fails a row-wise split when an id column repeats, naming it, its groups and rows per group, and the ways out', () => {
    expect(repeatedIdColumns(panel, new Set(['churned'])).map((r) => r.column)).toEqual(['customer_id']);
    let error: unknown;
    try {
      assertSplitGrouping(panel, 'churned', { holdout: 0.2, seed: 42 } as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DataError);
    const message = (error as Error).message;
    expect(message).toContain("split('customer_id')");
    expect(message).toContain('60 values on 600 rows');
    expect(message).toContain('10 rows per value');
    expect(message).toContain('split.groupBy: customer_id');
    expect(message).toContain('split.rowWise: true');
    expect(() => assertSplitGrouping(panel, 'churned', { groupBy: 'customer_id' })).not.toThrow();
    expect(() => assertSplitGrouping(panel, 'churned', { rowWise: true })).not.toThrow();
  });

  it('passes a file exported twice (its ids repeat with their rows: the copies are grouped already)', () => {
    const rows = Array.from({ length: 60 }, (_, i) => `${i},${i % 7}.${i % 3},${i % 2 ? 'a' : 'b'}`);
    const table = parseCsv(`id,x,y\n${[...rows, ...rows].join('\n')}\n`);
    expect(() => assertSplitGrouping(table, 'y', {})).not.toThrow();
  });

  it('passes a unique row id and a small code column (region_id with 4 values)', () => {
    const rows = Array.from({ length: 200 }, (_, i) => `${i},R${i % 4},${i % 7},${i % 2 ? 'a' : 'b'}`);
    const table = parseCsv(`id,region_id,x,y\n${rows.join('\n')}\n`);
    expect(() => assertSplitGrouping(table, 'y', {})).not.toThrow();
  });
});
