import { z } from 'zod';
import { SAFE_NAME } from '../names';

/**
 * Spec sections of the data checks inside `sanity`: the pinned schema's overrides, the row-level
 * flag policies, and drift against the production model's training data.
 */

/** One column of a data schema as a spec may override it; unset fields keep the pinned value. */
export const schemaColumnOverride = z
  .object({
    type: z.enum(['number', 'string', 'boolean']).optional(),
    nullable: z.boolean().optional(),
    /** The allowed values, or `any`: any value passes (free text, ids; nothing is pinned). */
    categories: z.union([z.array(z.string()).min(1), z.literal('any')]).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    /** Leave the column out of every schema, row-flag and cardinality check. */
    ignore: z.boolean().optional(),
  })
  .strict()
  .refine((c) => c.min === undefined || c.max === undefined || c.min <= c.max, 'min must not exceed max');

export const dataSchemaSpec = z
  .object({
    /** Inferred numeric ranges are widened by this fraction of the observed span on each side. */
    tolerance: z.number().min(0).default(0.1),
    /** Per-column overrides of the pinned (or inferred) schema. */
    columns: z.record(z.string(), schemaColumnOverride).default({}),
  })
  .strict()
  .prefault({});

/** What a row-level check does with the rows it flags. */
const flagPolicy = (policy: 'fail' | 'drop' | 'keep') =>
  z
    .object({
      /** `fail` the run on any flagged row; `drop` them (up to maxFraction, then fail); `keep` and report. */
      policy: z.enum(['fail', 'drop', 'keep']).default(policy),
      /** With `drop`: the largest fraction of rows this check may drop before the run fails. */
      maxFraction: z.number().min(0).max(1).default(0.05),
    })
    .strict()
    .prefault({});

export const rowFlagsSpec = z
  .object({
    missingLabel: flagPolicy('fail'),
    nullForbidden: flagPolicy('fail'),
    outOfRange: flagPolicy('fail'),
    unseenCategory: flagPolicy('fail'),
    /** Exact copies of an earlier row; kept by default (small data sets often repeat rows). */
    duplicate: flagPolicy('keep'),
  })
  .strict()
  .prefault({});

export const driftSpec = z
  .object({
    /** Compare against the training data of this alias of the deploy model (none yet: skipped). */
    alias: z.string().regex(SAFE_NAME).default('production'),
    /** Population stability index above which a numeric feature has drifted. */
    psi: z.number().min(0).default(0.2),
    /** L-infinity distance of category shares above which a categorical feature has drifted. */
    linf: z.number().min(0).max(1).default(0.1),
    /** Quantile bins of the numeric reference profile. */
    bins: z.number().int().min(2).max(100).default(10),
    /** `warn`: record breaches and go on (retraining on new data is often the point); `fail`: stop. */
    onBreach: z.enum(['warn', 'fail']).default('warn'),
  })
  .strict()
  .prefault({});

export type SchemaColumnOverride = z.output<typeof schemaColumnOverride>;
export type RowFlagsSpec = z.output<typeof rowFlagsSpec>;
export type RowFlagCheck = keyof RowFlagsSpec;
export type DriftSpec = z.output<typeof driftSpec>;

/**
 * When a string column is id-like (a customer id, free text): too many distinct values to one-hot
 * encode or to pin. Such a feature fails sanity unless its schema override says `categories: any`
 * or `ignore: true`.
 */
export const cardinalitySpec = z
  .object({
    /** Distinct values / non-null rows above this is id-like (once there are `minDistinct` values). */
    maxShare: z.number().gt(0).max(1).default(0.5),
    /** More distinct values than this is id-like whatever the share (the features stage's `maxCategories`). */
    maxCategories: z.number().int().min(2).default(1000),
    /** Below this many distinct values a column is never id-like by share (small data sets). */
    minDistinct: z.number().int().min(1).default(20),
  })
  .strict()
  .prefault({});

export type CardinalitySpec = z.output<typeof cardinalitySpec>;
