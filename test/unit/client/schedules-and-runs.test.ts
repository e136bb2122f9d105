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
    expect(() => scheduleSpec({ cron: '3 *' })).toThrow(/--cron 3 \*: expected 5 fields/);
  });
});

describe('runs ls query', () => {
  it('combines filters on Quiver search attributes and the schedule id', () => {
    expect(runListQuery({})).toBe('WorkflowType = "trainingPipeline"');
    expect(runListQuery({ pipeline: 'iris', status: 'completed', schedule: 'nightly' })).toBe(
      'WorkflowType = "trainingPipeline" AND QuiverPipeline = "iris" AND QuiverStatus = "COMPLETED" AND TemporalScheduledById = "nightly"',
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
    expect(summarizeColumn(table.getChild('s')!)).toEqual({ type: 'Utf8', nulls: 1, distinct: 2 });
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
