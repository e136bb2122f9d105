import { describe, expect, it } from 'vitest';
import { runDataChecks } from '../../../activities/data-checks';
import { parseCsv } from '../../../core/csv';
import type { DataSchema } from '../../../core/data/data-schema';
import { validateSpec } from '../../../core/spec/load';

/**
 * Next month's file against the pinned schema: the label respelt (`Yes`/`No` → `1`/`0`), a column
 * renamed or added, a column switched to another unit. Each message names the data and a way on
 * that works as printed.
 */
const HEADER = ['tenure', 'contract', 'monthly', 'senior', 'paperless', 'churn'];
type Row = Record<string, string | number>;

/** A churn-like month: 120 rows, deterministic (a small LCG instead of Math.random). */
function month(seed: number): Row[] {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const contracts = ['Month-to-month', 'One year', 'Two year'];
  return Array.from({ length: 120 }, () => ({
    tenure: 1 + Math.floor(next() * 72),
    contract: contracts[Math.floor(next() * 3)],
    monthly: Math.round((20 + next() * 90) * 100) / 100,
    senior: next() < 0.25 ? 1 : 0,
    paperless: next() < 0.5 ? 'Yes' : 'No',
    churn: next() < 0.4 ? 'Yes' : 'No',
  }));
}

const csv = (rows: Row[], header = HEADER) =>
  parseCsv(`${header.join(',')}\n${rows.map((r) => header.map((h) => r[h]).join(',')).join('\n')}\n`);

const spec = (extra: Record<string, unknown> = {}) =>
  validateSpec({ name: 'ch', source: { uri: 'm.csv' }, target: { column: 'churn' }, ...extra });

const origin = { runId: 'r1', dataSha256: 'abc', rows: 120 };
const pinned: DataSchema = runDataChecks({
  table: csv(month(1)),
  spec: spec(),
  pinned: null,
  reference: { skipped: 'none' },
  origin,
}).inferred!;

const retrain = (rows: Row[], header = HEADER, extra: Record<string, unknown> = {}) =>
  runDataChecks({
    table: csv(rows, header),
    spec: spec(extra),
    pinned,
    reference: { skipped: 'none' },
    origin,
  }).failed;

describe('retrain on next month against the pinned schema', () => {
  it('month 2 in the same layout passes the schema checks', () => {
    expect(retrain(month(2)).filter((r) => r.check.startsWith('schema'))).toEqual([]);
  });

  it('a label respelt 1/0 names lines, values, the pinned classes and the ways on', () => {
    const rows = month(2).map((r) => ({ ...r, churn: r.churn === 'Yes' ? 1 : 0 }));
    const failed = retrain(rows).find((r) => r.check === 'schema_type')!;
    expect(failed.column).toBe('churn');
    const first = rows[0].churn;
    const other = rows.findIndex((r) => r.churn !== first);
    expect(failed.observed).toBe(
      `number (line 2, column 'churn': '${first}'; line ${other + 2}, column 'churn': '${1 - Number(first)}')`,
    );
    expect(failed.expected).toContain(
      "string (pinned classes: 'No', 'Yes'): the labels changed spelling ('No'/'Yes' → ",
    );
    expect(failed.expected).toContain(
      'map them back upstream, or accept the new layout: quiver schema reset ch',
    );
  });

  it('a feature respelt from text to numbers names its values and a setting that clears the check', () => {
    const rows = month(2).map((r) => ({ ...r, paperless: r.paperless === 'Yes' ? 1 : 0 }));
    const failed = retrain(rows).find((r) => r.check === 'schema_type')!;
    expect(failed.observed).toMatch(
      /^number \(line 2, column 'paperless': '[01]'; line \d+, column 'paperless': '[01]'\)$/,
    );
    expect(failed.expected).toContain("string (pinned categories: 'No', 'Yes'): write it as before upstream");
    expect(failed.expected).toContain('sanity.schema.columns.paperless.type: number');
    // The printed setting works.
    const accepted = retrain(rows, HEADER, {
      sanity: { schema: { columns: { paperless: { type: 'number' } } } },
    });
    expect(accepted.filter((r) => r.column === 'paperless')).toEqual([]);
  });

  it('a renamed column names the new name on both sides and what to do', () => {
    const header = ['tenure_months', ...HEADER.slice(1)];
    const rows = month(2).map(({ tenure, ...r }) => ({ ...r, tenure_months: tenure }));
    const failed = retrain(rows, header).filter((r) => r.check === 'schema_column');
    expect(failed.map((r) => `${r.column}: ${r.observed}; ${r.expected}`)).toEqual([
      "tenure: missing (columns: 'tenure_months', 'contract', 'monthly', 'senior', 'paperless', 'churn'; nearest 'tenure_months', a new column: renamed?); present: rename 'tenure_months' back to 'tenure' upstream, or accept the new layout: quiver schema reset ch (the next passing run pins the file's columns)",
      "tenure_months: unexpected column (number; 'tenure' renamed?); one of: 'tenure', 'contract', 'monthly', 'senior', 'paperless', 'churn': rename it back to 'tenure' upstream, or accept the new layout: quiver schema reset ch",
    ]);
  });

  it('an added column prints a train.features keep-list, and that keep-list clears the check', () => {
    const header = [...HEADER, 'discount'];
    const rows = month(2).map((r, i) => ({ ...r, discount: (i % 3) * 5 }));
    const failed = retrain(rows, header).filter((r) => r.check === 'schema_column');
    expect(failed).toHaveLength(1);
    expect(failed[0].observed).toBe('unexpected column (number), added since the schema was pinned');
    const keep = "train.features: ['tenure', 'contract', 'monthly', 'senior', 'paperless']";
    expect(failed[0].expected).toBe(
      `one of: 'tenure', 'contract', 'monthly', 'senior', 'paperless', 'churn': leave it out of the model (${keep}), remove it upstream, or accept the new layout: quiver schema reset ch (the model then reads it)`,
    );
    const features = ['tenure', 'contract', 'monthly', 'senior', 'paperless'];
    expect(retrain(rows, header, { train: { features } })).toEqual([]);
  });
});
