import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { runDataChecks } from '../../../activities/data-checks';
import { parseCsv } from '../../../core/csv';
import { parseSource, sourceFormat } from '../../../core/sources';
import { LOGICAL_TYPE_KEY } from '../../../core/sources/text-types';
import { parseJsonLines } from '../../../core/sources/jsonl';
import { validateSpec } from '../../../core/spec/load';
import { checkCsv } from '../../support/data-checks';

const origin = { runId: 'r1', dataSha256: 'abc', rows: 0 };
const check = checkCsv;
/** 40 rows of `x,label`, x given per 0-based row. */
const csv = (x: (i: number) => string) =>
  `x,label\n${Array.from({ length: 40 }, (_, i) => `${x(i)},${i % 2 ? 'a' : 'b'}`).join('\n')}\n`;
const failures = (text: string, name: string) => check(text).failed.filter((r) => r.check === name);
const pad = (n: number) => String(n).padStart(2, '0');

describe('time axes Quiver does not read as timestamps fail date_text (kc_house_data, Excel, AirPassengers)', () => {
  it("fails ISO-8601 basic '20140826T000000', naming the layout", () => {
    const [failed] = failures(
      csv((i) => `2014${pad((i % 12) + 1)}${pad((i % 28) + 1)}T000000`),
      'date_text',
    );
    expect(failed.column).toBe('x');
    expect(failed.observed).toContain("(yyyymmddThhmmss (ISO-8601 basic)): '20140101T000000' (line 2)");
    expect(failed.expected).toContain('convert the column to ISO-8601 upstream');
  });

  it("fails Excel's two-digit-year short date '3/13/23'", () => {
    const [failed] = failures(
      csv((i) => `${(i % 12) + 1}/${(i % 28) + 1}/23`),
      'date_text',
    );
    expect(failed.observed).toContain("(m/d/yy (Excel short date)): '1/1/23' (line 2)");
    expect(failed.expected).toContain('does not guess whether 05/01/2024 is 5 January or May 1');
  });

  it("fails year-months '1950-01' and quarters '2000Q1', saying how to write a period as a date", () => {
    const [month] = failures(
      csv((i) => `${1950 + Math.floor(i / 12)}-${pad((i % 12) + 1)}`),
      'date_text',
    );
    expect(month.observed).toContain("(yyyy-mm (year-month)): '1950-01' (line 2)");
    expect(month.expected).toContain('1950-01 as 1950-01-01');
    const [quarter] = failures(
      csv((i) => `${2000 + Math.floor(i / 4)}Q${(i % 4) + 1}`),
      'date_text',
    );
    expect(quarter.observed).toContain("(yyyyQn (quarter)): '2000Q1' (line 2)");
    expect(quarter.expected).toContain('2000Q1 as 2000-01-01');
  });

  it("leaves football seasons '2000-01', '2011-12', '2015-16' and version strings alone", () => {
    expect(
      failures(
        csv((i) => `${2000 + (i % 20)}-${pad((i % 20) + 1)}`),
        'date_text',
      ),
    ).toEqual([]);
    expect(
      failures(
        csv((i) => `1.${i % 4}.${i % 7}`),
        'date_text',
      ),
    ).toEqual([]);
  });
});

describe('one measure written in several units fails numeric_text, naming the units', () => {
  it("fails '70 kg' beside '154 lb', asking for one unit", () => {
    const [failed] = failures(
      csv((i) => (i % 3 ? `${60 + i} kg` : `${130 + i} lb`)),
      'numeric_text',
    );
    expect(failed.column).toBe('x');
    expect(failed.observed).toContain("units ('kg', 'lb')");
    expect(failed.expected).toContain(
      "convert the values to one unit upstream ('lb', 'kg' are mass in several units)",
    );
  });

  it("fails Play Store sizes '19M' / '201k' with 'Varies with device' as the stray token", () => {
    const size = (i: number) => (i % 10 === 0 ? 'Varies with device' : i % 4 ? `${i + 0.5}M` : `${200 + i}k`);
    const [failed] = failures(csv(size), 'numeric_text');
    expect(failed.observed).toContain("'1.5M' (line 3)");
    expect(failed.expected).toContain('size in several units');
  });

  it("leaves a lone capital suffix ('12M' house numbers) and unrelated units (cm, kg, ms, km) alone", () => {
    expect(
      failures(
        csv((i) => `${(i % 5) + 10}M`),
        'numeric_text',
      ),
    ).toEqual([]);
    const units = ['cm', 'kg', 'ms', 'km'];
    expect(
      failures(
        csv((i) => `${i % 3}${units[i % 4]}`),
        'numeric_text',
      ),
    ).toEqual([]);
  });
});

