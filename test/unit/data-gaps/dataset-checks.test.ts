import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runDataChecks } from '../../../activities/data-checks';
import { parseCsv } from '../../../core/csv';
import { validateSpec } from '../../../core/spec/load';
import { seededRandom } from '../../../bench/random';

const origin = { runId: 'r1', dataSha256: 'abc', rows: 0 };
const specWith = (target: string, extra: Record<string, unknown> = {}) =>
  validateSpec({
    name: 't',
    source: { uri: 'x.csv' },
    target: { column: target },
    sanity: { minRows: 1, ...extra },
  });
const failed = (csv: string, target = 'species', extra: Record<string, unknown> = {}) =>
  runDataChecks({
    table: parseCsv(csv),
    spec: specWith(target, extra),
    pinned: null,
    reference: { skipped: 'none' },
    origin,
  }).failed;

const CLASSES = ['setosa', 'versicolor', 'virginica'];
/** 60 iris-like rows: two noisy measurements and a class, 20 rows per class, no duplicates. */
const irisRows = (n = 60) =>
  Array.from({ length: n }, (_, i) => {
    const c = i % 3;
    return `${(4 + c + ((i * 7) % 10) / 10).toFixed(1)},${(2 + ((i * 13) % 17) / 10).toFixed(1)},${CLASSES[c]}`;
  });
const iris = (rows: string[], header = 'sepal,width,species') => `${header}\n${rows.join('\n')}\n`;

