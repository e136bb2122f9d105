import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../core/csv';
import { fitFeatures } from '../../../core/features/pipeline';
import { fitPreprocessing } from '../../../core/model/preprocess';
import { rawInputPreprocessing } from '../../../core/serving/raw-input';
import { parsePredictBody } from '../../../core/serving/request';
import { textRulesOfSource } from '../../../core/serving/text-rules';

// Air-Quality style: -200 is the file's "no data" code (BREAKER9 #17).
const csv = `co,temp,label\n${Array.from({ length: 20 }, (_, i) => `${i % 5 === 0 ? -200 : (1 + i / 10).toFixed(1)},${10 + i},${i % 2 ? 'a' : 'b'}`).join('\n')}\n`;
const rules = textRulesOfSource({ uri: './aq.csv', nullValues: ['', '-200'] });
const table = parseCsv(csv, { nullValues: ['', '-200'] });
const rows = Int32Array.from({ length: 20 }, (_, i) => i);
const prep = fitPreprocessing(table, ['co', 'temp'], 'label', rows);

describe('serving: numeric null tokens and numbers far outside the training range', () => {
  it('records the training range of each number feature', () => {
    expect(prep.features[0]).toMatchObject({ name: 'co', min: 1.1, max: 2.9 });
  });

  it('a JSON number listed in source.nullValues is a missing value, as in the file', () => {
    const asNull = parsePredictBody({ instances: [{ co: null, temp: 12 }] }, prep, rules);
    const asToken = parsePredictBody(
      {
        instances: [
          { co: -200, temp: 12 },
          { co: -200.0, temp: 12 },
        ],
      },
      prep,
      rules,
    );
    expect(asToken.instances[0].co).toBeNull();
    expect(Array.from(asToken.features.slice(0, 2))).toEqual(Array.from(asNull.features));
    expect(asToken.warnings).toEqual([]);
  });

  it('a number far outside the training range is reported per instance; one inside is not', () => {
    const { warnings } = parsePredictBody(
      {
        instances: [
          { co: 2.1, temp: 12 },
          { co: 1e5, temp: 12 },
        ],
      },
      prep,
      rules,
    );
    expect(warnings).toEqual([
      {
        instance: 1,
        field: 'instances[1].co',
        warning: '100000 is far outside the training range [1.1, 2.9] (the model extrapolates)',
      },
    ]);
  });

  it('a model with a features stage warns on its raw inputs too', async () => {
    const complete = parseCsv(csv.replace(/^-200,.*\n/gm, ''));
    expect(complete.numRows).toBe(16);
    const { fitted } = await fitFeatures({
      table: complete,
      specs: [],
      target: 'label',
      task: 'classification',
      trainRows: rows.subarray(0, 16),
      inputSha256: 'x',
    });
    const raw = rawInputPreprocessing(fitted, prep);
    const { warnings } = parsePredictBody({ instances: [{ co: -200, temp: 500 }] }, raw, rules);
    expect(warnings.map((w) => w.field)).toEqual(['instances[0].temp']);
  });
});
