import { describe, expect, it } from 'vitest';
import { runDataChecks } from '../../../activities/data-checks';
import { parseCsv } from '../../../core/csv';
import { validateSpec } from '../../../core/spec/load';
import { checkCsv } from '../../support/data-checks';

const check = checkCsv;
/** 30 rows of `x,label`, x given per 0-based row. */
const csv = (x: (i: number) => string) =>
  `x,label\n${Array.from({ length: 30 }, (_, i) => `${x(i)},${i % 2 ? 'a' : 'b'}`).join('\n')}\n`;
const failures = (text: string, name: string) => check(text).failed.filter((r) => r.check === name);

describe('numbers written with a currency or a unit fail numeric_text by name', () => {
  it("fails a whole column of '$5.1', naming 3 values with their lines and why derive cannot help", () => {
    const [failed] = failures(
      csv((i) => `$${(i % 9) + 0.1}`),
      'numeric_text',
    );
    expect(failed.column).toBe('x');
    expect(failed.observed).toBe(
      "text, yet 100.0% numbers with a currency ('$'): '$0.1' (line 2), '$1.1' (line 3), '$2.1' (line 4)",
    );
    expect(failed.expected).toContain('strip the symbol or unit upstream');
    expect(failed.expected).toContain('derive reads numeric columns only, so it cannot parse them');
    expect(failed.expected).toContain('source.columnTypes: { x: string }');
  });

  it("fails mixed '$5.1' and '€4.9' (and 'USD 12', '4,90 €'), asking for one currency", () => {
    const values = ['$5.1', '€4.9', '"USD 12"', '"4,90 €"'];
    const [failed] = failures(
      csv((i) => values[i % 4].replace('5.1', `${i}.1`)),
      'numeric_text',
    );
    expect(failed.observed).toMatch(
      /^text, yet 100\.0% numbers with a currency \('€', '\$', 'USD'\): '\$0\.1' \(line 2\), '€4\.9' \(line 3\), 'USD 12' \(line 4\)$/,
    );
    expect(failed.expected).toContain('convert amounts in different currencies to one first');
  });

  it("passes an ordinal count scale ('2, 3, 4, 5more'; '2, 4, more'), still failing '86 kg' beside '154 lb' (#3)", () => {
    const doors = ['2', '3', '4', '5more'];
    const persons = ['2', '4', 'more'];
    const rows = Array.from(
      { length: 60 },
      (_, i) => `${doors[i % 4]},${persons[i % 3]},${i % 2 ? 'acc' : 'unacc'}`,
    );
    const car = check(`doors,persons,label\n${rows.join('\n')}\n`).failed;
    expect(car).toEqual([]);
    const weights = csv((i) => (i % 3 ? `${60 + i} kg` : `${130 + i} lb`));
    expect(failures(weights, 'numeric_text').map((r) => r.observed)).toEqual([
      expect.stringContaining("numbers with units ('kg', 'lb')"),
    ]);
    // Dozens of numbers with a few '40+' answers are loosely typed numbers, not a scale.
    const hours = csv((i) => (i % 5 === 0 ? `${i}+` : `${i + 1}`));
    expect(failures(hours, 'numeric_tokens')).toHaveLength(1);
  });

  it("fails '5.1 cm' and '12kg' columns, naming the unit", () => {
    expect(
      failures(
        csv((i) => `${i}.1 cm`),
        'numeric_text',
      )[0].observed,
    ).toBe(
      "text, yet 100.0% numbers with a unit ('cm'): '0.1 cm' (line 2), '1.1 cm' (line 3), '2.1 cm' (line 4)",
    );
    expect(
      failures(
        csv((i) => `${i + 10}kg`),
        'numeric_text',
      )[0].observed,
    ).toContain("with a unit ('kg'): '10kg' (line 2)");
  });

  it("fails a column with '(5.4)' accounting negatives on half the rows", () => {
    const [failed] = failures(
      csv((i) => (i % 2 ? `(${i}.4)` : `${i}.5`)),
      'numeric_text',
    );
    expect(failed.observed).toBe(
      "text, yet 100.0% numbers with accounting parentheses: '(1.4)' (line 3), '(3.4)' (line 5), '(5.4)' (line 7)",
    );
    expect(failed.expected).toContain("'(5.4)' is -5.4");
  });

  it("names a few '$' values among plain numbers as numeric tokens with the same hint", () => {
    const [failed] = failures(
      csv((i) => (i === 4 ? '$7' : String(i))),
      'numeric_tokens',
    );
    expect(failed.observed).toBe("96.7% numbers; not numbers: '$7' (line 6)");
    expect(failed.expected).toContain('strip the symbol or unit upstream');
  });

  it('leaves codes alone: house numbers (12A, 12B), SKU123, mixed units', () => {
    const letters = 'ABCD';
    expect(check(csv((i) => `${(i % 5) + 10}${letters[i % 4]}`)).failed).toEqual([]);
    expect(check(csv((i) => `SKU${i % 6}`)).failed).toEqual([]);
    const units = ['cm', 'kg', 'ms', 'km'];
    expect(check(csv((i) => `${i % 3}${units[i % 4]}`)).failed).toEqual([]);
  });
});