describe('sanity.dataset: the data set as a model sees it', () => {
  it('passes a plain data set', () => {
    expect(failed(iris(irisRows()))).toEqual([]);
  });

  it('fails a file exported twice (every row duplicated), naming the count and the way out (#1)', () => {
    const rows = irisRows();
    const found = failed(iris([...rows, ...rows])).filter((r) => r.check === 'duplicates');
    expect(found).toHaveLength(1);
    expect(found[0].observed).toContain('60 of 120 rows (50.0%) repeat an earlier row exactly');
    expect(found[0].expected).toContain('sanity.dataset.maxDuplicateShare');
    expect(failed(iris([...rows, ...rows]), 'species', { dataset: { maxDuplicateShare: 1 } })).toEqual([]);
  });

  it('passes a Likert survey whose few answer values repeat by chance, fails it exported twice, and suggests a maxFraction above the observed share (#4, N5)', () => {
    const scale = ['Strongly agree', 'Agree', 'Neutral', 'Disagree'];
    // Skewed answers from a fixed pseudo-random walk: about 45% of 300 rows repeat by chance alone.
    const next = seededRandom(7);
    const pick = () => scale[Math.min(3, Math.floor(next() ** 2 * 4))];
    const rows = Array.from(
      { length: 300 },
      () => `${next() < 0.5 ? 'F' : 'M'},${pick()},${pick()},${pick()},${next() < 0.7 ? 'yes' : 'no'}`,
    );
    const header = 'gender,q1,q2,q3,species';
    expect(failed(iris(rows, header)).filter((r) => r.check === 'duplicates')).toEqual([]);
    const twice = failed(iris([...rows, ...rows], header)).filter((r) => r.check === 'duplicates');
    expect(twice).toHaveLength(1);
    expect(twice[0].observed).toMatch(
      /expected by chance from the columns' few distinct values: more than chance/,
    );
    const share = Number(/\(([\d.]+)%\) repeat/.exec(twice[0].observed)![1]) / 100;
    const suggested = Number(/maxFraction: ([\d.]+)/.exec(twice[0].expected)![1]);
    expect(suggested).toBeGreaterThan(share);
    // The row flag's own way out names a share that passes, not the 0.05 that just failed.
    const dropped = failed(iris([...irisRows(), ...irisRows()]), 'species', {
      flags: { duplicate: { policy: 'drop' } },
    });
    expect(dropped.map((r) => [r.check, r.expected])).toEqual([
      ['row_flags', expect.stringContaining('sanity.flags.duplicate: { policy: drop, maxFraction: 0.51 }')],
    ]);
  });

  it('fails records stored twice under two surrogate keys, ids aside, naming the id column (#29)', () => {
    const rows = irisRows();
    const keyed = [...rows, ...rows].map((r, i) => `${i + 1},${r}`);
    const found = failed(iris(keyed, 'record_id,sepal,width,species'), 'species', {
      schema: { columns: { record_id: { ignore: true } } },
      flags: { duplicate: { policy: 'keep' } },
    }).filter((r) => r.check === 'duplicates');
    expect(found).toHaveLength(1);
    expect(found[0].observed).toContain('60 of 120 rows (50.0%) repeat an earlier row exactly');
    expect(found[0].observed).toContain("'record_id' aside");
  });

  it('passes order lines that repeat with distinct order ids (price by product, total = price × qty), fails them appended twice (breaker 10 #1)', () => {
    const prices = [9.99, 19.99, 4.5, 120, 35, 12.25];
    const next = seededRandom(11);
    const lines = Array.from({ length: 300 }, () => {
      const p = Math.floor(next() ** 2 * prices.length);
      const qty = 1 + Math.floor(next() ** 3 * 3);
      const total = (prices[p] * qty).toFixed(2);
      return `sku${p},${prices[p]},${qty},${total},${next() < 0.8 ? 'web' : 'store'},${next() < 0.2 ? 'yes' : 'no'}`;
    });
    const header = 'order_id,product,unit_price,quantity,line_total,channel,returned';
    const keyed = (rows: string[]) => rows.map((r, i) => `ORD-${500000 + i * 7},${r}`);
    const dups = (rows: string[]) =>
      failed(iris(rows, header), 'returned').filter((r) => r.check === 'duplicates');
    // Distinct order ids: genuine records, even sorted so equal lines sit side by side.
    expect(dups(keyed(lines))).toEqual([]);
    expect(dups(keyed([...lines].sort()))).toEqual([]);
    // Appended twice under regenerated ids: a copied block.
    const twice = dups(keyed([...lines, ...lines]));
    expect(twice).toHaveLength(1);
    expect(twice[0].observed).toMatch(
      /'order_id' aside\), 300 \(50\.0%\) of them with the same id or in a block/,
    );
    expect(twice[0].expected).toMatch(
      /^<= 5% copied rows: rows repeated with their ids, or in a block copied from earlier rows, are an export or append done twice: remove them at the source.*; only if they are genuine records, allow them \(sanity\.dataset\.maxDuplicateShare: 0\.51\)$/,
    );
    // Without an id column the chance estimate leaves out columns fixed by others (price by
    // product, total by product and quantity): genuine lines pass, the file appended twice fails.
    expect(dups(lines.map((r) => `,${r}`))).toEqual([]);
    expect(dups([...lines, ...lines].map((r) => `,${r}`))).toHaveLength(1);
    // Exported twice with the same ids, then shuffled: the ids repeat too.
    const ids = keyed(lines);
    const shuffled = [...ids, ...ids]
      .map((r, i) => [((i * 7919) % 600) / 600, r] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, r]) => r);
    expect(dups(shuffled)).toHaveLength(1);
  });

  it('fails a file appended twice under regenerated ids and then shuffled when a fine-grained measurement repeats too (breaker 10 #1)', () => {
    const rows = Array.from(
      { length: 150 },
      (_, i) => `${((i * 7919) % 10007) / 10},${['web', 'store'][i % 2]},${CLASSES[i % 3]}`,
    );
    const shuffled = [...rows, ...rows]
      .map((r, i) => [(i * 7919) % 300, r] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, r], i) => `${i + 1},${r}`);
    const found = failed(iris(shuffled, 'record_id,reading,channel,species')).filter(
      (r) => r.check === 'duplicates',
    );
    expect(found).toHaveLength(1);
    expect(found[0].observed).toContain(
      "150 of 300 rows (50.0%) repeat an earlier row exactly ('record_id' aside)",
    );
  });

  it('fails a class with too few rows to be validated, naming it, its count and its line (#8, #21)', () => {
    const csv = `${iris(irisRows())}6.3,2.5,virgi`; // a truncated last line, no final newline
    const found = failed(csv).filter((r) => r.check === 'rare_class');
    expect(found).toHaveLength(1);
    expect(found[0].observed).toBe(
      "class 'virgi' has 1 row(s) (line 62; the file's last row: cut short by a truncated download?)",
    );
    expect(failed(csv, 'species', { dataset: { minClassRows: 0 } })).toEqual([]);
  });

  it('fails a feature whose presence gives the class away (Churn Reason filled only for churners) (#19)', () => {
    const reasons = ['Price too high', 'Moved', 'Competitor', 'Service', 'Support', 'Network', 'Other'];
    const rows = Array.from({ length: 200 }, (_, i) => {
      const churn = i % 3 === 0 ? 'Yes' : 'No';
      // `note` is empty on every 10th row whatever the class: missing at random, no leak.
      return `${(i * 7) % 72},${churn === 'Yes' ? reasons[i % 7] : ''},${i % 10 === 0 ? '' : 'n' + (i % 4)},${churn}`;
    });
    const extra = { nullFractions: { reason: 1, note: 1 } };
    const found = failed(iris(rows, 'tenure,reason,note,Churn'), 'Churn', extra).filter(
      (r) => r.check === 'target_leak',
    );
    expect(found.map((r) => r.column)).toEqual(['reason']);
    expect(found[0].observed).toContain("gives 'Churn' away by being empty or filled");
    expect(found[0].observed).toContain("class 'No'");
    expect(found[0].expected).toContain('drop: [reason]');
  });

  it('lists at most 5 rare classes, skips them for a numeric target misread as text, and points a 0–20 grade to regression (#17, #10)', () => {
    const price = Array.from(
      { length: 400 },
      (_, i) => `${i % 7},${i % 5 === 0 ? 'unknown' : 100000 + i * 137}`,
    );
    const misread = failed(iris(price, 'rooms,price'), 'price').filter((r) => r.check === 'rare_class');
    expect(misread).toEqual([]);
    const grades = Array.from(
      { length: 120 },
      (_, i) => `${i % 9},${(i * 7) % 11},${i < 100 ? 8 + (i % 6) : i - 100}`,
    );
    const rare = failed(iris(grades, 'a,b,G3'), 'G3').filter((r) => r.check === 'rare_class');
    expect(rare).toHaveLength(6);
    expect(rare[5].observed).toMatch(/^and \d+ more classes with fewer than 5 rows: /);
    expect(rare[0].expected).toContain(
      'G3 holds 20 distinct numbers (0 … 19): if it is a quantity, set target.task: regression',
    );
  });

  it('a target whose numbers numeric_text / numeric_tokens name gets no rare_class noise and a target way out, never "declare it text" or "drop it" (#17)', () => {
    // French prices with narrow no-break spaces: every price its own "class".
    const prices = Array.from(
      { length: 120 },
      (_, i) =>
        `${i % 3 === 0 ? 'Lyon' : 'Nice'};${100 + i}\u202f${String((i * 37) % 1000).padStart(3, '0')},5`,
    );
    const nnbsp = runDataChecks({
      table: parseCsv(`ville;prix\n${prices.join('\n')}\n`, { delimiter: ';', decimal: ',', thousands: ' ' }),
      spec: validateSpec({
        name: 't',
        source: { uri: 'x.csv', delimiter: ';', decimal: ',', thousands: ' ' },
        target: { column: 'prix' },
        sanity: { minRows: 1 },
      }),
      pinned: null,
      reference: { skipped: 'none' },
      origin,
    }).failed;
    expect(nnbsp.map((r) => r.check)).toEqual(['numeric_text']);
    // Plain numbers but one token, as the target: the hints name the number exits, not the text one.
    const price = Array.from({ length: 60 }, (_, i) => `${i % 7},${i === 9 ? 'unknown' : 100000 + i * 137}`);
    const tokens = failed(iris(price, 'rooms,price'), 'price').filter((r) => r.check === 'numeric_tokens');
    expect(tokens).toHaveLength(1);
    expect(tokens[0].expected).toContain('sanity.flags.missingLabel: { policy: drop');
    expect(tokens[0].expected).toContain('source.columnTypes: { price: number }');
    expect(tokens[0].expected).toContain('target.task: regression');
    expect(tokens[0].expected).not.toMatch(/price: string|drop it/);
    // The same column as a feature keeps its text exit.
    const feature = failed(
      iris(
        price.map((r, i) => `${r},${CLASSES[i % 3]}`),
        'rooms,price,species',
      ),
    );
    expect(feature.find((r) => r.check === 'numeric_tokens')?.expected).toContain(
      'source.columnTypes: { price: string }',
    );
  });

  it('fails a constant target naming its one value (#22)', () => {
    const rows = Array.from({ length: 30 }, (_, i) => `${i % 7},${(i * 3) % 11},2.5`);
    const found = failed(iris(rows, 'a,b,y'), 'y');
    expect(found.map((r) => [r.check, r.column, r.observed])).toEqual([
      ['constant_target', 'y', 'one value, 2.5, on all 30 labeled rows'],
    ]);
  });

  it('fails a code column that maps 1:1 to the classes, naming it and the fix (#10)', () => {
    const rows = irisRows().map((r, i) => `${r},${i % 3}`);
    const found = failed(iris(rows, 'sepal,width,species,species_code')).filter(
      (r) => r.check === 'target_leak',
    );
    expect(found.map((r) => r.column)).toEqual(['species_code']);
    expect(found[0].observed).toContain("'0' → 'setosa', '1' → 'versicolor', '2' → 'virginica'");
    expect(found[0].expected).toContain('features: [{ drop: [species_code] }]');
  });

  it('fails a numeric copy of a regression target (|r| >= 0.99), not a merely related feature (#10)', () => {
    const rows = Array.from({ length: 40 }, (_, i) => {
      const y = 10 + i * 0.7 + ((i * 7) % 5) * 0.3;
      return `${(y * 2.54).toFixed(3)},${(y + ((i * 11) % 9) * 2).toFixed(2)},${y.toFixed(3)}`;
    });
    const found = failed(iris(rows, 'y_cm,related,y'), 'y').filter((r) => r.check === 'target_leak');
    expect(found.map((r) => r.column)).toEqual(['y_cm']);
    expect(found[0].observed).toMatch(/correlates with 'y' at r = 1\.0000/);
  });

  it('passes the copy once the spec follows the hint: left out of train.features, or dropped (breaker 8 #10)', () => {
    const rows = irisRows().map((r, i) => `${r},${i % 3}`);
    const csv = iris(rows, 'sepal,width,species,species_code');
    const leaks = (extra: Record<string, unknown>) =>
      runDataChecks({
        table: parseCsv(csv),
        spec: validateSpec({
          name: 't',
          source: { uri: 'x.csv' },
          target: { column: 'species' },
          sanity: { minRows: 1 },
          ...extra,
        }),
        pinned: null,
        reference: { skipped: 'none' },
        origin,
      }).failed.filter((r) => r.check === 'target_leak');
    expect(leaks({ train: { features: ['sepal', 'width'] } })).toEqual([]);
    expect(leaks({ features: [{ drop: ['species_code'] }] })).toEqual([]);
  });

  it('fails a repeated -999 far outside a column and names the nullValues fix (#17)', () => {
    const rows = irisRows(100).map((r, i) => (i % 25 === 3 ? r.replace(/,[^,]*,/, ',-999,') : r));
    const found = failed(iris(rows)).filter((r) => r.check === 'sentinel');
    expect(found.map((r) => r.column)).toEqual(['width']);
    expect(found[0].observed).toMatch(/^-999 on 4 rows \(lines 5, 30, 55, …\), far outside the other values/);
    expect(found[0].expected).toContain("source.nullValues: ['-999']");
  });

  it('a sentinel hint never proposes the file-wide nullValues when other columns hold the value (#7)', () => {
    const rows = Array.from({ length: 200 }, (_, i) => {
      const renovated = i % 10 === 0 ? 1970 + (i % 40) : 0; // 0 = never renovated, on 90% of rows
      const garage = i % 14 === 0 ? 0 : 1 + (i % 3); // 0 = no garage: a real zero
      return `${1000 + ((i * 37) % 900)},${garage},${renovated},${CLASSES[i % 3]}`;
    });
    const found = failed(iris(rows, 'sqft,garage_cars,yr_renovated,species')).filter(
      (r) => r.check === 'sentinel',
    );
    expect(found.map((r) => r.column)).toEqual(['yr_renovated']);
    expect(found[0].expected).toContain("NOT via source.nullValues: ['0']: it applies to every column");
    expect(found[0].expected).toMatch(/'garage_cars' \(\d+ rows\)/);
    expect(found[0].expected).toContain('derive: { yr_renovated_known: "yr_renovated != 0" }');
    expect(found[0].expected).toContain('sanity.dataset.sentinelShare');
  });

  it('passes zero-inflated amounts (capital loss 0 on 95% of rows, fees not charged), still fails a year 0 and a rare 0 reading (breaker 10 #8, #15)', () => {
    const sentinels = (csv: string) => failed(csv).filter((r) => r.check === 'sentinel');
    // Adult's capital_loss: 0 on 95% of rows, the rest in a narrow band 1485 … 2415.
    const adult = Array.from({ length: 400 }, (_, i) => {
      const loss = i % 20 === 0 ? 1485 + ((i * 37) % 930) : 0;
      const gain = i % 12 === 0 ? [15024, 7688, 99999, 3103][i % 4] : 0;
      return `${20 + (i % 50)},${loss},${gain},${CLASSES[i % 3]}`;
    });
    expect(sentinels(iris(adult, 'age,capital_loss,capital_gain,species'))).toEqual([]);
    // Three fee columns, 0 = no fee charged on about two thirds of rows: no file-wide "no data" code.
    const cards = Array.from({ length: 300 }, (_, i) => {
      const annual = i % 3 === 0 ? 95 + (i % 35) : 0;
      const overdraft = i % 3 === 1 ? 34 + (i % 3) : 0;
      const late = i % 4 === 0 ? 25 + (i % 15) : 0;
      return `${annual},${overdraft},${late},${1000 + ((i * 53) % 4000)},${CLASSES[i % 3]}`;
    });
    expect(sentinels(iris(cards, 'annual_fee,overdraft_fee,late_fee,balance,species'))).toEqual([]);
    // A 0 that is no amount still fails: a year of 0 ("never"), and a 0 reading on a tenth of rows.
    const codes = Array.from({ length: 200 }, (_, i) => {
      const built = i % 10 === 0 ? 0 : 1950 + (i % 60);
      const reading = i % 10 === 5 ? 0 : 650 + ((i * 29) % 100);
      return `${built},${reading},${CLASSES[i % 3]}`;
    });
    const found = sentinels(iris(codes, 'built,reading,species'));
    expect(found.map((r) => r.column)).toEqual(['built']);
    expect(found[0].observed).toContain('\'reading\' (20 rows): a file-wide "no data" code');
  });

  it("the sentinel hint's indicator way out passes as printed: derive, then drop the raw column (N1)", () => {
    const rows = Array.from({ length: 200 }, (_, i) => {
      const renovated = i % 10 === 0 ? 1970 + (i % 40) : 0;
      return `${1000 + ((i * 37) % 900)},${1 + (i % 3)},${renovated},${CLASSES[i % 3]}`;
    });
    const sentinels = (extra: Record<string, unknown>) =>
      runDataChecks({
        table: parseCsv(iris(rows, 'sqft,garage_cars,yr_renovated,species')),
        spec: validateSpec({
          name: 't',
          source: { uri: 'x.csv' },
          target: { column: 'species' },
          sanity: { minRows: 1 },
          ...extra,
        }),
        pinned: null,
        reference: { skipped: 'none' },
        origin,
      }).failed.filter((r) => r.check === 'sentinel');
    const [first] = sentinels({});
    const printed = /features: (\[\{ derive: .*? \}\])/.exec(first.expected)![1];
    expect(printed).toBe(
      '[{ derive: { yr_renovated_known: "yr_renovated != 0" } }, { drop: [yr_renovated] }]',
    );
    expect(sentinels({ features: YAML.parse(printed) as unknown })).toEqual([]);
    // A derive alone keeps the 0s in a model input: still a sentinel.
    expect(sentinels({ features: [{ derive: { yr_renovated_known: 'yr_renovated != 0' } }] })).toHaveLength(
      1,
    );
  });

  it('passes heavy tails, zero-inflated counts and binary columns as no sentinel', () => {
    const rows = Array.from({ length: 200 }, (_, i) => {
      const income = i % 50 === 0 ? 1_000_000 + i : 20_000 + ((i * 37) % 100) * 500; // a few rich, all distinct
      const visits = i % 10 === 0 ? 40 : 0;
      return `${income},${visits},${i % 2},${CLASSES[i % 3]}`;
    });
    expect(failed(iris(rows, 'income,visits,flag,species')).filter((r) => r.check === 'sentinel')).toEqual(
      [],
    );
  });
});
