import { describe, expect, it } from 'vitest';
import { DEFAULT_NULL_VALUES } from '../../../core/csv';
import type { Preprocessing } from '../../../core/model/preprocess';
import { parsePredictBody } from '../../../core/serving/request';
import {
  DEFAULT_TEXT_RULES,
  modelTextRules,
  readText,
  textRulesOfSource,
  trainingTextRules,
} from '../../../core/serving/text-rules';

const prep: Preprocessing = {
  version: 1,
  target: 'label',
  labelType: 'string',
  classes: ['a', 'b'],
  features: [
    { name: 'size', kind: 'numeric', dtype: 'number', mean: 10, std: 2, offset: 0 },
    { name: 'color', kind: 'categorical', categories: ['blue', 'red'], offset: 1 },
    { name: 'member', kind: 'numeric', dtype: 'boolean', mean: 0.5, std: 0.5, offset: 3 },
  ],
  inputWidth: 4,
};

describe('text rules: serving reads strings as ingest read the training data', () => {
  it("are the CSV reader's settings for a CSV source, none for typed formats", () => {
    expect(textRulesOfSource({ uri: 'file:///d/t.csv' })).toEqual({
      trim: true,
      nullValues: [...DEFAULT_NULL_VALUES],
    });
    expect(textRulesOfSource({ uri: './t.csv', trim: false, nullValues: ['x'] })).toEqual({
      trim: false,
      nullValues: ['x'],
    });
    expect(textRulesOfSource({ uri: './t.parquet' })).toEqual({ trim: false, nullValues: [] });
    expect(modelTextRules({})).toEqual(DEFAULT_TEXT_RULES);
    expect(modelTextRules({ text_rules: '{"trim":false,"nullValues":[]}' })).toEqual({
      trim: false,
      nullValues: [],
    });
  });

  it("come from ingest's lineage params when the train step has no source section", () => {
    const params = JSON.stringify({ source: { uri: './t.csv', trim: false, nullValues: ['-'] } });
    const data = { schema: { metadata: new Map([['quiver.params', params]]) } };
    expect(trainingTextRules(undefined, data)).toEqual({ trim: false, nullValues: ['-'] });
    expect(trainingTextRules(undefined, { schema: { metadata: new Map() } })).toBeNull();
  });

  it('trim blanks and read null tokens, as core/csv.ts does for unquoted fields', () => {
    expect(readText('red ', DEFAULT_TEXT_RULES)).toBe('red');
    expect(readText('\tred', DEFAULT_TEXT_RULES)).toBe('red');
    expect(readText(' NA ', DEFAULT_TEXT_RULES)).toBeNull();
    expect(readText('  ', DEFAULT_TEXT_RULES)).toBeNull();
    expect(readText('red ', { trim: false, nullValues: [] })).toBe('red ');
  });

  it('a model trained with trim serves "red " as red, without an unseen-category warning', () => {
    const body = { instances: [{ size: 'NA', color: 'red ', member: ' True ' }] };
    const { instances, features, warnings } = parsePredictBody(body, prep, DEFAULT_TEXT_RULES);
    expect(warnings).toEqual([]);
    expect(instances[0]).toMatchObject({ size: null, color: 'red', member: true });
    expect(Array.from(features)).toEqual([0, 0, 1, 1]);
    // Without trimming (a model trained with source.trim: false) 'red ' is a category of its own.
    const untrimmed = parsePredictBody({ instances: [{ size: 1, color: 'red ', member: true }] }, prep, {
      trim: false,
      nullValues: [],
    });
    expect(untrimmed.warnings.map((w) => w.warning)).toEqual([
      "unseen category 'red ' (encoded as none of the known ones)",
    ]);
  });

  it("keeps a category known as written (a typed source's padded value is not trimmed away)", () => {
    const padded: Preprocessing = {
      ...prep,
      features: [{ name: 'color', kind: 'categorical', categories: ['red', 'red '], offset: 0 }],
      inputWidth: 2,
    };
    const { features } = parsePredictBody({ instances: [{ color: 'red ' }] }, padded, DEFAULT_TEXT_RULES);
    expect(Array.from(features)).toEqual([0, 1]);
  });
});
