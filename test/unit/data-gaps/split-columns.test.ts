import { describe, expect, it } from 'vitest';
import { runDataChecks } from '../../../activities/data-checks';
import { columnViews } from '../../../core/data/column-views';
import { columnNameKey, findSplitColumns } from '../../../core/data/split-columns';
import { parseSource } from '../../../core/sources/index';
import { validateSpec } from '../../../core/spec/load';

const CLASSES = ['setosa', 'versicolor', 'virginica'];
/** Iris-like JSON Lines whose records from `switchAt` on spell `petal_width` as `key`. */
const jsonl = (rows: number, switchAt: number, key = 'Petal_Width') =>
  Array.from({ length: rows }, (_, i) =>
    JSON.stringify({
      sepal_length: 4.5 + ((i * 7) % 30) / 10,
      [i < switchAt ? 'petal_width' : key]: 0.1 + ((i * 3) % 25) / 10,
      species: CLASSES[i % 3],
    }),
  ).join('\n') + '\n';
const checks = (text: string, format: 'jsonl' | 'csv' = 'jsonl') =>
  runDataChecks({
    table: parseSource(Buffer.from(text), format, 'x'),
    spec: validateSpec({ name: 't', source: { uri: `x.${format}` }, target: { column: 'species' } }),
    pinned: null,
    reference: { skipped: 'none' },
    origin: { runId: 'r1', dataSha256: 'abc', rows: 0 },
  }).failed.filter((c) => c.check === 'split_column');

describe('one column written two ways (names differing by case, spacing, _ or -)', () => {
  it('fails sanity naming both spellings with their line ranges, and the way out', () => {
    expect(checks(jsonl(150, 100))).toEqual([
      {
        check: 'split_column',
        column: 'petal_width',
        passed: false,
        observed:
          "'petal_width' (lines 1–100, 100 rows) and 'Petal_Width' (lines 101–150, 50 rows) are never filled on the same row: " +
          "one column written two ways (two writers' keys, or files appended by column name)",
        expected:
          "one column: rename 'Petal_Width' to 'petal_width' upstream (in the writer, or before appending the files) so " +
          'every row uses one spelling; imputing each half would train on two half-filled copies of one measurement',
      },
    ]);
  });

  it('catches CSV files appended by column name, and other spellings of the name', () => {
    const csv =
      'sepal length,species,Sepal-Length\n' +
      Array.from({ length: 40 }, (_, i) =>
        i < 25 ? `${5 + i / 10},${CLASSES[i % 3]},` : `,${CLASSES[i % 3]},${5 + i / 10}`,
      ).join('\n') +
      '\n';
    const [found] = checks(csv, 'csv');
    expect(found.observed).toMatch(
      /^'sepal length' \(lines 2–26, 25 rows\) and 'Sepal-Length' \(lines 27–41, 15 rows\)/,
    );
    expect(['petal_width', 'Petal Width', 'petal-width', 'PetalWidth'].map(columnNameKey)).toEqual(
      Array(4).fill('petalwidth'),
    );
  });

  it('passes two alike names that share rows, and unrelated half-empty columns', () => {
    expect(checks(jsonl(150, 150))).toEqual([]);
    const both = parseSource(Buffer.from('a,A,b\n1,2,3\n,4,5\n'), 'csv', 'x');
    expect(findSplitColumns(columnViews(both), new Set())).toEqual([]);
    const unrelated = parseSource(Buffer.from('a,c,y\n1,,u\n,2,v\n'), 'csv', 'x');
    expect(findSplitColumns(columnViews(unrelated), new Set())).toEqual([]);
  });
});
