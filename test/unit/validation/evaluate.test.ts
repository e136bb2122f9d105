import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { tableFromColumns, float64, utf8 } from '../../../core/arrow-columns';
import { DataError } from '../../../core/errors';
import { fitPreprocessing } from '../../../core/model/preprocess';
import { evaluateModel, sliceRows } from '../../../core/validation/evaluate';
import { reportToArrow } from '../../../core/validation/report-table';

/** A "model" that predicts class 0 when x < 0 and class 1 otherwise, confidently. */
function thresholdModel(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 2, inputShape: [1], activation: 'softmax', useBias: false }));
  model.setWeights([tf.tensor2d([[-50, 50]])]);
  return model;
}

describe('holdout evaluation per slice', () => {
  const table = tableFromColumns({
    x: float64([-2, -1, 1, 2, -3, 3]),
    group: utf8(['a', 'a', 'b', 'b', null, 'a']),
    y: utf8(['no', 'no', 'yes', 'no', 'no', 'yes']),
  });
  const rows = Int32Array.from([0, 1, 2, 3, 4, 5]);

  it('groups rows by each slice column value, nulls as their own slice', () => {
    const slices = sliceRows(table, rows, [{ column: 'group', min: {}, minRows: 1 }]);
    expect(slices.map((s) => [s.value, Array.from(s.positions)])).toEqual([
      ['a', [0, 1, 5]],
      ['b', [2, 3]],
      ['(null)', [4]],
    ]);
  });

  it('names the spec field of a slice column that is not in the data', () => {
    expect(() => sliceRows(table, rows, [{ column: 'island', min: {}, minRows: 1 }])).toThrow(
      new DataError('validate.slices[0].column: no column "island" in the data (columns: x, group, y)'),
    );
  });

  it('scores overall and per slice, and the report lists every metric of both models', () => {
    const prep = fitPreprocessing(table, ['x'], 'y', rows);
    // Standard scaling keeps the sign of x only if the mean is 0, which it is here.
    expect(prep.features[0]).toMatchObject({ kind: 'numeric', mean: 0 });
    const model = thresholdModel();
    const slices = sliceRows(table, rows, [{ column: 'group', min: {}, minRows: 1 }]);
    const candidate = evaluateModel('candidate', null, model, prep, table, rows, slices);
    model.dispose();
    expect(candidate.overall.accuracy).toBeCloseTo(5 / 6, 10);
    expect(candidate.slices.map((s) => [s.value, s.rows, s.metrics.accuracy])).toEqual([
      ['a', 3, 1],
      ['b', 2, 0.5],
      ['(null)', 1, 1],
    ]);
    const champion = { ...candidate, role: 'champion' as const, version: 4 };
    const arrowReport = reportToArrow({ candidate, champion, championError: null });
    const records = arrowReport.toArray().map((r) => r.toJSON());
    // Every metric of every part; a one-class slice has no AUC, so it has one metric fewer.
    expect(candidate.slices[2].metrics.auc).toBeUndefined();
    const perModel = [candidate.overall, ...candidate.slices.map((s) => s.metrics)].reduce(
      (n, metrics) => n + Object.keys(metrics).length,
      0,
    );
    expect(perModel).toBe(4 + 4 + 4 + 3);
    expect(records).toHaveLength(2 * perModel);
    expect(records).toContainEqual(
      expect.objectContaining({
        model: 'champion',
        version: 4,
        slice_column: 'group',
        slice_value: 'b',
        rows: 2,
        metric: 'accuracy',
        value: 0.5,
      }),
    );
    expect(records).toContainEqual(
      expect.objectContaining({ model: 'candidate', version: null, slice_column: null, metric: 'macroF1' }),
    );
  });
});
