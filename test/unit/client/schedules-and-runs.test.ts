import { describe, expect, it } from 'vitest';
import { Table, vectorFromArray, Float64, Utf8 } from 'apache-arrow';
import { runListQuery } from '../../../client/run-list';
import { summarizeColumn } from '../../../client/run-compare';
import { scheduleSpec } from '../../../client/schedules';
import { trainingSamplesPerSecond } from '../../../activities/metrics';
import { SpecError } from '../../../core/errors';
import type { StepResult } from '../../../core/run-types';

describe('schedule timing', () => {
  it('turns --cron, --every and --jitter into a Temporal schedule spec', () => {
    expect(scheduleSpec({ cron: '0 3 * * *' })).toEqual({ cronExpressions: ['0 3 * * *'] });
    expect(scheduleSpec({ every: '6h', jitter: '5m' })).toEqual({
      intervals: [{ every: '6h' }],
      jitter: '5m',
    });
  });

  it('refuses missing, doubled or malformed timing, naming the flag', () => {
    expect(() => scheduleSpec({})).toThrow(SpecError);
    expect(() => scheduleSpec({ cron: '0 3 * * *', every: '1h' })).toThrow(/exactly one of --cron/);
    expect(() => scheduleSpec({ every: 'often' })).toThrow(/--every often: expected a duration/);
    expect(() => scheduleSpec({ every: '1h', jitter: 'x' })).toThrow(/--jitter x/);
    expect(() => scheduleSpec({ cron: '3 *' })).toThrow(/--cron '3 \*': expected 5 fields/);
    expect(() => scheduleSpec({ cron: '0 0 9 * * *' })).toThrow(
      /--cron '0 0 9 \* \* \*': 6 fields given; Quiver reads standard 5-field cron .* '0 9 \* \* \*' may be what you mean/,
    );
    expect(() => scheduleSpec({ cron: '@sometimes' })).toThrow(/unknown macro/);
    expect(() => scheduleSpec({ cron: '0 9 * * *', timezone: 'Mars/Olympus' })).toThrow(
      /--timezone 'Mars\/Olympus': not an IANA time zone/,
    );
  });

  it('takes a zone from --timezone or a CRON_TZ= prefix, so describe can show it', () => {
    expect(scheduleSpec({ cron: '0 9 * * *', timezone: 'Europe/Paris' })).toEqual({
      cronExpressions: ['0 9 * * *'],
      timezone: 'Europe/Paris',
    });
    expect(scheduleSpec({ cron: 'CRON_TZ=America/New_York 0 9 * * 1-5' })).toEqual({
      cronExpressions: ['0 9 * * 1-5'],
      timezone: 'America/New_York',
    });
  });
});

describe('runs ls query', () => {
  it('combines filters on Quiver search attributes and the schedule id', () => {
    expect(runListQuery({})).toBe('WorkflowType = "trainingPipeline"');
    expect(runListQuery({ pipeline: 'iris', status: 'completed', schedule: 'nightly' })).toBe(
      'WorkflowType = "trainingPipeline" AND QuiverPipeline = "iris" AND (ExecutionStatus = "Completed" OR (QuiverStatus = "COMPLETED" AND ExecutionStatus != "Running")) AND TemporalScheduledById = "nightly"',
    );
  });

  it('filters open states by a running execution, and terminated runs by Temporal’s status alone', () => {
    expect(runListQuery({ status: 'running' })).toBe(
      'WorkflowType = "trainingPipeline" AND QuiverStatus = "RUNNING" AND ExecutionStatus = "Running"',
    );
    expect(runListQuery({ status: 'terminated' })).toBe(
      'WorkflowType = "trainingPipeline" AND ExecutionStatus = "Terminated"',
    );
  });

  it('escapes quotes and refuses unknown statuses', () => {
    expect(runListQuery({ pipeline: 'a"b' })).toContain('QuiverPipeline = "a\\"b"');
    expect(() => runListQuery({ status: 'DONE' })).toThrow(/--status must be one of RUNNING, PAUSED/);
  });
});

describe('checkpoint column summaries', () => {
  it('gives min, max, mean and nulls for numbers, distinct values for strings', () => {
    const table = new Table({
      x: vectorFromArray([1, 2, null, 6], new Float64()),
      s: vectorFromArray(['a', 'b', 'a', null], new Utf8()),
    });
    expect(summarizeColumn(table.getChild('x')!)).toEqual({
      type: 'Float64',
      nulls: 1,
      min: 1,
      max: 6,
      mean: 3,
    });
    expect(summarizeColumn(table.getChild('s')!)).toEqual({
      type: 'Utf8',
      nulls: 1,
      distinct: 2,
      valueCounts: { a: 2, b: 1 },
    });
  });

  it('notices a renamed category even when the distinct count stays (setosa → Setosa)', () => {
    const species = (names: string[]) => new Table({ s: vectorFromArray(names, new Utf8()) }).getChild('s')!;
    const before = summarizeColumn(species(['setosa', 'setosa', 'versicolor', 'virginica']));
    const after = summarizeColumn(species(['Setosa', 'Setosa', 'versicolor', 'virginica']));
    expect(before.distinct).toBe(after.distinct);
    expect(after).not.toEqual(before);
    expect(after.valueCounts).toEqual({ Setosa: 2, versicolor: 1, virginica: 1 });
  });
});

describe('training throughput metric', () => {
  const result = (summary: StepResult['summary'], durationMs: number) =>
    ({ summary, durationMs }) as unknown as StepResult;

  it('is rows × epochs trained per second, counting only epochs this attempt ran', () => {
    expect(
      trainingSamplesPerSecond('train', result({ trainRows: 120, epochs: 60, resumedFromEpoch: 0 }, 2000)),
    ).toBe(3600);
    expect(
      trainingSamplesPerSecond('train', result({ trainRows: 120, epochs: 60, resumedFromEpoch: 50 }, 1000)),
    ).toBe(1200);
    expect(trainingSamplesPerSecond('ingest', result({ trainRows: 120, epochs: 60 }, 1000))).toBeNull();
  });
});
