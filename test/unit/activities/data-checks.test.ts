import { describe, expect, it } from 'vitest';
import { runDataChecks } from '../../../activities/data-checks';
import { parseCsv } from '../../../core/csv';
import { columnViews } from '../../../core/data/column-views';
import { profileColumns } from '../../../core/data/profile';
import { validateSpec } from '../../../core/spec/load';

const origin = { runId: 'r1', dataSha256: 'abc', rows: 6 };
const data = parseCsv('x,color,label\n1,red,a\n2,blue,b\n3,red,a\n4,blue,b\n5,red,a\n6,blue,b\n');
const spec = (sanity: Record<string, unknown> = {}) =>
  validateSpec({
    name: 't',
    source: { uri: 'x.csv' },
    target: { column: 'label' },
    sanity: { minRows: 1, ...sanity },
  });
const noReference = { skipped: 'no production model t' };
const failedNames = (report: { check: string; column: string; passed: boolean }[]) =>
  report.filter((r) => !r.passed).map((r) => `${r.check}(${r.column})`);

describe('runDataChecks', () => {
  it('infers a schema to pin when none is pinned, and passes the data it came from', () => {
    const outcome = runDataChecks({
      table: data,
      spec: spec(),
      pinned: null,
      reference: noReference,
      origin,
    });
    expect(outcome.failed).toEqual([]);
    expect(outcome.inferred?.columns.x).toEqual({ type: 'number', nullable: false, min: 0.5, max: 6.5 });
    expect(outcome.inferred?.inferredFrom).toEqual(origin);
    expect(outcome.clean).toBeNull();
    expect(outcome.summary).toMatchObject({
      schema: 'inferred',
      flaggedRows: 0,
      drift: 'skipped (no production model t)',
    });
    expect(outcome.profile.numRows).toBeGreaterThan(0);
    expect(outcome.drift.get(0)!.toJSON()).toMatchObject({ metric: 'skipped' });
  });

  it('checks later data against the pinned schema, with the spec overriding a field', () => {
    const pinned = runDataChecks({
      table: data,
      spec: spec(),
      pinned: null,
      reference: noReference,
      origin,
    }).inferred!;
    const later = parseCsv('x,color,label\n1,red,a\n9,green,b\n3,red,a\n');
    const outcome = runDataChecks({ table: later, spec: spec(), pinned, reference: noReference, origin });
    expect(outcome.inferred).toBeNull();
    expect(failedNames(outcome.report)).toEqual(['row_flags(outOfRange)', 'row_flags(unseenCategory)']);
    const relaxed = spec({
      schema: { columns: { x: { max: 10 }, color: { categories: ['red', 'blue', 'green'] } } },
    });
    expect(
      runDataChecks({ table: later, spec: relaxed, pinned, reference: noReference, origin }).failed,
    ).toEqual([]);
  });

  it('drops flagged rows under `drop`, so the column checks and the profile see the cleaned rows', () => {
    const pinned = runDataChecks({
      table: data,
      spec: spec(),
      pinned: null,
      reference: noReference,
      origin,
    }).inferred!;
    const later = parseCsv('x,color,label\n1,red,a\n90,blue,b\n3,red,a\n4,blue,b\n');
    const outcome = runDataChecks({
      table: later,
      spec: spec({ flags: { outOfRange: { policy: 'drop', maxFraction: 0.5 } }, ranges: { x: { max: 10 } } }),
      pinned,
      reference: noReference,
      origin,
    });
    expect(outcome.failed).toEqual([]);
    expect(outcome.clean?.numRows).toBe(3);
    expect(outcome.summary).toMatchObject({ droppedRows: 1, flaggedRows: 1 });
    expect(outcome.flags.toArray().map((r) => [r.row, r.action])).toEqual([[1, 'dropped']]);
    const profiled = outcome.profile.toArray().find((r) => r.feature === 'x');
    expect([profiled.rows, profiled.max]).toEqual([3, 4]);
  });

  it('adds one report row per feature when drift fails runs, and none when it warns', () => {
    const reference = { profile: profileColumns(columnViews(data), 4, null), version: 3 };
    const shifted = parseCsv('x,color,label\n5,red,a\n6,red,b\n6,red,a\n6,red,b\n5,red,a\n6,red,b\n');
    const failing = runDataChecks({
      table: shifted,
      spec: spec({ drift: { onBreach: 'fail' } }),
      pinned: null,
      reference,
      origin,
    });
    expect(failedNames(failing.report)).toEqual(['drift(x)', 'drift(color)']);
    const warning = runDataChecks({ table: shifted, spec: spec(), pinned: null, reference, origin });
    expect(warning.failed).toEqual([]);
    expect(warning.summary.drift).toMatch(
      /^2 feature\(s\) drifted: x \(psi \d+\.\d{4} > 0\.2\), color \(linf \d\.\d{4} > 0\.1\)$/,
    );
    const unchanged = runDataChecks({ table: data, spec: spec(), pinned: null, reference, origin });
    expect(unchanged.summary.drift).toBe('none vs version 3');
  });
});
