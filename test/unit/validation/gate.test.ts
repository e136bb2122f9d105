import { describe, expect, it } from 'vitest';
import {
  gateMisses,
  type GateRules,
  type ModelEvaluation,
  type ValidationReport,
} from '../../../core/validation/gate';

const evaluation = (
  role: ModelEvaluation['role'],
  overall: Record<string, number>,
  slices: ModelEvaluation['slices'] = [],
): ModelEvaluation => ({ role, version: role === 'champion' ? 3 : null, rows: 30, overall, slices });

const rules = (extra: Partial<GateRules>): GateRules => ({
  min: {},
  max: {},
  maxRegression: {},
  slices: [],
  ...extra,
});

const report = (candidate: ModelEvaluation, champion: ModelEvaluation | null = null): ValidationReport => ({
  candidate,
  champion,
  championError: null,
});

describe('the champion/challenger gate', () => {
  it('passes a candidate that meets the minimums and has no champion', () => {
    const r = report(evaluation('candidate', { accuracy: 0.95, logLoss: 0.2 }));
    expect(
      gateMisses(r, rules({ min: { accuracy: 0.9 }, max: { logLoss: 0.5 }, maxRegression: { accuracy: 0 } })),
    ).toEqual([]);
  });

  it('names every missed minimum and maximum', () => {
    const r = report(evaluation('candidate', { accuracy: 0.8, logLoss: 0.7 }));
    expect(gateMisses(r, rules({ min: { accuracy: 0.9, auc: 0.8 }, max: { logLoss: 0.5 } }))).toEqual([
      'accuracy 0.8000 < min 0.9',
      'auc not computed (threshold min 0.8)',
      'logLoss 0.7000 > max 0.5',
    ]);
  });

  it('rejects a candidate worse than the champion by more than maxRegression, in each metric’s direction', () => {
    const champion = evaluation('champion', { accuracy: 0.96, logLoss: 0.1 });
    const worse = report(evaluation('candidate', { accuracy: 0.9, logLoss: 0.3 }), champion);
    expect(gateMisses(worse, rules({ maxRegression: { accuracy: 0.02, logLoss: 0.1 } }))).toEqual([
      'accuracy 0.9000 is 0.0600 worse than champion v3 (0.9600); maxRegression 0.02',
      'logLoss 0.3000 is 0.2000 worse than champion v3 (0.1000); maxRegression 0.1',
    ]);
    // Within the allowed regression, and better (lower) logLoss, passes.
    const close = report(evaluation('candidate', { accuracy: 0.95, logLoss: 0.05 }), champion);
    expect(gateMisses(close, rules({ maxRegression: { accuracy: 0.02, logLoss: 0 } }))).toEqual([]);
  });

  it('takes metric names from the report, so other tasks’ metrics gate the same way', () => {
    const champion = evaluation('champion', { rmse: 1.0, r2: 0.8 });
    const candidate = evaluation('candidate', { rmse: 1.5, r2: 0.85 });
    expect(gateMisses(report(candidate, champion), rules({ maxRegression: { rmse: 0.1, r2: 0 } }))).toEqual([
      'rmse 1.5000 is 0.5000 worse than champion v3 (1.0000); maxRegression 0.1',
    ]);
  });

  it('fails the regression check when the champion could not be scored, and only then', () => {
    const r: ValidationReport = {
      ...report(evaluation('candidate', { accuracy: 0.9 })),
      championError: 'v3: column gone',
    };
    expect(gateMisses(r, rules({ maxRegression: { accuracy: 0.01 } }))).toEqual([
      'champion could not be scored for the regression check: v3: column gone',
    ]);
    expect(gateMisses(r, rules({}))).toEqual([]);
  });

  it('gates per-slice minimums, skipping slices with fewer rows than the slice’s minRows', () => {
    const candidate = evaluation('candidate', { accuracy: 0.9 }, [
      { column: 'island', value: 'Biscoe', rows: 20, metrics: { accuracy: 0.95 } },
      { column: 'island', value: 'Dream', rows: 8, metrics: { accuracy: 0.6 } },
      { column: 'island', value: 'Torgersen', rows: 2, metrics: { accuracy: 0 } },
    ]);
    const slices = [{ column: 'island', min: { accuracy: 0.8 }, minRows: 5 }];
    expect(gateMisses(report(candidate), rules({ slices }))).toEqual([
      'slice island=Dream (8 rows): accuracy 0.6000 < min 0.8',
    ]);
  });
});
