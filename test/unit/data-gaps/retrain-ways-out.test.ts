import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../core/csv';
import type { DataSchema } from '../../../core/data/data-schema';
import { suggestedMaxFraction } from '../../../core/data/row-flags';
import { validateSpec } from '../../../core/spec/load';
import { seededRandom } from '../../../bench/random';
import { checkAgainstSchema } from '../../support/data-checks';

/**
 * Next month's customer file against the pinned schema (BREAKER10 #4, #5, #20, #16): every way out
 * a message prints names the real column and values, and works when pasted.
 */
const HEADER = ['tenure', 'plan', 'zip', 'monthly', 'promo', 'churn'];
type Row = Record<string, string | number>;

/** 200 customers, deterministic; zips from the east (`02134`) and west (`94103`). */
function month(seed: number, edit: (row: Row, i: number) => Row = (r) => r): Row[] {
  const next = seededRandom(seed);
  const plans = ['basic', 'plus', 'pro'];
  const zips = ['02134', '01002', '10001', '94103', '97201'];
  const promos = ['NONE', 'SPRING', 'WELCOME'];
  return Array.from({ length: 200 }, (_, i) =>
    edit(
      {
        tenure: 1 + Math.floor(next() * 72),
        plan: plans[Math.floor(next() * 3)],
        zip: zips[i % 5],
        monthly: Math.round((20 + next() * 90) * 100) / 100,
        promo: promos[Math.floor(next() * 3)],
        churn: next() < 0.4 ? 'Yes' : 'No',
      },
      i,
    ),
  );
}

const csv = (rows: Row[], header = HEADER, options = {}) =>
  parseCsv(
    `${header.join(',')}\n${rows.map((r) => HEADER.map((h) => r[h]).join(',')).join('\n')}\n`,
    options,
  );

const spec = (extra: Record<string, unknown> = {}) =>
  validateSpec({ name: 'cA', source: { uri: 'm.csv' }, target: { column: 'churn' }, ...extra });

const origin = { runId: 'r1', dataSha256: 'abc', rows: 200 };
const pinned: DataSchema = checkAgainstSchema(csv(month(1)), spec(), null, origin).inferred!;

const retrain = (
  rows: Row[],
  extra: { source?: { uri: string; columnTypes: Record<string, 'string'> } } & Record<string, unknown> = {},
  header = HEADER,
) =>
  checkAgainstSchema(
    csv(rows, header, { columnTypes: extra.source?.columnTypes }),
    spec(extra),
    pinned,
    origin,
  ).failed;

