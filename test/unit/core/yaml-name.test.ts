import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runDataChecks } from '../../../activities/data-checks';
import { parseCsv } from '../../../core/csv';
import { validateSpec } from '../../../core/spec/load';
import { yamlName } from '../../../core/yaml-name';

const NAMES = [
  'Unnamed: 0',
  'a # b',
  'yes',
  'null',
  '2024',
  ' x',
  'x ',
  '-x',
  '[a]',
  'a,b',
  "it's",
  'a\tb',
  '@x',
  '~',
];

describe('column names in hints are YAML-safe flow scalars (N3)', () => {
  it('reads every awkward name back unchanged in a flow list, a flow map and a block key; plain names stay plain', () => {
    for (const name of NAMES) {
      const y = yamlName(name);
      expect(
        (YAML.parse(`features: [{ drop: [${y}] }]`) as { features: [{ drop: string[] }] }).features[0].drop,
      ).toEqual([name]);
      expect(Object.keys(YAML.parse(`{ ${y}: { ignore: true } }`) as object)).toEqual([name]);
      expect(Object.keys(YAML.parse(`${y}:\n  ignore: true\n`) as object)).toEqual([name]);
    }
    expect(['sepal_length', 'Churn Reason', 'verkaufsfläche', 'mid-price'].map(yamlName)).toEqual([
      'sepal_length',
      'Churn Reason',
      'verkaufsfläche',
      'mid-price',
    ]);
  });

  it("prints a pandas index 'Unnamed: 0' quoted, and its drop hint pasted as printed passes the check", () => {
    const rows = Array.from(
      { length: 60 },
      (_, i) => `${i * 2},${(4 + (i % 7) / 10).toFixed(1)},${['a', 'b', 'c'][i % 3]}`,
    );
    const table = parseCsv(`Unnamed: 0,x,label\n${rows.join('\n')}\n`);
    const ids = (extra: Record<string, unknown>) =>
      runDataChecks({
        table,
        spec: validateSpec({
          name: 't',
          source: { uri: 'x.csv' },
          target: { column: 'label' },
          sanity: { minRows: 1 },
          ...extra,
        }),
        pinned: null,
        reference: { skipped: 'none' },
        origin: { runId: 'r1', dataSha256: 'abc', rows: 0 },
      }).failed.filter((r) => r.check === 'cardinality');
    const [found] = ids({});
    expect(found.column).toBe('Unnamed: 0');
    expect(found.expected).toContain("features: [{ drop: ['Unnamed: 0'] }]");
    expect(found.expected).toContain("sanity.schema.columns.'Unnamed: 0'.ignore: true");
    const printed = /features: (\[\{ drop: \[.*?\] \}\])/.exec(found.expected)![1];
    expect(ids({ features: YAML.parse(printed) as unknown })).toEqual([]);
  });
});
