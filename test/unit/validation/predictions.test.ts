import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { float64, tableFromColumns, utf8 } from '../../../core/arrow-columns';
import { fitPreprocessing } from '../../../core/model/preprocess';
import { evaluateModel } from '../../../core/validation/evaluate';
import { predictionsToArrow, type HoldoutPredictions } from '../../../core/validation/predictions';
import { holdoutErrorsSection, type StepOutputs } from '../../../client/run-report';
import { tableRows } from '../../../client/report-tables';

/** A "model" that predicts class 0 when x < 0 and class 1 otherwise, confidently. */
function thresholdModel(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 2, inputShape: [1], activation: 'softmax', useBias: false }));
  model.setWeights([tf.tensor2d([[-50, 50]])]);
  return model;
}

/** A reader holding only validate's `predictions` checkpoint, as a run's StepOutputs would. */
function readerOf(predictions: ReturnType<typeof predictionsToArrow>): StepOutputs {
  const read = (step: string, output: string) =>
    Promise.resolve(step === 'validate' && output === 'predictions' ? predictions : null);
  return { read } as unknown as StepOutputs;
}

describe("validate's holdout predictions", () => {
  it('records the class predicted per holdout row, with its probability, from the scoring pass', async () => {
    const table = tableFromColumns({
      x: float64([-2, -1, 1, 2, -3, 3]),
      y: utf8(['no', 'no', 'yes', 'no', 'no', 'yes']),
    });
    const rows = Int32Array.from([0, 1, 2, 3, 4, 5]);
    const prep = fitPreprocessing(table, ['x'], 'y', rows);
    const model = thresholdModel();
    let recorded: HoldoutPredictions | undefined;
    const holdout = Int32Array.from([1, 2, 3, 5]);
    evaluateModel('candidate', null, model, prep, table, holdout, [], (p) => (recorded = p));
    model.dispose();
    const arrow = predictionsToArrow(recorded!);
    expect(arrow.schema.fields.map((f) => f.name)).toEqual(['row', 'actual', 'predicted', 'probability']);
    const rowsOut = tableRows(arrow);
    expect(rowsOut.map((r) => [r.row, r.actual, r.predicted])).toEqual([
      [1, 'no', 'no'],
      [2, 'yes', 'yes'],
      [3, 'no', 'yes'],
      [5, 'yes', 'yes'],
    ]);
    for (const r of rowsOut) expect(r.probability as number).toBeGreaterThan(0.99);

    // The card and the report draw the confusion matrix from it: one cell per (actual, predicted) pair.
    const section = await holdoutErrorsSection(readerOf(arrow));
    expect(section.paragraphs).toEqual(['3 of 4 holdout rows predicted right']);
    const svg = section.plots![0].svg;
    expect(svg).toMatch(/^<svg[^>]*>/);
    expect(svg).toContain('confusion matrix');
    // One rect per (actual, predicted) pair, labelled with its count: the misread 'no' stands out.
    for (const [predicted, actual, count] of [
      ['no', 'no', 1],
      ['yes', 'yes', 2],
      ['yes', 'no', 1],
    ])
      expect(svg).toContain(
        `aria-label="predicted: ${predicted}; actual: ${actual}; count: ${count}" role="graphics-symbol" aria-roledescription="rect mark"`,
      );
  });

  it('draws residuals for regression predictions', async () => {
    const arrow = predictionsToArrow({
      task: 'regression',
      rows: Int32Array.from([0, 1, 2]),
      actual: Float64Array.from([1, 2, 3]),
      predicted: Float64Array.from([1.5, 2, 2]),
    });
    expect(tableRows(arrow)).toEqual([
      { row: 0, actual: 1, predicted: 1.5 },
      { row: 1, actual: 2, predicted: 2 },
      { row: 2, actual: 3, predicted: 2 },
    ]);
    const section = await holdoutErrorsSection(readerOf(arrow));
    expect(section.plots![0].title).toContain('residuals');
    expect(section.plots![0].svg).toContain('residual');
  });

  it('says so when the run recorded no predictions', async () => {
    const section = await holdoutErrorsSection(null);
    expect(section.plots).toBeUndefined();
    expect(section.paragraphs).toEqual(['validate recorded no predictions in this run']);
  });
});
