import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { parseCsv } from '../../../core/csv';
import { fitFeatures } from '../../../core/features/pipeline';
import { validateSpec } from '../../../core/spec/load';
import { checkTable } from '../../support/data-checks';

/**
 * BREAKER10 #13: the free-text hint's "hash it" exit, pasted as printed, must pass spec validation
 * and run in the features stage, beside other text inputs and a number with nulls.
 */
const STOCK = ['Data Analyst', 'Account Executive', 'Sales Representative', 'Product Manager', 'Nurse'];
const LEVELS = ['Junior', 'Senior', 'Lead', 'Principal'];
const ROLES = ['Data Analyst', 'DevOps Engineer', 'Account Executive', 'Designer', 'Recruiter'];
const TEAMS = [
  'Payments',
  'Search',
  'Mobile',
  'Platform',
  'Growth',
  'Billing',
  'Identity',
  'Ads',
  'Maps',
  'Cloud',
];

function staff(): string {
  const rows = Array.from({ length: 300 }, (_, i) => {
    const title =
      i % 9 < 5
        ? STOCK[i % 5]
        : `"${LEVELS[i % 4]} ${ROLES[Math.floor(i / 4) % 5]}, ${TEAMS[Math.floor(i / 20) % 10]}"`;
    const age = i % 17 === 0 ? '' : String(22 + ((i * 7) % 40));
    const dept = ['R&D', 'Sales', 'HR'][i % 3];
    return `${age},${title},${dept},${1 + (i % 4)},${i % 3 ? 'left' : 'stayed'}`;
  });
  return `Age,JobTitle,Department,JobSatisfaction,label\n${rows.join('\n')}\n`;
}

describe('the free-text hint prints a features list that runs as pasted', () => {
  it('names hashing with a real bucket count, and encodes and imputes the other inputs', async () => {
    const table = parseCsv(staff());
    const source = { uri: 'x.csv' };
    const failed = checkTable(table, source).failed.filter((r) => r.check === 'cardinality');
    expect(failed.map((r) => r.column)).toContain('JobTitle');
    const hint = failed.find((r) => r.column === 'JobTitle')!.expected;
    expect(hint).not.toContain('buckets: N');
    expect(hint).not.toContain('sentence');
    const snippet = /features: (\[\{.*\}\])/.exec(hint)![1];
    expect(snippet).toContain('{ encode: { columns: [JobTitle], method: hashing, buckets: 32 } }');
    expect(snippet).toContain('{ encode: { columns: [Department');
    expect(snippet).toContain('{ impute: { columns: [Age');
    const spec = validateSpec({
      name: 'hr',
      source,
      target: { column: 'label' },
      features: YAML.parse(snippet) as unknown,
    });
    const { output } = await fitFeatures({
      table,
      specs: spec.features!,
      target: 'label',
      task: 'classification',
      trainRows: Int32Array.from({ length: 300 }, (_, i) => i),
      inputSha256: 'test',
    });
    expect(output.numRows).toBe(300);
  });
});
