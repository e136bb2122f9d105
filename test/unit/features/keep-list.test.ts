import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../core/csv';
import { FeatureTransformError } from '../../../core/errors';
import { planKeepList } from '../../../core/features/keep-list';
import { applyFeatures, fitFeatures } from '../../../core/features/pipeline';
import { featuresSchema } from '../../../core/features/spec';
import { fitPreprocessing } from '../../../core/model/preprocess';
import { parseRawPredictBody, rawInputPreprocessing } from '../../../core/serving/raw-input';
import { validateSpec } from '../../../core/spec/load';
import { pipelineSpecSchema } from '../../../core/spec/schema';
import { stepParams } from '../../../core/step-params';
import { specForStep } from '../../../workflows/step-spec';

// A sales file with a text column, a leak column (revenue in another currency) and a "no data" code.
const csv =
  'region,units,price,co,revenue_eur,revenue\n' +
  Array.from({ length: 24 }, (_, i) => {
    const units = i % 6 === 0 ? '' : String(10 + i);
    const co = i % 4 === 0 ? -200 : (1 + i / 10).toFixed(1);
    const revenue = (10 + i) * (5 + (i % 3));
    return `${i % 2 ? 'n' : 's'},${units},${5 + (i % 3)},${co},${(revenue * 0.92).toFixed(2)},${revenue}`;
  }).join('\n') +
  '\n';
const table = parseCsv(csv);
const trainRows = Int32Array.from({ length: 20 }, (_, i) => i);
const fit = (features: unknown[], keepList?: string[]) =>
  fitFeatures({
    table,
    specs: featuresSchema.parse(features),
    target: 'revenue',
    task: 'regression',
    trainRows,
    inputSha256: 'x',
    ...(keepList ? { keepList } : {}),
  });

describe('features stage with a train.features keep-list', () => {
  it('reads only the kept columns: no encode demanded for a left-out text column, none asked at serving', async () => {
    const { fitted, output } = await fit(
      [{ impute: { columns: ['units'], strategy: 'median' } }],
      ['units', 'price'],
    );
    expect(fitted.features).toEqual(['units', 'price']);
    expect(fitted.inputs.map((c) => c.name)).toEqual(['units', 'price']);
    expect(output.schema.fields.map((f) => f.name)).toEqual(['units', 'price', 'revenue']);
  });

  it('an encode/impute/drop of a left-out column is a no-op; a kept text column keeps its one-hot columns', async () => {
    const { fitted } = await fit(
      [
        { impute: { columns: ['units', 'co'], strategy: 'median' } },
        { encode: { columns: ['region'] } },
        { drop: ['revenue_eur'] },
      ],
      ['units', 'region'],
    );
    expect(fitted.features).toEqual(['units', 'region=n', 'region=s']);
    expect(fitted.inputs.map((c) => c.name)).toEqual(['region', 'units']);
  });

  it("keeps a derive's inputs for the stage only; the model gets what the keep-list names", async () => {
    const { fitted, output } = await fit(
      [{ derive: { co_known: 'co != -200' } }, { drop: ['co'] }],
      ['co_known', 'price'],
    );
    expect(fitted.features).toEqual(['price', 'co_known']);
    expect(fitted.inputs.map((c) => c.name)).toEqual(['price', 'co']);
    expect(output.getChild('co_known')!.get(0)).toBe(0);
    // Validation and serving apply the stored (narrowed) transforms to a full raw table.
    const applied = await applyFeatures(table, fitted);
    expect(applied.schema.fields.map((f) => f.name)).toEqual(['price', 'co_known', 'revenue']);
  });

  it('a kept text column without an encode is named alone, with the keep-list as the way out', async () => {
    const error = await fit(
      [{ impute: { columns: ['units'], strategy: 'median' } }],
      ['units', 'region'],
    ).catch((e: Error) => e);
    expect((error as Error).message).toContain("has text column(s) 'region' (add an encode transform");
    expect((error as Error).message).not.toContain('revenue_eur');
    expect((error as Error).message).toContain('or leave them out of train.features');
  });

  it('a kept name a transform drops fails up front, naming the transform and the nearest name', async () => {
    const specs = featuresSchema.parse([{ derive: { co_known: 'co != -200' } }, { drop: ['co'] }]);
    expect(() => planKeepList(['co', 'price', 'revenue'], specs, ['co', 'price'], 'revenue')).toThrow(
      FeatureTransformError,
    );
    await expect(
      fit([{ derive: { co_known: 'co != -200' } }, { drop: ['co'] }], ['co', 'price']),
    ).rejects.toThrow("train.features lists 'co', which features[1] drops; did you mean 'co_known'?");
    await expect(fit([{ drop: ['co'] }], ['units', 'revenue'])).rejects.toThrow(
      "train.features lists the target 'revenue'",
    );
    await expect(fit([{ rename: { price: 'unit_price' } }], ['price', 'units'])).rejects.toThrow(
      "train.features lists 'price', which features[0] renames to 'unit_price'",
    );
  });
});

