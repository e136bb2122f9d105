import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../core/errors';
import type { Preprocessing } from '../../../core/model/preprocess';
import { parsePredictBody } from '../../../core/serving/request';
import { modelTextRules, textRulesOfSource } from '../../../core/serving/text-rules';
import { parseJsonLines } from '../../../core/sources/jsonl';
import { TEXT_REASON_KEY } from '../../../core/sources/text-types';

const lines = (records: string[]) => records.join('\n') + '\n';
const column = (t: arrow.Table, name: string) =>
  Array.from({ length: t.numRows }, (_, i) => t.getChild(name)!.get(i));
const typeOf = (t: arrow.Table, name: string) => String(t.schema.fields.find((f) => f.name === name)!.type);

describe('JSON Lines: a column whose writer changed JSON types mid-file', () => {
  it('reads true/false mixed with 1/0 (and "true"/"0" strings) as one boolean column', () => {
    const table = parseJsonLines(
      lines([
        '{"x": 5.1, "big": false}',
        '{"x": 4.9, "big": 0}',
        '{"x": 6.3, "big": true}',
        '{"x": 6.1, "big": 1}',
        '{"x": 6.0, "big": null}',
        '{"x": 6.2, "big": "True"}',
        '{"x": 6.2, "big": "0"}',
      ]),
    );
    expect(typeOf(table, 'big')).toBe('Bool');
    expect(column(table, 'big')).toEqual([false, false, true, true, null, true, false]);
  });

  it('reads numbers mixed with numeric strings ("3.5") as numbers', () => {
    const table = parseJsonLines(lines(['{"n": 3}', '{"n": "3.5"}', '{"n": "-1e3"}', '{"n": null}']));
    expect(typeOf(table, 'n')).toBe('Float64');
    expect(column(table, 'n')).toEqual([3, 3.5, -1000, null]);
  });

  it('keeps zip codes written "02134" beside 10001 as text codes, saying why', () => {
    const table = parseJsonLines(lines(['{"zip": "02134"}', '{"zip": 10001}', '{"zip": 94105}']));
    expect(typeOf(table, 'zip')).toContain('Utf8');
    expect(column(table, 'zip')).toEqual(['02134', '10001', '94105']);
    expect(table.schema.fields[0].metadata.get(TEXT_REASON_KEY)).toContain(
      "codes with leading zeros ('02134')",
    );
  });

  it('refuses a boolean column holding other numbers or words, naming the column, the types and lines', () => {
    const read = () =>
      parseJsonLines(
        lines(['{"a": 1, "flag": true}', '{"a": 2, "flag": 7}', '{"a": 3, "flag": "maybe"}']),
        'j.jsonl',
      );
    expect(read).toThrow(DataError);
    expect(read).toThrow(
      /j\.jsonl: 'flag' mixes JSON types: booleans \(line 1: true\) and numbers \(line 2: 7\) and strings \(line 3: "maybe"\)/,
    );
  });
});

describe("JSON Lines: Python's NaN and Infinity literals", () => {
  it('reads NaN as null and ±Infinity as non-finite numbers (sanity names them), leaving strings alone', () => {
    const table = parseJsonLines(
      lines([
        '{"x": 1.5, "s": "NaN Infinity", "y": 1}',
        '{"x": NaN, "s": "b", "y": Infinity}',
        '{"x": 2, "s": "c \\" NaN", "y": -Infinity}',
      ]),
    );
    expect(column(table, 'x')).toEqual([1.5, null, 2]);
    expect(column(table, 's')).toEqual(['NaN Infinity', 'b', 'c " NaN']);
    expect(column(table, 'y')).toEqual([1, Infinity, -Infinity]);
  });

  it('still names the line of JSON that is invalid for another reason', () => {
    expect(() => parseJsonLines(lines(['{"x": 1}', '{"x": NaN, }']), 'p.jsonl')).toThrow(
      /p\.jsonl: line 2: not JSON/,
    );
  });
});

describe('serving a model trained on a JSON Lines text column that mixed types', () => {
  const prep: Preprocessing = {
    version: 1,
    target: 'label',
    labelType: 'string',
    classes: ['a', 'b'],
    features: [
      { name: 'zip', kind: 'categorical', categories: ['02134', '10001', '94105'], offset: 0 },
      { name: 'flag', kind: 'numeric', dtype: 'boolean', mean: 0.5, std: 0.5, offset: 3 },
    ],
    inputWidth: 4,
  };
  const rules = textRulesOfSource({ uri: './t.jsonl' });

  it('accepts a line copied from the training file: 10001 as a JSON number, a boolean as 1 or true', () => {
    const { instances, warnings } = parsePredictBody(
      {
        instances: [
          { zip: 10001, flag: 1 },
          { zip: '02134', flag: true },
        ],
      },
      prep,
      rules,
    );
    expect(instances.map((i) => i.zip)).toEqual(['10001', '02134']);
    expect(warnings).toEqual([]);
  });

  it("records that in the model's text rules; still refuses an unknown number, and any number for a CSV model", () => {
    expect(rules.jsonValues).toBe(true);
    expect(modelTextRules({ text_rules: JSON.stringify(rules) }).jsonValues).toBe(true);
    expect(() => parsePredictBody({ instances: [{ zip: 12345, flag: 0 }] }, prep, rules)).toThrow(
      /instances\[0\]\.zip: expected a string, got 12345/,
    );
    expect(() =>
      parsePredictBody({ instances: [{ zip: 10001, flag: 0 }] }, prep, textRulesOfSource({ uri: './t.csv' })),
    ).toThrow(/instances\[0\]\.zip: expected a string, got 10001/);
  });
});