describe('retrain ways out name real columns and values, and work when pasted', () => {
  it('the pinned zip is text for its leading zeros', () => {
    expect(pinned.columns.zip.type).toBe('string');
    expect(pinned.columns.zip.note).toContain('leading zeros');
  });

  it('#4: zips with no leading zero next month name source.columnTypes, never type: number', () => {
    const west = month(2, (r, i) => ({ ...r, zip: ['94103', '97201', '98101'][i % 3] }));
    const failed = retrain(west).filter((r) => r.check === 'schema_type');
    expect(failed.map((r) => r.column)).toEqual(['zip']);
    expect(failed[0].expected).toContain('source.columnTypes: { zip: string }');
    expect(failed[0].expected).toContain('leading zeros');
    expect(failed[0].expected).not.toContain('type: number');
    // Pasted, it passes the schema checks.
    const pasted = retrain(west, { source: { uri: 'm.csv', columnTypes: { zip: 'string' } } });
    expect(pasted.filter((r) => r.check === 'schema_type')).toEqual([]);
  });

  it('#5: a column empty on every row is "all null", with no number type or median offered', () => {
    const empty = month(2, (r) => ({ ...r, promo: '' }));
    const failed = retrain(empty).find((r) => r.check === 'schema_type')!;
    expect(failed.column).toBe('promo');
    expect(failed.observed).toBe('all null (empty on every one of 200 rows)');
    expect(failed.expected).toContain("(was 'NONE', 'SPRING', 'WELCOME')");
    expect(failed.expected).toContain('empty on every row of this file');
    expect(failed.expected).toContain('train.features');
    expect(failed.expected).not.toContain('type: number');
    const nulls = retrain(empty).find((r) => r.check === 'null_fraction' && r.column === 'promo')!;
    expect(nulls.observed).toBe('1.0000 (all null: empty on every row)');
    expect(nulls.expected).toContain('leave it out of the model (train.features: a keep-list without promo)');
    expect(nulls.expected).not.toContain('median');
    // Pasted (a keep-list without promo), nothing about promo fails any more (RECHECK10 N1).
    const kept = retrain(empty, { train: { features: ['tenure', 'plan', 'zip', 'monthly'] } });
    expect(kept.map((r) => `${r.check}(${r.column}): ${r.observed}`)).toEqual([]);
  });

  it('a suggested maxFraction is strictly above the observed share', () => {
    expect(suggestedMaxFraction(0.06)).toBe(0.07);
    expect(suggestedMaxFraction(18 / 300)).toBe(0.07);
    expect(suggestedMaxFraction(0.363)).toBe(0.37);
    expect(suggestedMaxFraction(0.01)).toBe(0.05);
  });

  it('#5: nullForbidden names the column and offers no drop exit for most of the file', () => {
    const empty = month(2, (r) => ({ ...r, tenure: '' }));
    const flags = retrain(empty).find((r) => r.check === 'row_flags' && r.column === 'nullForbidden')!;
    expect(flags.expected).toContain('sanity.schema.columns.tenure.nullable: true');
    expect(flags.expected).not.toContain('<column>');
    expect(flags.expected).not.toContain('policy: drop');
    expect(flags.expected).toContain('tenure is all null (empty on every row of this file)');
    // A few nulls keep the drop exit, above the observed share.
    const few = month(2, (r, i) => ({ ...r, tenure: i < 6 ? '' : r.tenure }));
    const some = retrain(few).find((r) => r.check === 'row_flags' && r.column === 'nullForbidden')!;
    expect(some.expected).toContain('sanity.flags.nullForbidden: { policy: drop, maxFraction: 0.05 }');
  });

  it('#20: a new category names the column and the full list; pasted, it passes', () => {
    const newPlan = month(2, (r, i) => ({ ...r, plan: i % 16 === 0 ? 'enterprise' : r.plan }));
    const flags = retrain(newPlan).find((r) => r.check === 'row_flags' && r.column === 'unseenCategory')!;
    expect(flags.expected).not.toContain('<column>');
    expect(flags.expected).not.toContain('[...]');
    expect(flags.expected).toContain('sanity.schema.columns.plan.categories: [basic, plus, pro, enterprise]');
    expect(flags.expected).toContain('a categories list replaces the pinned one');
    const pasted = retrain(newPlan, {
      sanity: { schema: { columns: { plan: { categories: ['basic', 'plus', 'pro', 'enterprise'] } } } },
    });
    expect(pasted.filter((r) => r.check === 'row_flags')).toEqual([]);
  });

  it('#20: a list that replaced the pinned one offers no drop of most rows, and names the list to restore', () => {
    const newPlan = month(2, (r, i) => ({ ...r, plan: i % 16 === 0 ? 'enterprise' : r.plan }));
    const replaced = retrain(newPlan, {
      sanity: { schema: { columns: { plan: { categories: ['enterprise'] } } } },
    });
    const flags = replaced.find((r) => r.check === 'row_flags' && r.column === 'unseenCategory')!;
    expect(flags.expected).not.toContain('policy: drop');
    expect(flags.expected).toContain('sanity.schema.columns.plan.categories: [enterprise, ');
  });

  it('#16: a header re-cased as a whole is one failure naming the change and the target', () => {
    const title = HEADER.map((h) => h[0].toUpperCase() + h.slice(1));
    const failed = retrain(month(2), {}, title);
    const schema = failed.filter((r) => r.check === 'schema_column' || r.check === 'label_present');
    expect(schema.map((r) => `${r.check}(${r.column})`)).toEqual(['schema_column(*)']);
    expect(schema[0].observed).toBe(
      "every column name changed case: 'tenure' → 'Tenure', 'plan' → 'Plan', 'zip' → 'Zip', 'monthly' → 'Monthly' and 2 more (6 columns); the target 'churn' is now 'Churn'",
    );
    expect(schema[0].expected).toContain('rename upstream');
    expect(schema[0].expected).toContain('quiver schema reset cA and target.column: Churn');
    // One column renamed by case alone keeps its own message.
    const one = retrain(
      month(2),
      {},
      HEADER.map((h) => (h === 'plan' ? 'Plan' : h)),
    );
    expect(one.filter((r) => r.check === 'schema_column').map((r) => r.column)).toEqual(['plan', 'Plan']);
  });
});
