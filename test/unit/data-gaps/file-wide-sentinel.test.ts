import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runDataChecks } from '../../../activities/data-checks';
import { parseCsv } from '../../../core/csv';
import { validateSpec } from '../../../core/spec/load';

const sentinels = (csv: string, target: string, source: Record<string, unknown> = {}) =>
  runDataChecks({
    table: parseCsv(csv, source),
    spec: validateSpec({
      name: 't',
      source: { uri: 'x.csv', ...source },
      target: { column: target },
      sanity: { minRows: 1 },
    }),
    pinned: null,
    reference: { skipped: 'none' },
    origin: { runId: 'r1', dataSha256: 'abc', rows: 0 },
  }).failed.filter((r) => r.check === 'sentinel');

/** 240 rows in UCI AirQuality's layout (`;`, decimal `,`): -200 = no data, on every column of every 20th row, and more in CO(GT). */
function airQuality(): string {
  const rows = Array.from({ length: 240 }, (_, i) => {
    const gone = i % 20 === 7;
    const co = gone || i % 9 === 4 ? '-200' : `${1 + (i % 30) / 10}`.replace('.', ',');
    const s1 = gone ? '-200' : `${1000 + ((i * 37) % 400)}`;
    const t = gone ? '-200' : `${10 + ((i * 13) % 200) / 10}`.replace('.', ',');
    const rh = gone ? '-200' : `${30 + ((i * 7) % 50)}`;
    return `${co};${s1};${t};${rh}`;
  });
  return `CO(GT);PT08.S1(CO);T;RH\n${rows.join('\n')}\n`;
}

describe('a value far outside every column holding it is a file-wide "no data" code (BREAKER9 #13)', () => {
  it("fails once, naming the other columns, and offers source.nullValues: ['', '-200']", () => {
    const found = sentinels(airQuality(), 'PT08.S1(CO)', { delimiter: ';', decimal: ',' });
    expect(found).toHaveLength(1);
    expect(found[0].column).toBe('CO(GT)');
    expect(found[0].observed).toMatch(/^-200 on \d+ rows \(lines /);
    expect(found[0].observed).toContain(
      "every other column holding it: 'PT08.S1(CO)' (12 rows), 'T' (12 rows), 'RH' (12 rows)",
    );
    expect(found[0].observed).toContain('a file-wide "no data" code');
    expect(found[0].expected).toContain("source.nullValues: ['', '-200']");
    expect(found[0].expected).not.toContain('legitimate');
    expect(found[0].expected).not.toContain('derive');
  });

  it('with nullValues set as offered, no sentinel is left', () => {
    expect(
      sentinels(airQuality(), 'PT08.S1(CO)', { delimiter: ';', decimal: ',', nullValues: ['', '-200'] }),
    ).toEqual([]);
  });

  it("calls a value legitimate only inside a column's range, and quotes names in the derive it prints", () => {
    // 'CO(GT)' uses -200 as a code; 'delta' (-500 … 500) holds -200 as a real value.
    const rows = Array.from({ length: 200 }, (_, i) => {
      const co = i % 10 === 3 ? '-200' : `${1 + (i % 30) / 10}`;
      const delta = i % 25 === 0 ? '-200' : `${((i * 37) % 1000) - 500}`;
      return `${co},${delta},${i % 2 ? 'a' : 'b'}`;
    });
    const [found] = sentinels(`CO(GT),delta,label\n${rows.join('\n')}\n`, 'label');
    expect(found.column).toBe('CO(GT)');
    expect(found.expected).toMatch(
      /would blank the legitimate -200s \(inside their range\) of 'delta' \(\d+ rows\)/,
    );
    const printed = /features: (\[\{ derive: .*? \}\])/.exec(found.expected)![1];
    expect(YAML.parse(printed)).toEqual([
      { derive: { 'CO(GT)_known': "'CO(GT)' != -200" } },
      { drop: ['CO(GT)'] },
    ]);
  });

  it('never offers to derive an indicator from the target', () => {
    const rows = Array.from({ length: 200 }, (_, i) => {
      const y = i % 10 === 3 ? '-999' : `${20 + ((i * 7) % 30)}`;
      const x = i % 20 === 0 ? '-999' : `${((i * 37) % 2000) - 1000}`;
      return `${x},${y}`;
    });
    const [found] = sentinels(`x,y\n${rows.join('\n')}\n`, 'y');
    expect(found.column).toBe('y');
    expect(found.expected).toContain("replace it with an empty cell in 'y' upstream");
    expect(found.expected).not.toContain('derive');
  });
});
