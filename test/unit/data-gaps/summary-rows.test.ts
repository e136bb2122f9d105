import { describe, expect, it } from 'vitest';
import { runDataChecks } from '../../../activities/data-checks';
import { parseCsv } from '../../../core/csv';
import { isSummaryLabel } from '../../../core/data/summary-rows';
import { validateSpec } from '../../../core/spec/load';
import { seededRandom } from '../../../bench/random';

/** Deterministic pseudo-random numbers in [0, 1): the benches' seeded generator, the same file every run. */
const random = seededRandom;

const regions = ['north', 'south', 'east', 'west', 'central'];

/** `n` sales rows `region,units,price,revenue` (revenue = units × price), as CSV lines. */
function salesRows(
  n: number,
  region: (i: number) => string,
  seed = 7,
): { lines: string[]; units: number[]; revenue: number[] } {
  const next = random(seed);
  const lines: string[] = [];
  const units: number[] = [];
  const revenue: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = 1 + Math.floor(next() * 40);
    const p = Math.round((3 + next() * 20) * 100) / 100;
    const r = Math.round(u * p * 100) / 100;
    units.push(u);
    revenue.push(r);
    lines.push(`${region(i)},${u},${p},${r}`);
  }
  return { lines, units, revenue };
}

const sum = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) * 100) / 100;

/** Sanity's data checks on `text` with target `revenue` and the given spec parts. */
function check(text: string, extra: Record<string, unknown> = {}, target = 'revenue') {
  const { sanity, ...rest } = extra as { sanity?: Record<string, unknown> };
  return runDataChecks({
    table: parseCsv(text),
    spec: validateSpec({
      name: 't',
      source: { uri: 'x.csv' },
      target: { column: target },
      sanity: { minRows: 1, ...sanity },
      ...rest,
    }),
    pinned: null,
    reference: { skipped: 'none' },
    origin: { runId: 'r1', dataSha256: 'abc', rows: 0 },
  });
}
const named = (text: string, name: string, extra: Record<string, unknown> = {}, target = 'revenue') =>
  check(text, extra, target).failed.filter((r) => r.check === name);

