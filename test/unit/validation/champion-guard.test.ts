import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../core/csv';
import {
  championGuardMisses,
  championOnSameRows,
  holdoutSizeNote,
} from '../../../core/validation/champion-guard';
import type { ModelEvaluation, ValidationReport } from '../../../core/validation/gate';

const evaluation = (
  role: ModelEvaluation['role'],
  overall: Record<string, number>,
  rows = 8,
): ModelEvaluation => ({
  role,
  version: role === 'champion' ? 1 : null,
  rows,
  overall,
  slices: [],
});
// BREAKER9 #23: a 40-row extract, 8 holdout rows; accuracy ties, everything else collapses.
const candidate = evaluation('candidate', { accuracy: 0.875, macroF1: 0.4667, logLoss: 0.5613, auc: 0.1429 });
const champion = evaluation('champion', { accuracy: 0.875, macroF1: 0.7949, logLoss: 0.2185, auc: 1 });
const report = (champ: ModelEvaluation | null, championError: string | null = null): ValidationReport => ({
  candidate,
  champion: champ,
  championError,
});

describe('champion guard (default champion/challenger)', () => {
  it('keeps production on a champion the candidate is clearly worse than, naming both scores and the exits', () => {
    const [miss, ...rest] = championGuardMisses(report(champion), { maxRegression: {} });
    expect(rest).toEqual([]);
    expect(miss).toContain('candidate clearly worse than champion v1 on the same 8 holdout rows');
    expect(miss).toContain('auc 0.1429 vs 1.0000, macroF1 0.4667 vs 0.7949');
    expect(miss).toContain('keeps production on v1');
    expect(miss).toContain('validate.championGuard: false');
    expect(miss).toContain('validate.maxRegression: { auc: 1, macroF1: 1 }');
  });

  it('passes without a champion, when switched off, when maxRegression bounds the metrics, or within 0.2', () => {
    expect(championGuardMisses(report(null), { maxRegression: {} })).toEqual([]);
    expect(championGuardMisses(report(champion, 'no model'), { maxRegression: {} })).toEqual([]);
    expect(championGuardMisses(report(champion), { maxRegression: {}, championGuard: false })).toEqual([]);
    expect(championGuardMisses(report(champion), { maxRegression: { auc: 1, macroF1: 0.5 } })).toEqual([]);
    const close = evaluation('champion', { accuracy: 0.9, macroF1: 0.6, auc: 0.3 });
    expect(championGuardMisses(report(close), { maxRegression: {} })).toEqual([]);
  });

  it("the baseline gate's note names the champion's scores on the same rows and the safer exits", () => {
    expect(championOnSameRows(report(null))).toBeNull();
    expect(championOnSameRows(report(champion))).toBe(
      'champion v1 on the same 8 holdout rows: accuracy 0.8750, macroF1 0.7949, logLoss 0.2185, auc 1.0000; ' +
        'rather than validate.beatBaseline: false, judge the candidate against it (validate.maxRegression) or by a metric that ranks (validate.min.auc)',
    );
  });
});

describe('holdout too small to judge', () => {
  const labels = (yes: number, no: number) =>
    parseCsv(`x,y\n${[...Array(yes).fill('1,Yes'), ...Array(no).fill('2,No')].join('\n')}\n`);
  const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

  it('says so below 30 rows or 10 rows of a class, with the settings that tune it', () => {
    const note = holdoutSizeNote(labels(1, 7), 'y', all(8), 'classification', { maxRegression: {} });
    expect(note).toBe(
      "holdout too small to judge a model: 8 rows (validate.minHoldoutRows: 30); class 'Yes' 1 row(s), class 'No' 7 row(s) " +
        '(validate.minHoldoutClassRows: 10); its metrics can swing by 0.1 or more on one row: score more rows (a larger file, or a larger split.holdout)',
    );
    expect(holdoutSizeNote(labels(10, 10), 'y', all(20), 'regression', { maxRegression: {} })).toMatch(
      /20 rows/,
    );
  });

  it('is silent for an iris-sized holdout (30 rows, 10 per class) and configurable', () => {
    expect(holdoutSizeNote(labels(15, 15), 'y', all(30), 'classification', { maxRegression: {} })).toBeNull();
    const small = { maxRegression: {}, minHoldoutRows: 5, minHoldoutClassRows: 1 };
    expect(holdoutSizeNote(labels(1, 7), 'y', all(8), 'classification', small)).toBeNull();
  });
});
