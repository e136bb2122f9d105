import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../core/csv';
import { SpecError } from '../../../core/errors';
import { chooseTask, resolveTask } from '../../../core/model/task';
import { validateSpec } from '../../../core/spec/load';
import { classCoverageMisses } from '../../../core/validation/class-coverage';
import { gateMisses } from '../../../core/validation/gate';
import { notComputedNote } from '../../../core/validation/task-metrics';

const base = { name: 't', source: { uri: 'x.csv' }, target: { column: 'y' } };
const specError = (raw: unknown): string => {
  try {
    validateSpec(raw);
  } catch (error) {
    if (error instanceof SpecError) return error.message;
    throw error;
  }
  return 'no error';
};

describe('validate refuses to judge a classifier on classes it cannot see (#8, #9)', () => {
  it('names the classes the holdout lacks instead of reporting perfect scores', () => {
    const misses = classCoverageMisses({
      candidate: ['setosa', 'versicolor', 'virgi'],
      holdout: new Set(['setosa', 'versicolor']),
      champion: null,
    });
    expect(misses).toHaveLength(1);
    expect(misses[0]).toMatch(/^holdout has no row of class\(es\) 'virgi' the model was trained on/);
  });

  it('fails a candidate whose classes differ from the champion, naming missing and new ones', () => {
    const misses = classCoverageMisses({
      candidate: ['setosa', 'versicolor', 'x'],
      holdout: new Set(['setosa', 'versicolor', 'x']),
      champion: { version: 4, classes: ['setosa', 'versicolor', 'virginica'] },
    });
    expect(misses).toEqual([
      "classes differ from champion v4: missing 'virginica' (the candidate can never predict them), new 'x'; " +
        'if the change is intended, set validate.allowClassChange: true',
    ]);
    expect(
      classCoverageMisses({
        candidate: ['a', 'b'],
        holdout: new Set(['a', 'b']),
        champion: { version: 1, classes: ['b', 'a'] },
      }),
    ).toEqual([]);
  });
});

describe('gate thresholds on metrics the task does not compute (#24, #6)', () => {
  const report = {
    candidate: {
      role: 'candidate' as const,
      version: null,
      rows: 30,
      overall: { r2: 0.4, rmse: 3.1 },
      slices: [],
    },
    champion: null,
    championError: null,
  };

  it('a max on a metric not computed fails like a min does', () => {
    const misses = gateMisses(report, { min: {}, max: { logLoss: 0.5 }, maxRegression: {}, slices: [] });
    expect(misses).toEqual(['logLoss not computed (threshold max 0.5)']);
    expect(notComputedNote(misses, 'regression', ['r2', 'rmse'])).toEqual([
      "the candidate is a regression model, which computed r2, rmse (see the train step's taskReason; set target.task to choose)",
    ]);
  });

  it('a declared task with a threshold on the other task’s metric fails the spec, naming the field', () => {
    expect(
      specError({ ...base, target: { column: 'y', task: 'classification' }, validate: { max: { rmse: 1 } } }),
    ).toContain(
      'validate.max.rmse: rmse is not computed for target.task: classification (it computes accuracy, macroF1, auc, logLoss)',
    );
    expect(
      specError({
        ...base,
        target: { column: 'y', task: 'regression' },
        validate: { min: { accuracy: 0.9 } },
      }),
    ).toContain('validate.min.accuracy');
    expect(specError({ ...base, validate: { max: { rmse: 1 }, min: { accuracy: 0.9 } } })).toBe('no error');
  });
});

describe('auto task: class codes stay classes, and the choice says why (#6)', () => {
  const codes = Array.from({ length: 100 }, (_, i) => `${(i * 0.37).toFixed(2)},${(i % 25) + 1}`);
  const table = parseCsv(`x,category_id,count\n${codes.map((r, i) => `${r},${(i % 25) + 1}`).join('\n')}\n`);

  it('classifies 25 integer codes in a target named like a class code', () => {
    expect(chooseTask(table, 'category_id')).toEqual({
      task: 'classification',
      reason:
        "auto: 'category_id' holds 25 distinct integers and is named like a class code; set target.task: regression if they are a quantity",
    });
  });

  it('regresses the same integers under another name, and says how to choose classification', () => {
    expect(resolveTask(table, 'count')).toBe('regression');
    expect(chooseTask(table, 'count').reason).toBe(
      "auto: 'count' holds more than 20 distinct integers, read as a quantity; set target.task: classification if they are class codes",
    );
    expect(chooseTask(table, 'count', 'classification').reason).toBe(
      'declared (target.task: classification)',
    );
  });
});
