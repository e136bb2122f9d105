import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../core/csv';
import type { DataSchema } from '../../../core/data/data-schema';
import { validateSpec } from '../../../core/spec/load';
import { classCoverageMisses } from '../../../core/validation/class-coverage';
import { seededRandom } from '../../../bench/random';
import { checkAgainstSchema } from '../../support/data-checks';

/**
 * Next month's labels or categories differ from the pinned ones only by case, spacing or Unicode
 * form (`yes` for `Yes`): the messages say so and send the fix upstream, never offering to accept
 * the respelling as new categories or a class change (breaker 9 #36).
 */
const HEADER = ['tenure', 'contract', 'churn'];
type Row = Record<string, string | number>;

function month(seed: number): Row[] {
  const next = seededRandom(seed);
  const contracts = ['Month-to-month', 'One year', 'Two year'];
  return Array.from({ length: 120 }, () => ({
    tenure: 1 + Math.floor(next() * 72),
    contract: contracts[Math.floor(next() * 3)],
    churn: next() < 0.4 ? 'Yes' : 'No',
  }));
}

const csv = (rows: Row[]) =>
  parseCsv(`${HEADER.join(',')}\n${rows.map((r) => HEADER.map((h) => r[h]).join(',')).join('\n')}\n`);
const spec = validateSpec({ name: 'ch', source: { uri: 'm.csv' }, target: { column: 'churn' } });
const origin = { runId: 'r1', dataSha256: 'abc', rows: 120 };
const pinned: DataSchema = checkAgainstSchema(csv(month(1)), spec, null, origin).inferred!;
const retrain = (rows: Row[]) => checkAgainstSchema(csv(rows), spec, pinned, origin).failed;

describe('labels and categories respelt since the schema was pinned', () => {
  it('lower-case labels: unseenCategory names the case change and only the upstream fix', () => {
    const rows = month(2).map((r) => ({ ...r, churn: String(r.churn).toLowerCase() }));
    const failed = retrain(rows).filter((r) => r.check === 'row_flags');
    expect(failed.map((r) => r.column)).toEqual(['unseenCategory']);
    const [flag] = failed;
    expect(flag.observed).toContain(
      `line 2, column 'churn': '${rows[0].churn}' is not a known category (pinned '${month(2)[0].churn}': respelt)`,
    );
    const first = rows[0].churn === 'yes' ? "'Yes' → 'yes', 'No' → 'no'" : "'No' → 'no', 'Yes' → 'yes'";
    expect(flag.expected).toBe(
      `none (policy fail); the labels of 'churn' changed case (${first}): map them back upstream ` +
        '(a model trained on them would answer the new spelling where callers test the pinned one)',
    );
    expect(flag.expected).not.toContain('categories: [');
    expect(flag.expected).not.toContain('policy: drop');
  });

  it('a feature respelt (spacing, full-width) beside a truly new value keeps the per-row exits', () => {
    const rows = month(2).map((r, i) => ({
      ...r,
      contract:
        i === 5
          ? 'Weekly'
          : r.contract === 'One year'
            ? 'One  year'
            : r.contract === 'Two year'
              ? 'Ｔｗｏ year'
              : r.contract,
    }));
    const flag = retrain(rows).find((r) => r.column === 'unseenCategory')!;
    expect(flag.expected).toContain('sanity.schema.columns.contract.categories: any');
    expect(flag.expected).toMatch(
      /the values of 'contract' changed (spacing|Unicode form \(NFKC\)) \/ (spacing|Unicode form \(NFKC\)) \(/,
    );
    expect(flag.expected).toContain("'One year' → 'One  year'");
    expect(flag.expected).toContain("'Two year' → 'Ｔｗｏ year'");
    expect(flag.expected).toContain('1 other unseen value(s) there are new, not respelt');
  });

  it("validate's class-set gate calls a pure respelling one and does not offer allowClassChange", () => {
    const misses = classCoverageMisses({
      candidate: ['no', 'yes'],
      holdout: new Set(['no', 'yes']),
      champion: { version: 1, classes: ['No', 'Yes'] },
    });
    expect(misses).toEqual([
      "classes differ from champion v1 only in spelling: the labels changed case ('No' → 'no', 'Yes' → 'yes'): " +
        'map them back upstream; a model trained on them would answer the new spelling where callers of v1 test the old one',
    ]);
    const mixed = classCoverageMisses({
      candidate: ['maybe', 'no', 'Yes'],
      holdout: new Set(['maybe', 'no', 'Yes']),
      champion: { version: 2, classes: ['No', 'Yes'] },
    });
    expect(mixed[0]).toContain("missing 'No'");
    expect(mixed[0]).toContain("new 'maybe', 'no', of which respelt: 'No' → 'no' (map those back upstream)");
    expect(mixed[0]).toContain('validate.allowClassChange: true');
  });
});
