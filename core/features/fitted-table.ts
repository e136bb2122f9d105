import * as arrow from 'apache-arrow';
import { DataError } from '../errors';
import type { FittedFeatures } from './types';

/** Schema-metadata key holding the whole fitted stage as JSON (in `transforms` and model checkpoints). */
export const FITTED_FEATURES_KEY = 'quiver.features.fitted';

/**
 * The fitted stage as a checkpoint: one row per transform (`index`, `name`, `kind`, `code_version`,
 * `cache_key`, `state` as JSON text), readable in any Arrow reader; the full JSON rides in metadata.
 */
export function fittedToArrow(fitted: FittedFeatures): arrow.Table {
  const t = fitted.transforms;
  const table = new arrow.Table({
    index: arrow.vectorFromArray(Int32Array.from(t, (x) => x.index)),
    name: arrow.vectorFromArray(
      t.map((x) => x.name),
      new arrow.Utf8(),
    ),
    kind: arrow.vectorFromArray(
      t.map((x) => x.kind),
      new arrow.Utf8(),
    ),
    code_version: arrow.vectorFromArray(
      t.map((x) => x.codeVersion),
      new arrow.Utf8(),
    ),
    cache_key: arrow.vectorFromArray(
      t.map((x) => x.cacheKey),
      new arrow.Utf8(),
    ),
    state: arrow.vectorFromArray(
      t.map((x) => JSON.stringify(x.state)),
      new arrow.Utf8(),
    ),
  });
  const metadata = new Map([[FITTED_FEATURES_KEY, JSON.stringify(fitted)]]);
  return new arrow.Table(new arrow.Schema(table.schema.fields, metadata), table.batches);
}

/** The fitted stage stored by fittedToArrow; throws DataError when the table carries none. */
export function fittedFromArrow(table: arrow.Table): FittedFeatures {
  const text = table.schema.metadata.get(FITTED_FEATURES_KEY);
  if (text === undefined)
    throw new DataError(`not a fitted features checkpoint: "${FITTED_FEATURES_KEY}" is missing`);
  return JSON.parse(text) as FittedFeatures;
}