describe('one class spelt two ways in the target fails label_spellings', () => {
  /** 40 rows of `x,label`, the label given per row. */
  const labelled = (label: (i: number) => string) =>
    `x,label\n${Array.from({ length: 40 }, (_, i) => `${(i % 7) + 0.5},${label(i)}`).join('\n')}\n`;
  const spellings = (text: string) => check(text).failed.filter((r) => r.check === 'label_spellings');

  it('fails Yes/No beside 1/0 (a second export), naming both groups with rows and lines', () => {
    const [failed] = spellings(labelled((i) => (i % 5 === 4 ? String(i % 2) : i % 2 ? 'Yes' : 'No')));
    expect(failed.column).toBe('label');
    expect(failed.observed).toBe(
      "yes/no words mixed with 1/0: 'Yes' (16 rows, first line 3) = '1' (4 rows, first line 11); 'No' (16 rows, first line 2) = '0' (4 rows, first line 6)",
    );
    expect(failed.expected).toContain(
      "map them to one upstream (e.g. 'Yes' and '1'; 'No' and '0' as one value each)",
    );
  });

  it("fails 'versicolour' beside 'versicolor' and Adult's '>50K.' beside '>50K'", () => {
    const iris = ['setosa', 'versicolor', 'virginica', 'versicolour'];
    const [colour] = spellings(labelled((i) => iris[i % 4]));
    expect(colour.observed).toContain(
      "classes one letter apart: 'versicolor' (10 rows, first line 3) = 'versicolour'",
    );
    expect(colour.expected).toContain('sanity.schema.columns.label.categories: any');
    const [adult] = spellings(labelled((i) => ['<=50K', '>50K', '<=50K.', '>50K.'][i % 4]));
    expect(adult.observed).toContain("'<=50K' (10 rows, first line 2) = '<=50K.' (10 rows, first line 4)");
    expect(adult.observed).toContain("'>50K' (10 rows, first line 3) = '>50K.'");
  });

  it('leaves real classes alone: Class1/Class2, A/A+, plain yes/no, and accepted near-duplicates', () => {
    expect(spellings(labelled((i) => `Class${i % 3}`))).toEqual([]);
    expect(spellings(labelled((i) => ['A', 'A+', 'B'][i % 3]))).toEqual([]);
    expect(spellings(labelled((i) => (i % 2 ? 'Yes' : 'No')))).toEqual([]);
    const text = labelled((i) => ['setosa', 'versicolor', 'versicolour'][i % 3]);
    const accepted = runDataChecks({
      table: parseCsv(text),
      spec: validateSpec({
        name: 't',
        source: { uri: 'x.csv' },
        target: { column: 'label' },
        sanity: { minRows: 1, schema: { columns: { label: { categories: 'any' } } } },
      }),
      pinned: null,
      reference: { skipped: 'none' },
      origin,
    });
    expect(accepted.failed.filter((r) => r.check === 'label_spellings')).toEqual([]);
  });
});

describe('a typed string column of numbers names source.columnTypes as its way out', () => {
  it("tells a JSONL zip-code column '10001' how to keep it text", () => {
    const zip = Array.from({ length: 30 }, (_, i) => String(10001 + (i % 5)));
    const label = Array.from({ length: 30 }, (_, i) => (i % 2 ? 'a' : 'b'));
    const report = runDataChecks({
      table: tableFromArrays({ zip, label }),
      spec: validateSpec({
        name: 't',
        source: { uri: 'x.jsonl' },
        target: { column: 'label' },
        sanity: { minRows: 1 },
      }),
      pinned: null,
      reference: { skipped: 'none' },
      origin,
    });
    const failed = report.failed.find((r) => r.check === 'numeric_text')!;
    expect(failed.expected).toContain('store it as a number column in the source');
    expect(failed.expected).toContain('declare it: source.columnTypes: { zip: string }');
  });
});

describe('a .json file holding one JSON array of records is read as its records', () => {
  it("reads df.to_json(orient='records') like JSON Lines, naming rows in messages", () => {
    expect(sourceFormat('data/iris.json')).toBe('jsonl');
    const records = [
      { sepal_length: 5.1, species: 'setosa' },
      { sepal_length: 7, species: 'versicolor', when: '2024-01-05' },
    ];
    const table = parseJsonLines(`\uFEFF ${JSON.stringify(records)}\n`, 'iris.json');
    expect(table.numRows).toBe(2);
    expect([...table.getChild('sepal_length')!]).toEqual([5.1, 7]);
    expect(String(table.getChild('species')!.get(1))).toBe('versicolor');
    expect(table.getChild('when')!.get(0)).toBeNull();
    expect(() => parseJsonLines('[{"a": 1}, 2]', 'x.json')).toThrow(
      'x.json: record 2 of the JSON array: expected a JSON object, got 2',
    );
  });
});

describe('ISO date strings in a typed source (Parquet, Arrow) are timestamps, as in CSV and JSONL', () => {
  const bytes = Buffer.from(
    tableToIPC(
      tableFromArrays({
        when: ['2024-01-05', '2024-01-06T08:30:00Z', '2024-02-29'],
        code: ['2024-01-05', 'A12', 'B7'],
        x: Float64Array.from([1, 2, 3]),
      }),
      'file',
    ),
  );

  it('reads an all-ISO string column as a timestamp, leaves other text and declared columns alone', () => {
    const table = parseSource(bytes, 'arrow', 'x.arrow');
    const when = table.schema.fields.find((f) => f.name === 'when')!;
    expect(when.metadata.get(LOGICAL_TYPE_KEY)).toBe('timestamp');
    expect(table.getChild('when')!.get(0)).toBe(Date.UTC(2024, 0, 5));
    expect(String(table.getChild('code')!.get(1))).toBe('A12');
    const declared = parseSource(bytes, 'arrow', 'x.arrow', { columnTypes: { when: 'string' } });
    expect(String(declared.getChild('when')!.get(0))).toBe('2024-01-05');
  });
});
