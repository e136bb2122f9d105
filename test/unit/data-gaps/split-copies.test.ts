import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../core/csv';
import { splitDataset } from '../../../core/model/train';
import { splitRows } from '../../../core/model/split';

const CLASSES = ['setosa', 'versicolor', 'virginica'];
const rows = Array.from(
  { length: 60 },
  (_, i) => `${(4 + (i % 3) + i / 100).toFixed(2)},${i},${CLASSES[i % 3]}`,
);
const csv = (lines: string[]) => `x,n,species\n${lines.join('\n')}\n`;
const split = { holdout: 0.2, seed: 42 };

describe('split: exact copies of a row stay on one side (GroupShuffleSplit by row hash)', () => {
  it('a file exported twice puts no training row twin in the holdout (#1)', () => {
    const table = parseCsv(csv([...rows, ...rows]));
    const { trainRows, holdoutRows } = splitDataset(table, 'species', split);
    expect(trainRows.length + holdoutRows.length).toBe(120);
    const trainText = new Set(Array.from(trainRows, (r) => rows[r % 60]));
    const leaked = Array.from(holdoutRows).filter((r) => trainText.has(rows[r % 60]));
    expect(leaked).toEqual([]);
    // Whole groups: 12 of 60 distinct rows, both copies of each, stratified by class.
    expect(holdoutRows.length).toBe(24);
    expect(new Set(Array.from(holdoutRows, (r) => rows[r % 60].split(',')[2])).size).toBe(3);
  });

  it('without copies the split is the plain stratified one, row for row, in both tasks', () => {
    const table = parseCsv(csv(rows));
    const strata = Int32Array.from(rows, (_, i) => i % 3);
    expect(splitDataset(table, 'species', split).holdoutRows).toEqual(splitRows(60, 0.2, 42, strata).holdout);
    expect(splitDataset(table, 'x', split, 'regression').holdoutRows).toEqual(splitRows(60, 0.2, 42).holdout);
  });

  it('records stored twice under two surrogate keys (record_id 1…120) are still one group (#29)', () => {
    const table = parseCsv(
      `record_id,x,species\n${[...rows, ...rows].map((r, i) => `${i + 1},${r.split(',')[0]},${r.split(',')[2]}`).join('\n')}\n`,
    );
    const { trainRows, holdoutRows } = splitDataset(table, 'species', split);
    const content = (r: number) => rows[r % 60].split(',')[0];
    const trainText = new Set(Array.from(trainRows, content));
    expect(Array.from(holdoutRows).filter((r) => trainText.has(content(r)))).toEqual([]);
    expect(holdoutRows.length).toBe(24);
  });

  it('a class whose rows are all copies of one row (straight-liners) is split anyway, so the holdout checks it (#22)', () => {
    const straight = Array.from({ length: 8 }, () => '5.55,999,undecided');
    for (const seed of [1, 7, 42]) {
      const table = parseCsv(csv([...rows, ...rows.slice(0, 6), ...straight]));
      const { trainRows, holdoutRows } = splitDataset(table, 'species', { holdout: 0.2, seed });
      const label = (r: number) => (r >= 66 ? 'undecided' : 'other');
      expect(Array.from(holdoutRows, label)).toContain('undecided');
      expect(Array.from(trainRows, label)).toContain('undecided');
      // Copies of rows of the other classes still stay on one side.
      const trainText = new Set(Array.from(trainRows, (r) => (r < 66 ? rows[r % 60] : '')));
      expect(Array.from(holdoutRows).filter((r) => r < 66 && trainText.has(rows[r % 60]))).toEqual([]);
    }
  });
});
