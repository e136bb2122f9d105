import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { runDataChecks } from '../../../activities/data-checks';
import { parseCsv } from '../../../core/csv';
import { fitFeatures } from '../../../core/features/pipeline';
import type { TransformSpec } from '../../../core/features/types';
import { assertFiniteBatch } from '../../../core/model/batches';
import { assertFiniteColumns } from '../../../core/model/numeric-safety';
import { toParquet } from '../../../core/sources/parquet';
import { parseSource } from '../../../core/sources';
import { rowLocator, withRowLines } from '../../../core/sources/row-lines';
import { validateSpec } from '../../../core/spec/load';

/** Rows 0–5 on lines 2, 3, 5, 6, 7, 9 (blank lines 4 and 8); x = 1 … 6, x = 0 at row `zeroAt`. */
function csvWithGaps(zeroAt = -1): arrow.Table {
  const rows = [1, 2, 3, 4, 5, 6].map((x, i) => `${i === zeroAt ? 0 : x},${i % 2 ? 'a' : 'b'}`);
  rows.splice(2, 0, '');
  rows.splice(6, 0, '');
  return parseCsv(`x,label\n${rows.join('\n')}\n`);
}
const features = (table: arrow.Table, specs: TransformSpec[]) =>
  fitFeatures({
    table,
    specs,
    target: 'label',
    task: 'classification',
    trainRows: Int32Array.from({ length: table.numRows }, (_, i) => i),
    inputSha256: 'test',
  });
const failure = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
};

describe('train and features name file lines, as ingest and sanity do', () => {
  it('rows sanity drops leave the clean table naming the lines of the rows that remain', () => {
    const table = parseCsv('x,label\n1,a\n2,\n\n3,b\n4,a\n');
    const outcome = runDataChecks({
      table,
      spec: validateSpec({
        name: 't',
        source: { uri: 'x.csv' },
        target: { column: 'label' },
        sanity: { minRows: 1, flags: { missingLabel: { policy: 'drop', maxFraction: 0.5 } } },
      }),
      pinned: null,
      reference: { skipped: 'none' },
      origin: { runId: 'r', dataSha256: 'x', rows: 0 },
    });
    expect(outcome.failed).toEqual([]);
    const clean = rowLocator(outcome.clean!);
    expect([0, 1, 2].map((r) => clean.line(r))).toEqual([2, 5, 6]);
  });

  it('a non-finite feature value is named by its file line; a typed source keeps its 0-based row', () => {
    const csv = csvWithGaps();
    const floats = new arrow.Table({
      x: arrow.vectorFromArray([1, 2, 3, Infinity, 5, 6], new arrow.Float64()),
      label: csv.getChild('label')!,
    });
    const rows = Int32Array.from([0, 1, 2, 3, 4, 5]);
    expect(() => assertFiniteColumns(withRowLines(floats, csv), ['x'], rows, 'feature')).toThrow(
      "feature column 'x' holds Infinity at line 6:",
    );
    expect(() => assertFiniteColumns(floats, ['x'], rows, 'feature')).toThrow('holds Infinity at row 3:');
    const source = { width: 1, batch: () => new Float32Array(), columnOf: () => 'x' };
    expect(() =>
      assertFiniteBatch(Float32Array.from([1, NaN]), Int32Array.from([2, 4]), source, rowLocator(csv)),
    ).toThrow("feature column 'x' encodes to NaN at line 7:");
  });

  it('a features transform giving a non-finite value names the line; its output keeps the lines', async () => {
    const derive: TransformSpec = { kind: 'derive', params: { inverse: '1 / x' } };
    expect(await failure(features(csvWithGaps(4), [derive]))).toContain('gives Infinity at line 7 (x=0)');
    const log: TransformSpec = { kind: 'log1p', params: { columns: ['x'] } };
    const negative = parseCsv('x,label\n1,a\n\n-2,b\n3,a\n');
    expect(await failure(features(negative, [log]))).toContain("column 'x' line 4: -2 gives NaN");
    const { output } = await features(csvWithGaps(), [derive, { kind: 'drop', params: { columns: ['x'] } }]);
    expect([0, 2, 3, 5].map((r) => rowLocator(output).line(r))).toEqual([2, 5, 6, 9]);
    // Parquet has no lines: rows stay 0-based.
    const parquet = parseSource(Buffer.from(toParquet(csvWithGaps(4))), 'parquet', 'x.parquet');
    expect(await failure(features(parquet, [derive]))).toContain('gives Infinity at row 4 (x=0)');
  });
});
