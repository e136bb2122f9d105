import * as arrow from 'apache-arrow';
import { FeatureTransformError } from '../errors';
import { applyFeatures } from '../features/pipeline';
import type { FittedFeatures } from '../features/types';
import { transformFeatures, type FeatureTransform, type Preprocessing } from '../model/preprocess';
import { BadRequestError, parsePredictBody } from './request';
import type { TextRules } from './text-rules';
import { ownValue, columnRecord } from '../own-keys';

/**
 * The raw columns a model behind a features stage takes, shaped as a Preprocessing so the request
 * checks and the prediction log treat them like any model's features (numbers, booleans, strings).
 */
export function rawInputPreprocessing(fitted: FittedFeatures, prep: Preprocessing): Preprocessing {
  const features = fitted.inputs.map((column): FeatureTransform =>
    column.type === 'string'
      ? { name: column.name, kind: 'categorical', ...rawCategories(fitted, column.name), offset: 0 }
      : {
          name: column.name,
          kind: 'numeric',
          dtype: column.type,
          ...(column.logicalType ? { logicalType: column.logicalType } : {}),
          ...(column.min !== undefined && column.max !== undefined
            ? { min: column.min, max: column.max }
            : {}),
          mean: 0,
          std: 1,
          offset: 0,
        },
  );
  return { ...prep, features, inputWidth: 0 };
}

/**
 * The categories a raw text column is known by: those its one-hot/ordinal `encode` learned in training
 * (the stage's own state: a value seen in the training file is never "unseen"); any category when no
 * such encode fixes them (hashed, an `other` bucket, renamed first, read by a module).
 */
function rawCategories(
  fitted: FittedFeatures,
  name: string,
): { categories: string[]; anyCategory?: boolean } {
  for (const t of fitted.transforms) {
    if (t.kind !== 'encode' || t.modulePath) continue;
    const state = t.state as {
      method?: string;
      columns?: Record<string, { categories: string[]; other: boolean }>;
    };
    const column =
      state.columns && Object.prototype.hasOwnProperty.call(state.columns, name)
        ? state.columns[name]
        : undefined;
    if (!column) continue;
    if (state.method === 'hashing' || column.other) break;
    return { categories: column.categories };
  }
  return { categories: [], anyCategory: true };
}

/**
 * A predict body for a model with fitted transforms: every raw column checked (named on refusal),
 * the rows turned into an Arrow table, the model's fitted transforms applied exactly as in training
 * and validation, then the model's input encoding. A transform refusing a row's values answers 400.
 */
export async function parseRawPredictBody(
  body: unknown,
  fitted: FittedFeatures,
  rawPrep: Preprocessing,
  prep: Preprocessing,
  rules: TextRules | null = null,
): Promise<ReturnType<typeof parsePredictBody>> {
  const { instances, warnings } = parsePredictBody(body, rawPrep, rules);
  const columns = columnRecord<arrow.Vector>();
  for (const column of fitted.inputs) {
    const values = instances.map((instance) => ownValue(instance, column.name) ?? null);
    columns[column.name] =
      column.type === 'string'
        ? arrow.vectorFromArray(values as (string | null)[], new arrow.Utf8())
        : column.type === 'boolean'
          ? arrow.vectorFromArray(
              values.map((v) => (v === null ? null : Boolean(v))),
              new arrow.Bool(),
            )
          : arrow.vectorFromArray(values as (number | null)[], new arrow.Float64());
  }
  let table: arrow.Table;
  try {
    table = await applyFeatures(new arrow.Table(columns), fitted);
  } catch (error) {
    if (error instanceof FeatureTransformError) throw new BadRequestError('instances', error.message);
    throw error;
  }
  const rows = Int32Array.from({ length: instances.length }, (_, i) => i);
  return { instances, features: transformFeatures(table, prep, rows), warnings };
}
