import { describe, expect, it } from 'vitest';
import { runDataChecks } from '../../../activities/data-checks';
import { parseCsv } from '../../../core/csv';
import { columnViews } from '../../../core/data/column-views';
import { checkColumns, inferSchema, nearestName, type DataSchema } from '../../../core/data/data-schema';
import { profileColumns } from '../../../core/data/profile';
import { describeRatio } from '../../../core/data/scale-shift';
import { validateSpec } from '../../../core/spec/load';
import { seededRandom } from '../../../bench/random';
import { checkAgainstSchema } from '../../support/data-checks';

/**
 * Next month's file against the pinned schema: the label respelt (`Yes`/`No` → `1`/`0`), a column
 * renamed or added, a column switched to another unit. Each message names the data and a way on
 * that works as printed.
 */
const HEADER = ['tenure', 'contract', 'monthly', 'senior', 'paperless', 'churn'];
type Row = Record<string, string | number>;

/** A churn-like month: 120 rows, deterministic (the benches' seeded generator, bench/random.ts). */
function month(seed: number): Row[] {
  const next = seededRandom(seed);
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
const pinned: DataSchema = checkAgainstSchema(csv(month(1)), spec(), null, origin).inferred!;

const retrain = (rows: Row[], header = HEADER, extra: Record<string, unknown> = {}) =>
  checkAgainstSchema(csv(rows, header), spec(extra), pinned, origin).failed;

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
      'map them back upstream, or accept the new labels: quiver schema reset ch and validate.allowClassChange: true',
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

  it('a numeric feature arriving as booleans or words names its values, the pinned range and the override', () => {
    const { min, max } = pinned.columns.senior;
    for (const [yes, no, type] of [
      ['TRUE', 'FALSE', 'boolean'],
      ['Yes', 'No', 'string'],
    ]) {
      const rows = month(2).map((r) => ({ ...r, senior: r.senior ? yes : no }));
      const failed = retrain(rows).find((r) => r.check === 'schema_type')!;
      const first = rows[0].senior;
      const other = rows.findIndex((r) => r.senior !== first);
      // A boolean column shows its values as read (`true`/`false`), whatever their spelling in the file.
      const read = (v: string | number) => (type === 'boolean' ? String(v).toLowerCase() : v);
      expect(failed.observed).toBe(
        `${type} (not a number: line 2, column 'senior': '${read(first)}'; line ${other + 2}, column 'senior': '${read(rows[other].senior)}')`,
      );
      expect(failed.expected).toBe(
        `number (pinned range [${min}, ${max}]): write it as before upstream, read it as ${type} (sanity.schema.columns.senior.type: ${type}), or accept the new layout: quiver schema reset ch (the next passing run pins it)`,
      );
      const accepted = retrain(rows, HEADER, { sanity: { schema: { columns: { senior: { type } } } } });
      expect(accepted.filter((r) => r.check.startsWith('schema'))).toEqual([]);
    }
  });

  it('a numeric target arriving as text is not offered a type override (that would make it classes)', () => {
    const schema = inferSchema(columnViews(parseCsv('x,y\n1,2.5\n2,3.5\n')), 0.1, {
      pipeline: 'p',
      inferredFrom: origin,
    });
    const [, y] = checkColumns(columnViews(parseCsv('x,y\n1,high\n2,3.5\n')), schema.columns, undefined, {
      label: 'y',
      pipeline: 'p',
    });
    expect(y.observed).toBe("string (not a number: row 0, column 'y': 'high')");
    expect(y.expected).toMatch(
      /^number \(pinned range \[[\d.]+, [\d.]+\]\): write the target as before upstream, or accept the new layout: quiver schema reset p \(the next passing run pins it\)$/,
    );
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

describe('a column that moved as a whole (a unit change)', () => {
  it('monthly in cents: says the whole column moved with the ratio, not drop/keep per row', () => {
    const rows = month(2).map((r) => ({ ...r, monthly: Math.round(Number(r.monthly) * 100) }));
    const failed = retrain(rows).find((r) => r.check === 'row_flags' && r.column === 'outOfRange')!;
    expect(failed.observed).toMatch(
      /^120 row\(s\) \(100\.00%\), e\.g\. line 2, column 'monthly': \d+ > max /,
    );
    const { min, max } = pinned.columns.monthly;
    expect(failed.expected).toContain(
      `none (policy fail); the whole column 'monthly' moved: 120 of 120 values (100.0%) outside the pinned [${min}, ${max}], median `,
    );
    expect(failed.expected).toContain('(≈ ×100): a unit or scale change? convert it back upstream (÷100)');
    expect(failed.expected).toContain('or accept the new scale: quiver schema reset ch');
    expect(failed.expected).not.toContain('maxFraction');
  });

  it('a few rows out of range keep the per-row remedies', () => {
    const rows = month(2).map((r, i) => (i < 3 ? { ...r, monthly: 500 } : r));
    const failed = retrain(rows).find((r) => r.check === 'row_flags' && r.column === 'outOfRange')!;
    expect(failed.expected).not.toContain('moved');
    expect(failed.expected).toContain('widen it');
  });

  it('ratios are named by their round unit factor when close to one', () => {
    expect(describeRatio(101.3)).toBe('≈ ×100');
    expect(describeRatio(37.4)).toBe('≈ ×37');
    expect(describeRatio(1 / 11.6)).toBe('≈ ÷12');
    expect(describeRatio(980)).toBe('≈ ×1000');
  });
});

describe('drift far beyond its threshold under the default onBreach: warn', () => {
  const views = columnViews(csv(month(1)));
  const reference = { profile: profileColumns(views, 10, null), version: 1 };
  const run = (rows: Row[], drift: Record<string, unknown> = {}) =>
    runDataChecks({ table: csv(rows), spec: spec({ sanity: { drift } }), pinned, reference, origin });

  it('tenure in years instead of months: the summary carries a loud warning, the run still passes', () => {
    const years = month(2).map((r) => ({ ...r, tenure: Math.round((Number(r.tenure) / 12) * 100) / 100 }));
    const outcome = run(years);
    expect(outcome.failed).toEqual([]);
    // (120 rows: other features may drift a little by chance; only tenure is far past its threshold.)
    expect(outcome.summary.drift).toMatch(/drifted: tenure \(psi \d+\.\d{4} > 0\.2\)/);
    expect(outcome.summary.driftWarning).toMatch(
      /^WARNING 'tenure' psi \d+\.\d\d is \d+× the threshold 0\.2: far beyond ordinary drift \(a unit, scale or meaning change\?\); drift\.onBreach is warn, so this run goes on to deploy: check the column, or set sanity\.drift\.onBreach: fail/,
    );
    // `fail` already stops the run: no warning on top of the failure.
    const strict = run(years, { onBreach: 'fail' });
    expect(strict.failed.map((r) => `${r.check}(${r.column})`)).toContain('drift(tenure)');
    expect(strict.summary.driftWarning).toBeUndefined();
  });

  it('an ordinary month has no warning', () => {
    expect(run(month(2)).summary.driftWarning).toBeUndefined();
  });
});

describe('nearestName: a renamed column', () => {
  it('finds a name that contains the old one as a word, not inside another word', () => {
    expect(nearestName('tenure', ['tenure_months', 'contract'])).toBe('tenure_months');
    expect(nearestName('tenure', ['tenureMonths'])).toBe('tenureMonths');
    expect(nearestName('monthly_charges', ['monthly'])).toBe('monthly');
    expect(nearestName('age', ['page_views', 'usage'])).toBeNull();
    expect(nearestName('lable', ['label', 'x'])).toBe('label');
  });
});
