import { describe, expect, it } from 'vitest';
import { parseCsv, type CsvOptions } from '../../../core/csv';
import { checkCsv } from '../../support/data-checks';

const check = checkCsv;
const col = (text: string, name: string, options: CsvOptions = {}) => [
  ...parseCsv(text, options).getChild(name)!,
];

describe('digit groups and decimal marks never read across an unquoted field boundary', () => {
  it("thousands: ',' in a ',' file splits unquoted numbers and reads quoted groups", () => {
    const text = 'sqft,garage,yr,price\n2596,2,1937,"403,400"\n1200,0,2001,"1,250,000"\n';
    expect(col(text, 'sqft', { thousands: ',' })).toEqual([2596, 1200]);
    expect(col(text, 'garage', { thousands: ',' })).toEqual([2, 0]);
    expect(col(text, 'price', { thousands: ',' })).toEqual([403400, 1250000]);
    expect(col('x,weight,label\n1,"7,900",a\n3,950,a\n', 'weight', { thousands: ',' })).toEqual([7900, 950]);
  });

  it("decimal: ',' in a ',' file splits unquoted numbers and reads quoted decimals", () => {
    const text = 'x1,x2,y\n3,82,"2,4"\n4,5,"1,25"\n';
    expect(col(text, 'x1', { decimal: ',' })).toEqual([3, 4]);
    expect(col(text, 'y', { decimal: ',' })).toEqual([2.4, 1.25]);
  });
});

describe('digit groups are exactly 3 digits', () => {
  it('reads 1.234,5 and 12.345.678 under German settings, and never 1.5 as 15', () => {
    const de = { delimiter: ';', decimal: ',', thousands: '.' } as const;
    expect(col('x;label\n1.234,5;a\n12.345.678;b\n', 'x', de)).toEqual([1234.5, 12345678]);
    const rows = Array.from({ length: 30 }, (_, i) => `${i % 5},${i % 10};${i % 2 ? 'a' : 'b'}`);
    rows[7] = '1.5;a';
    const table = parseCsv(`x;label\n${rows.join('\n')}\n`, de);
    expect(table.schema.fields[0].type.toString()).not.toBe('Float64');
    const failed = check(`x;label\n${rows.join('\n')}\n`, de).failed.find(
      (r) => r.check === 'numeric_tokens',
    )!;
    expect(failed.column).toBe('x');
    expect(failed.observed).toContain("'1.5' (line 9)");
  });

  it('rejects groups of other widths (1.23.456, 12345.678)', () => {
    const de = { delimiter: ';', decimal: ',', thousands: '.' } as const;
    expect(col('x;label\n1.23.456;a\n12345.678;b\n1;a\n', 'x', de).slice(0, 2)).toEqual([
      '1.23.456',
      '12345.678',
    ]);
  });
});

describe('German digit groups beside integers of any width are flagged in a ; file', () => {
  it("fails '9.814' beside 85 and 611, naming source.thousands", () => {
    expect(() => parseCsv('area;label\n611;a\n85;b\n9.814;a\n22.083;b\n', { delimiter: ';' })).toThrow(
      /column 'area': '9\.814' \(line 4\).*source\.thousands: '\.'/,
    );
  });

  it('leaves real decimals alone: 0.125, varied decimal widths', () => {
    expect(col('x;label\n0.125;a\n2;b\n', 'x', { delimiter: ';' })).toEqual([0.125, 2]);
    expect(col('x;label\n1.125;a\n2;b\n3.5;a\n', 'x', { delimiter: ';' })).toEqual([1.125, 2, 3.5]);
  });
});

describe('the Unicode minus sign', () => {
  it('reads U+2212 before a number as a minus sign, quoted or not', () => {
    expect(col('t,label\n\u22120.1,a\n1.8,b\n"\u22122",a\n\u22121e3,b\n', 't')).toEqual([
      -0.1, 1.8, -2, -1000,
    ]);
  });
});