/** BREAKER8 #8: 4 region blocks of 60 rows, each followed by `<region> subtotal,<units>,,<revenue>`. */
function pivotExport(): string {
  const lines = ['region,units,price,revenue'];
  for (const [b, region] of regions.slice(0, 4).entries()) {
    const block = salesRows(60, () => region, 11 + b);
    // A refund in the first block, as sales exports hold: the subtotal still sums it.
    if (b === 0) {
      block.lines[10] = `${region},-1,2.27,-2.27`;
      block.units[10] = -1;
      block.revenue[10] = -2.27;
    }
    lines.push(...block.lines, `${region} subtotal,${sum(block.units)},,${sum(block.revenue)}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('a spreadsheet Total row at the end fails summary_rows (BREAKER8 #3)', () => {
  it("names line 152, the 'Total' label, the summed lines and source.skipFooter: 1", () => {
    const rows = salesRows(150, (i) => regions[i % 5]);
    const text = `region,units,price,revenue\n${rows.lines.join('\n')}\nTotal,0,,${sum(rows.revenue)}\n`;
    const [failed] = named(text, 'summary_rows');
    expect(failed.observed).toBe(
      `1 row(s) summing up the rows above them (total/subtotal rows): line 152 ('Total' in 'region'; 'revenue' ${sum(rows.revenue)} = the sum of lines 2–151)`,
    );
    expect(failed.expected).toContain(
      'skip them with source.skipFooter: 1 (the last row), or export the data without totals',
    );
    expect(failed.expected).toContain('sanity.dataset.summaryRows: keep');
  });

  it('finds an unlabelled last row equal to the sum of the target (a SUM row with no text)', () => {
    const rows = salesRows(100, (i) => regions[i % 5]);
    const text = `region,units,price,revenue\n${rows.lines.join('\n')}\n,,,${sum(rows.revenue)}\n`;
    const [failed] = named(text, 'summary_rows');
    expect(failed.observed).toContain("line 102 ('revenue'");
    expect(failed.expected).toContain('source.skipFooter: 1');
  });

  it("reads 'TOTAL:', 'Grand Total', 'Gesamt', 'totaal' as labels when the row stands far above the rest", () => {
    for (const label of ['TOTAL:', 'Grand Total', 'Gesamt', 'totaal', 'Sum']) {
      const rows = salesRows(60, (i) => regions[i % 5]);
      // Not the exact sum (a filtered export's total): the label and the size carry it.
      const text = `region,units,price,revenue\n${rows.lines.join('\n')}\n${label},0,,${Math.round(sum(rows.revenue) * 0.9)}\n`;
      const [failed] = named(text, 'summary_rows');
      expect(failed?.observed, label).toContain(`line 62 ('${label}' in 'region'; 'revenue'`);
    }
  });
});

describe('subtotal rows inside a pivot export fail summary_rows, not target_leak (BREAKER8 #8)', () => {
  it('names each subtotal line with its block, skipRows for the inner ones and skipFooter for the last', () => {
    const failed = check(pivotExport()).failed;
    expect(failed.map((r) => r.check)).toEqual(['summary_rows']);
    expect(failed[0].observed).toContain(
      "4 row(s) summing up the rows above them (total/subtotal rows): line 62 ('north subtotal' in 'region'; 'revenue' ",
    );
    expect(failed[0].observed).toMatch(/'units' \d+ = the sums of lines 2–61\), line 123 \('south subtotal'/);
    expect(failed[0].expected).toContain(
      'skip them with source.skipFooter: 1 (the last row) and source.skipRows: [62, 123, 184] (the inner rows)',
    );
  });

  it('still fails with the keep-list or ignore: true on units (the exits that deployed the subtotals)', () => {
    const keepList = named(pivotExport(), 'summary_rows', { train: { features: ['region', 'price'] } });
    expect(keepList).toHaveLength(1);
    const ignored = named(pivotExport(), 'summary_rows', {
      sanity: { schema: { columns: { units: { ignore: true } } } },
    });
    expect(ignored).toHaveLength(1);
  });

  it('is accepted with sanity.dataset.summaryRows: keep', () => {
    expect(named(pivotExport(), 'summary_rows', { sanity: { dataset: { summaryRows: 'keep' } } })).toEqual(
      [],
    );
  });
});

describe('summary_rows leaves ordinary data alone', () => {
  it('passes sales rows with no total, and small counts whose running sum meets a later count', () => {
    const rows = salesRows(200, (i) => regions[i % 5]);
    expect(named(`region,units,price,revenue\n${rows.lines.join('\n')}\n`, 'summary_rows')).toEqual([]);
    // 1+0+2+1+1 = 5 on line 7: one coincidence in a count column is no total.
    const counts = [1, 0, 2, 1, 1, 5, 3, 2, 4, 1, 0, 2, 3, 1, 2, 4, 3, 2, 1, 0];
    const text = `x,revenue\n${counts.map((c, i) => `${i % 3},${c}`).join('\n')}\n`;
    expect(named(text, 'summary_rows')).toEqual([]);
  });

  it('passes wide signed data (standard-normal features) whose running sums meet later values by chance', () => {
    const next = random(3);
    const header = Array.from({ length: 1000 }, (_, j) => `f${j}`).join(',');
    const lines = Array.from({ length: 200 }, () =>
      Array.from({ length: 1000 }, () => ((next() + next() + next() - 1.5) * 2).toFixed(3)).join(','),
    );
    expect(named(`${header}\n${lines.join('\n')}\n`, 'summary_rows', {}, 'f39')).toEqual([]);
  });

  it("passes a text column holding 'sum' as a category on ordinary rows, and free text mentioning 'total'", () => {
    const rows = salesRows(60, (i) => regions[i % 5]);
    const ops = rows.lines.map(
      (l, i) => `${l},${i % 2 ? 'sum' : 'mean'},${i % 7 ? 'fine' : 'a total waste of my money'}`,
    );
    expect(named(`region,units,price,revenue,op,review\n${ops.join('\n')}\n`, 'summary_rows')).toEqual([]);
  });

  it('reads only whole words as total labels', () => {
    expect(
      ['Total', 'TOTAL:', 'north subtotal', 'Sub-total', 'Grand Total', 'Gesamtsumme', 'Summe'].map(
        isSummaryLabel,
      ),
    ).toEqual(Array(7).fill(true));
    expect(
      ['totally', 'summer', 'Summit', 'subtotals are nice but this is long text'].map(isSummaryLabel),
    ).toEqual(Array(4).fill(false));
  });
});