describe('a column that is 50–79% numbers fails numeric_tokens; codes do not', () => {
  it('fails numbers beside a few junk tokens on 40% of the rows, with both ways out', () => {
    const junk = ['n/a-ish', '--', 'unknown'];
    const [failed] = failures(
      csv((i) => (i % 5 < 2 ? junk[i % 3] : String(i * 3))),
      'numeric_tokens',
    );
    expect(failed.column).toBe('x');
    expect(failed.observed).toBe(
      "60.0% numbers; not numbers: 'n/a-ish' (lines 2, 8, 17), '--' (lines 3, 12, 18), 'unknown' (lines 7, 13, 22)",
    );
    expect(failed.expected).toContain('source.nullValues');
    expect(failed.expected).toContain('declare it: source.columnTypes: { x: string }');
  });

  it('fails half the rows a stray token, exactly 50%', () => {
    expect(
      failures(
        csv((i) => (i % 2 ? 'none yet' : String(i))),
        'numeric_tokens',
      )[0].observed,
    ).toMatch(/^50\.0% numbers; not numbers: 'none yet' \(lines 3, 5, 7\)$/);
  });

  it('leaves code columns alone: A1, B12, 300, 410 (as many codes as numbers) and under 50% numbers', () => {
    const codes = ['A1', 'B12', '300', '410', 'C7', '512', 'D3', '620'];
    expect(check(csv((i) => codes[i % 8])).failed).toEqual([]);
    const postcodes = ['SW1A 1AA', 'EC1A 1BB', '10115', 'W1A 0AX', '75001'];
    expect(check(csv((i) => `"${postcodes[i % 5]}"`)).failed).toEqual([]);
  });

  it('passes once the column is declared text (source.columnTypes), its values kept as written', () => {
    const text = csv((i) => (i % 5 < 2 ? 'n/a-ish' : String(i * 3).padEnd(4, '.0')));
    const outcome = check(text, { columnTypes: { x: 'string' } });
    expect(outcome.failed).toEqual([]);
  });
});

describe('dates in non-ISO layouts fail date_text; Quiver never guesses the layout', () => {
  it("fails a column alternating '2024-01-05' and '05/01/2024', with examples, lines and the ambiguity", () => {
    const day = (i: number) => String((i % 28) + 1).padStart(2, '0');
    const [failed] = failures(
      csv((i) => (i % 2 ? `${day(i)}/01/2024` : `2024-01-${day(i)}`)),
      'date_text',
    );
    expect(failed.column).toBe('x');
    expect(failed.observed).toBe(
      "text, yet 100.0% dates, 50.0% in a non-ISO layout (dd/mm/yyyy or mm/dd/yyyy): '02/01/2024' (line 3), '04/01/2024' (line 5), '06/01/2024' (line 7)",
    );
    expect(failed.expected).toContain('convert the column to ISO-8601 upstream');
    expect(failed.expected).toContain('does not guess whether 05/01/2024 is 5 January or May 1');
  });

  it("fails a whole column of 'dd.mm.yyyy HH:MM' dates, with no ambiguity to mention", () => {
    const [failed] = failures(
      csv((i) => `${(i % 28) + 1}.03.2024 08:30`),
      'date_text',
    );
    expect(failed.observed).toContain("100.0% in a non-ISO layout (dd.mm.yyyy): '1.03.2024 08:30' (line 2)");
    expect(failed.expected).not.toContain('5 January');
  });

  it('names a few non-ISO dates among ISO ones as timestamp tokens, with the convert hint', () => {
    const [failed] = failures(
      csv((i) => (i === 3 ? '2024/01/04' : `2024-01-${String(i + 1).padStart(2, '0')}`)),
      'timestamp_tokens',
    );
    expect(failed.observed).toContain("'2024/01/04' (line 5)");
    expect(failed.expected).toContain('convert them to ISO-8601 upstream');
  });

  it('leaves version numbers and fractions alone', () => {
    expect(check(csv((i) => `1.${i % 4}.${i % 7}`)).failed).toEqual([]);
    expect(check(csv((i) => `${i % 4}/${(i % 3) + 1}`)).failed).toEqual([]);
  });
});

describe('the text-shape checks read model inputs only (N2)', () => {
  it("passes a 'yyyy-mm' column the features list drops or the keep-list leaves out; fails it as an input", () => {
    const rows = Array.from(
      { length: 40 },
      (_, i) =>
        `${1950 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')},${i * 3},${i % 2 ? 'a' : 'b'}`,
    );
    const table = parseCsv(`Month,x,label\n${rows.join('\n')}\n`);
    const dates = (extra: Record<string, unknown>) =>
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
      }).failed.filter((r) => r.check === 'date_text');
    expect(dates({})).toHaveLength(1);
    expect(dates({ features: [{ drop: ['Month'] }] })).toEqual([]);
    expect(dates({ train: { features: ['x'] } })).toEqual([]);
  });
});

describe('common code columns stay text without a failure', () => {
  const codes: Record<string, (i: number) => string> = {
    ip: (i) => `192.168.${i % 4}.${i % 7}`,
    phone: (i) => `"+1 555-01${String(i % 9).padStart(2, '0')}"`,
    isbn: (i) => `978-3-16-14841${i % 8}-0`,
    time: (i) => `0${i % 9}:30`,
    duration: (i) => `${i % 3}h${(i % 4) * 15}m`,
    zip4: (i) => `1234${i % 6}-67${i % 9}9`,
    ordinal: (i) => ['1st', '2nd', '3rd', '4th'][i % 4],
    version: (i) => `v1.${i % 5}`,
    quarter: (i) => `Q${(i % 4) + 1} 2024`,
    score: (i) => `${i % 5}/5`,
    range: (i) => `${i % 5}-${(i % 5) + 10}`,
    model: (i) => `iPhone ${(i % 5) + 10}`,
    sizes: (i) => ['XS', 'S', 'M', '10', '12', '14'][i % 6],
  };
  for (const [name, value] of Object.entries(codes))
    it(name, () => expect(check(csv(value)).failed).toEqual([]));
});