describe("pandas' df.to_csv() index and Excel's sep= line", () => {
  it("names an empty first header cell 'Unnamed: 0' (pandas' index), and R's quoted one", () => {
    const table = parseCsv(',a,label\n0,5.1,x\n1,4.9,y\n');
    expect(table.schema.fields.map((f) => f.name)).toEqual(['Unnamed: 0', 'a', 'label']);
    expect([...table.getChild('Unnamed: 0')!]).toEqual([0, 1]);
    expect(parseCsv('"","a","label"\n"1",5.1,"x"\n').schema.fields[0].name).toBe('Unnamed: 0');
  });

  it('fails the id-like check on it with the drop hint', () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i},${(i * 7) % 11},${i % 2 ? 'a' : 'b'}`);
    const failed = check(`,x,label\n${rows.join('\n')}\n`).failed.map(
      (r) => `${r.check}(${r.column}): ${r.expected}`,
    );
    expect(failed.join('\n')).toMatch(/\(Unnamed: 0\).*drop/);
  });

  it("honours Excel's sep=; first line as the delimiter, keeping line numbers", () => {
    const table = parseCsv('sep=;\r\na;label\r\n1,5;x\r\n2;y\r\n', { decimal: ',' });
    expect(table.schema.fields.map((f) => f.name)).toEqual(['a', 'label']);
    expect([...table.getChild('a')!]).toEqual([1.5, 2]);
    expect(() => parseCsv('sep=;\na;label\n1;x;z\n')).toThrow(/line 3/);
  });
});

describe('numbers typed loosely in a free-text box are junk, not codes', () => {
  const loose = ['about 20', '5-10', '20ish', '~15', '40+', 'approx. 10', '20 or so', '10 to 15', 'none'];
  it("fails numeric_tokens on 60% numbers beside 40% varied 'about 20', '5-10', '20ish', naming them", () => {
    const rows = Array.from({ length: 100 }, (_, i) => {
      const hours = i % 5 < 3 ? String((i * 7) % 14) : `${loose[i % loose.length].replace(/\d+/, String(i))}`;
      return `${hours},${i % 2 ? 'a' : 'b'}`;
    });
    const failed = check(`hours,label\n${rows.join('\n')}\n`).failed.find(
      (r) => r.check === 'numeric_tokens',
    )!;
    expect(failed.column).toBe('hours');
    expect(failed.expected).toContain('numbers typed loosely');
  });

  it('leaves a code column (A1, B12, 300, 410) alone', () => {
    const rows = Array.from(
      { length: 100 },
      (_, i) => `${i % 2 ? 100 + i : `${'ABCD'[i % 4]}${i}`},${i % 3 ? 'a' : 'b'}`,
    );
    const checks = check(`code,label\n${rows.join('\n')}\n`).failed.map((r) => r.check);
    expect(checks).not.toContain('numeric_tokens');
  });
});

describe("the accounting dash '-' read as null in a numeric column", () => {
  const rows = Array.from(
    { length: 50 },
    (_, i) => `${i % 10 === 3 ? '-' : (i * 3) % 40},${i % 2 ? 'a' : 'b'}`,
  );
  const text = `discount,label\n${rows.join('\n')}\n`;

  it('stays null (as before) and fails null_tokens naming the count and the setting', () => {
    expect(parseCsv(text).getChild('discount')!.nullCount).toBe(5);
    const failed = check(text).failed.find((r) => r.check === 'null_tokens')!;
    expect(failed.column).toBe('discount');
    expect(failed.observed).toContain("'-' ×5 (10.0% of rows)");
    expect(failed.expected).toContain('source.nullValues');
  });

  it('is the user’s statement once source.nullValues is set, and a file-wide marker when text columns have it too', () => {
    expect(check(text, { nullValues: ['', '-'] }).failed.map((r) => r.check)).not.toContain('null_tokens');
    const both = `discount,kind,label\n${rows.map((r, i) => r.replace(',', `,${i === 5 ? '-' : 'x' + (i % 3)},`)).join('\n')}\n`;
    expect(check(both).failed.filter((r) => r.check === 'null_tokens' && r.column === 'discount')).toEqual(
      [],
    );
  });
});

describe("German digit groups under decimal: ',' alone", () => {
  it("fail numeric_tokens with source.thousands: '.', not the id-like hint", () => {
    const rows = Array.from(
      { length: 60 },
      (_, i) =>
        `${i % 5 < 3 ? 40 + i * 7 : `${1 + (i % 9)}.${String(100 + i * 13).slice(-3)}`};${i % 2 ? 'a' : 'b'}`,
    );
    const failed = check(`area;label\n${rows.join('\n')}\n`, { delimiter: ';', decimal: ',' }).failed;
    const tokens = failed.find((r) => r.check === 'numeric_tokens')!;
    expect(tokens.column).toBe('area');
    expect(tokens.expected).toContain("source.thousands: '.'");
    expect(failed.map((r) => r.check)).not.toContain('cardinality');
  });

  it("name only source.thousands: '.' for dot groups beside decimal commas ('1.100', '2.107,1', '102,2'), never 'fix the rows'", () => {
    const rows = Array.from({ length: 60 }, (_, i) => {
      const group = `${1 + (i % 9)}.${String(100 + i * 13).slice(-3)}`;
      return `${i % 4 === 0 ? group : i % 4 === 1 ? `${group},${i % 10}` : `${100 + i},${i % 10}`};${i % 2 ? 'a' : 'b'}`;
    });
    const failed = check(`umsatz;label\n${rows.join('\n')}\n`, { delimiter: ';', decimal: ',' }).failed;
    expect(failed.map((r) => [r.check, r.column])).toEqual([['numeric_tokens', 'umsatz']]);
    expect(failed[0].expected).toContain("source.thousands: '.'");
    expect(failed[0].expected).not.toContain('fix');
    // Rounded groups alone beside decimal commas ('10.000', '45,2') are numeric_text's, with the same setting.
    const rounded = Array.from(
      { length: 60 },
      (_, i) => `${i % 3 ? `${1 + (i % 9)}.000` : `${40 + i},5`};${i % 2 ? 'a' : 'b'}`,
    );
    const text = check(`area;label\n${rounded.join('\n')}\n`, { delimiter: ';', decimal: ',' }).failed;
    expect(text.map((r) => [r.check, r.column])).toEqual([['numeric_text', 'area']]);
    expect(text[0].expected).toContain("set source.thousands: '.'");
  });

  it("fail numeric_text when the dot groups are most of the column (rounded areas: '10.000' beside '600')", () => {
    const rows = Array.from(
      { length: 60 },
      (_, i) => `${i % 5 === 0 ? 100 * (1 + (i % 9)) : `${1 + (i % 31)}.000`};${i % 2 ? 'a' : 'b'}`,
    );
    const failed = check(`area;label\n${rows.join('\n')}\n`, { delimiter: ';', decimal: ',' }).failed;
    const text = failed.find((r) => r.check === 'numeric_text')!;
    expect(text.column).toBe('area');
    expect(text.observed).toMatch(/dot digit groups: '2\.000' \(line 3\)/);
    expect(text.expected).toContain("source.thousands: '.'");
    // With the setting the same file reads as numbers: 2.000 = 2000.
    expect(
      col(`area;label\n${rows.join('\n')}\n`, 'area', { delimiter: ';', decimal: ',', thousands: '.' })[1],
    ).toBe(2000);
  });
});
