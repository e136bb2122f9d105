import { tableFromArrays } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { locatorFrom } from '../../../core/sources/row-lines';
import { baselineAdvice, targetOutlier } from '../../../core/validation/baseline-advice';
import { baselineMiss } from '../../../core/validation/baseline';

/** 150 revenues around 300 and, on the last row, their total (BREAKER8 #3's spreadsheet Total row). */
const revenue = Array.from({ length: 150 }, (_, i) => 100 + ((i * 37) % 400));
const withTotal = Float64Array.from([...revenue, revenue.reduce((a, b) => a + b, 0)]);
const table = tableFromArrays({ revenue: withTotal });
const train = Int32Array.from({ length: 121 }, (_, i) => i + 30); // the total (row 150) in training
const holdout = Int32Array.from({ length: 30 }, (_, i) => i);
// Line 2 holds row 0 (the header is line 1).
const lines = locatorFrom('0:2');

describe('the baseline gate says what to look at before it offers to switch itself off (BREAKER8 #3, RECHECK7 #14)', () => {
  it('names the total row (line, value) when r2 is far below 0, before validate.beatBaseline: false', () => {
    const outlier = targetOutlier(table, 'revenue', [train, holdout]);
    expect(outlier?.row).toBe(150);
    const baseline = {
      metric: 'rmse' as const,
      value: 524.72,
      prediction: 'training mean 715.505',
      rows: 30,
    };
    const candidate = { rmse: 853.91, r2: -30.6072 };
    const miss = baselineMiss(
      candidate,
      baseline,
      baselineAdvice(candidate, baseline, 'revenue', outlier, lines),
    );
    expect(miss).toContain(
      "; r2 -30.6072 is far below 0 (a few huge errors): look for outliers or total rows in the target ('revenue' 44475 on line 152, ",
    );
    expect(miss).toContain('source.skipFooter: 1');
    expect(miss).toMatch(
      /; only if the model is truly fine as it is, set validate\.beatBaseline: false to skip this check$/,
    );
  });

  it('finds no outlier in ordinary targets, and gives no advice for a plain weak regression', () => {
    const plain = tableFromArrays({ revenue: Float64Array.from(revenue) });
    expect(targetOutlier(plain, 'revenue', [train.slice(0, 100), holdout])).toBeNull();
    const baseline = { metric: 'rmse' as const, value: 2, prediction: 'training mean 3', rows: 10 };
    expect(baselineAdvice({ rmse: 2.5, r2: -0.2 }, baseline, 'y', null, lines)).toBeNull();
    expect(baselineMiss({ rmse: 2.5 }, baseline, null)).toBe(
      'rmse 2.5000 does not beat the naive baseline (training mean 3: rmse 2.0000 on the same 10 holdout rows); set validate.beatBaseline: false to skip this check',
    );
  });

  it('names validate.min.auc for a binary task with an imbalanced majority judged by accuracy (bank: 75% no)', () => {
    const baseline = {
      metric: 'accuracy' as const,
      value: 0.7533,
      prediction: "majority class 'no'",
      rows: 150,
    };
    const candidate = { accuracy: 0.75, auc: 0.6772 };
    const miss = baselineMiss(candidate, baseline, baselineAdvice(candidate, baseline, 'y', null, lines));
    expect(miss).toContain(
      "the classes are imbalanced ('no' is 75.3% of the holdout), so accuracy rewards always answering it: gate on ranking instead with validate.min.auc: 0.7 (a level you choose; this model's auc is 0.6772; the baseline is then AUC 0.5)",
    );
    // Balanced, or multiclass (no AUC): nothing to add.
    expect(baselineAdvice(candidate, { ...baseline, value: 0.55 }, 'y', null, lines)).toBeNull();
    expect(baselineAdvice({ accuracy: 0.7 }, baseline, 'y', null, lines)).toBeNull();
    // Ranking no better than chance: no gate would pass it, so none is offered.
    expect(baselineAdvice({ accuracy: 0.55, auc: 0.45 }, baseline, 'y', null, lines)).toBeNull();
  });
});