describe('serving a model with a features stage', () => {
  it("a category seen in training is known (not 'unseen'); only an encode's categories are checked", async () => {
    const { fitted, output } = await fit(
      [{ impute: { columns: ['units'], strategy: 'median' } }, { encode: { columns: ['region'] } }],
      ['units', 'price', 'region'],
    );
    const prep = fitPreprocessing(output, fitted.features, 'revenue', trainRows, 'regression');
    const raw = rawInputPreprocessing(fitted, prep);
    const body = {
      instances: [
        { units: 10, price: 6, region: 'n' },
        { units: 10, price: 6, region: 'w' },
      ],
    };
    const { warnings } = await parseRawPredictBody(body, fitted, raw, prep);
    expect(warnings.map((w) => w.warning)).toEqual([
      "unseen category 'w' (encoded as none of the known ones)",
    ]);
    // The leak column the keep-list leaves out is not asked for.
    await expect(
      parseRawPredictBody({ instances: [{ units: 1, price: 2, region: 's' }] }, fitted, raw, prep),
    ).resolves.toBeDefined();
  });
});

describe("the features step's cache key", () => {
  it('changes with the keep-list when a features list is present (its output depends on it)', () => {
    const spec = (keep: string[], features?: unknown[]) =>
      pipelineSpecSchema.parse({
        name: 'k',
        source: { uri: './k.csv' },
        target: { column: 'revenue' },
        ...(features ? { features } : {}),
        train: { features: keep },
      });
    const withList = [{ drop: ['revenue_eur'] }];
    const a = stepParams('features', specForStep('features', spec(['units'], withList)));
    const b = stepParams('features', specForStep('features', spec(['units', 'price'], withList)));
    expect(a).not.toEqual(b);
    expect(a['train.features']).toEqual(['units']);
    // Without a features list the stage passes the data on: the keep-list is train's alone.
    expect(stepParams('features', spec(['units']))).toEqual(stepParams('features', spec(['units', 'price'])));
  });
});

describe('spec load', () => {
  it('refuses a keep-list naming a column the features list drops, before any step runs', () => {
    const raw = {
      name: 'aqco',
      source: { uri: './aq_co.csv' },
      target: { column: 'PT08.S1(CO)' },
      features: [{ derive: { 'CO(GT)_known': "'CO(GT)' != -200" } }, { drop: ['CO(GT)'] }],
      train: { features: ['CO(GT)', 'C6H6(GT)', 'T'] },
    };
    expect(() => validateSpec(raw)).toThrow(
      "train.features: train.features lists 'CO(GT)', which features[1] drops; did you mean 'CO(GT)_known'?",
    );
    // The same keep-list naming the derived column loads; one with a column only the data can confirm too.
    expect(() =>
      validateSpec({ ...raw, train: { features: ['CO(GT)_known', 'C6H6(GT)', 'T'] } }),
    ).not.toThrow();
  });
});
