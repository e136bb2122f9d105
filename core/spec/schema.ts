import { z } from 'zod';
import { cardinalitySpec, dataSchemaSpec, driftSpec, rowFlagsSpec } from './data-checks-schema';
import { datasetChecksSpec } from './dataset-checks-schema';
import { checkNumberFormat, sourceReadOptions } from './source-schema';
import { featuresSchema } from '../features/spec';
import { SAFE_NAME } from '../names';

/** Temporal retry policy knobs a spec may set for a step. */
const retrySchema = z
  .object({
    maximumAttempts: z.number().int().min(1).default(3),
    initialInterval: z.string().default('1s'),
    backoffCoefficient: z.number().min(1).default(2),
    maximumInterval: z.string().default('1m'),
  })
  .strict();

/** Duration strings as Temporal accepts them: `500ms`, `30s`, `10m`, `2h`, `7d`. */
const duration = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, 'must be a duration such as 30s, 10m or 2h');

const stepOptions = {
  retry: retrySchema.prefault({}),
  /** Start-to-close timeout of one attempt. */
  timeout: duration.optional(),
  /** How long a run paused on this step (retries exhausted) waits for `quiver retry` before failing. */
  pauseTimeout: duration.default('7d'),
  /**
   * An attempt that stops heartbeating this long is presumed dead (its worker crashed or was killed)
   * and retried; every step heartbeats, training every epoch and the others every second.
   */
  heartbeatTimeout: duration.default('30s'),
};

const rangeSchema = z
  .object({ min: z.number().optional(), max: z.number().optional() })
  .strict()
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, 'min must not exceed max');

/** A validation slice: the holdout rows grouped by the value of one column, each with its minimums. */
const sliceSchema = z
  .object({
    column: z.string().min(1),
    min: z.record(z.string(), z.number()).default({}),
    /** Slices with fewer holdout rows are reported but not gated (too few rows to judge). */
    minRows: z.number().int().min(1).default(1),
  })
  .strict();

/** `train.model`: a built-in model, or a TypeScript module (path relative to the spec file) that builds one. */
const modelChoice = z.union(
  [z.enum(['mlp', 'logistic', 'linear']), z.object({ module: z.string().min(1) }).strict()],
  { error: "must be 'mlp', 'logistic', 'linear' or { module: ./path/to/model.ts }" },
);

export const pipelineSpecSchema = z
  .object({
    name: z.string().regex(SAFE_NAME, 'must be letters, digits, - or _ (it names runs and models)'),
    source: z
      .object({
        /** Local path (relative to the spec file) or `file://` URI of a CSV (header row), Parquet, Arrow or JSONL file. */
        uri: z.string().min(1),
        ...sourceReadOptions,
        ...stepOptions,
      })
      .strict()
      .superRefine(checkNumberFormat),
    target: z
      .object({
        column: z.string().min(1),
        /** `auto`: strings/booleans and small integer label sets classify, other numbers regress. */
        task: z.enum(['auto', 'classification', 'regression']).default('auto'),
      })
      .strict(),
    split: z
      .object({
        holdout: z.number().gt(0).lt(1).default(0.2),
        seed: z.number().int().default(42),
        /** Rows sharing this column's value stay on one side (panel data: one customer's monthly rows). */
        groupBy: z.string().min(1).optional(),
        /** Accepts a row-wise split although an id column repeats (the rows are independent). */
        rowWise: z.boolean().optional(),
      })
      .strict()
      .prefault({}),
    sanity: z
      .object({
        minRows: z.number().int().min(1).default(10),
        /** Columns that must exist; the target column always must. */
        requiredColumns: z.array(z.string()).default([]),
        maxNullFraction: z.number().min(0).max(1).default(0.1),
        /** Per-column overrides of `maxNullFraction`. */
        nullFractions: z.record(z.string(), z.number().min(0).max(1)).default({}),
        ranges: z.record(z.string(), rangeSchema).default({}),
        categories: z.record(z.string(), z.array(z.string()).min(1)).default({}),
        /** The pinned data schema's tolerance and per-column overrides. */
        schema: dataSchemaSpec,
        /** Row-level flag policies per check: fail, drop (up to a fraction) or keep. */
        flags: rowFlagsSpec,
        /** Drift against the production model's training-data profile. */
        drift: driftSpec,
        /** Id-like string columns (too many distinct values to one-hot encode) fail sanity. */
        cardinality: cardinalitySpec,
        /** Whole-data-set checks: duplicates, rare classes, target copies, numeric sentinels. */
        dataset: datasetChecksSpec,
        ...stepOptions,
      })
      .strict()
      .prefault({}),
    /** Transforms between sanity and train, fitted on the training rows (see core/features). */
    features: featuresSchema.optional(),
    train: z
      .object({
        /**
         * Feature columns to train on (a keep-list); default: every column except the target. To drop a
         * column instead, list the others here or use the `features` stage's `drop` transform.
         */
        features: z.array(z.string()).optional(),
        /** `mlp` (default), `logistic`, `linear`, or `{ module: path }` building a tf.js layers model. */
        model: modelChoice.default('mlp'),
        /** Classification only: `balanced` (n / (classes × count)) or a weight per class label. */
        classWeights: z.union([z.literal('balanced'), z.record(z.string(), z.number().gt(0))]).optional(),
        hiddenUnits: z.array(z.number().int().min(1)).default([16, 16]),
        epochs: z.number().int().min(1).max(10_000).default(50),
        batchSize: z.number().int().min(1).default(16),
        learningRate: z.number().gt(0).default(0.01),
        seed: z.number().int().default(42),
        /** Save weights + optimizer state at most this often (`0s`: every epoch); a retry resumes there. */
        checkpointEvery: duration.default('10s'),
        /** How long training waits for a GPU worker before it falls back to the CPU queue. */
        gpuWait: duration.default('10m'),
        /** Fail instead of falling back when no GPU worker picks training up within `gpuWait`. */
        requireGpu: z.boolean().default(false),
        /** Stop when `monitor` on a validation split of the training rows stops improving. */
        earlyStopping: z
          .object({
            patience: z.number().int().min(1),
            monitor: z.enum(['val_loss', 'val_accuracy']).default('val_loss'),
            /** Fraction of the training rows held out to monitor (never trained on). */
            validationFraction: z.number().gt(0).lt(1).default(0.1),
            minDelta: z.number().min(0).default(0),
          })
          .strict()
          .optional(),
        ...stepOptions,
        /** Training heartbeats every epoch, and an epoch may be long: a minute before it is presumed dead. */
        heartbeatTimeout: duration.default('1m'),
      })
      .strict()
      .prefault({}),
    validate: z
      .object({
        /** Minimum value per metric (`accuracy`, `macroF1`, `auc`); `logLoss` is a maximum. */
        min: z
          .object({
            accuracy: z.number().min(0).max(1).optional(),
            macroF1: z.number().min(0).max(1).optional(),
            auc: z.number().min(0).max(1).optional(),
            /** Regression: coefficient of determination. */
            r2: z.number().max(1).optional(),
          })
          .strict()
          .default({}),
        max: z
          .object({
            logLoss: z.number().min(0).optional(),
            /** Regression errors, in the target's units. */
            rmse: z.number().min(0).optional(),
            mae: z.number().min(0).optional(),
          })
          .strict()
          .default({}),
        /**
         * Fail a candidate that does not beat the naive baseline on the holdout: the training rows'
         * majority class (accuracy) or their mean (RMSE). `false` deploys it anyway.
         */
        beatBaseline: z.boolean().default(true),
        /** Champion/challenger: how much worse than the production model a candidate may be, per metric. */
        maxRegression: z.record(z.string(), z.number().min(0)).default({}),
        /** Keep production on a champion the candidate is clearly worse than (0.2 on auc/macroF1/accuracy/r2); `false` replaces it anyway. */
        championGuard: z.boolean().optional(),
        /** A holdout below this many rows (default 30), or a class below minHoldoutClassRows (default 10), is called too small to judge. */
        minHoldoutRows: z.number().int().min(0).optional(),
        minHoldoutClassRows: z.number().int().min(0).optional(),
        /** Per-slice metrics (one slice per value of `column`) and their minimums. */
        slices: z.array(sliceSchema).default([]),
        /** Pass a classifier whose classes differ from the champion's (a class retired or added on purpose). */
        allowClassChange: z.boolean().default(false),
        ...stepOptions,
      })
      .strict()
      .prefault({}),
    deploy: z
      .object({
        /** Registry model name; default: the pipeline name. */
        model: z.string().regex(SAFE_NAME).optional(),
        alias: z.string().regex(SAFE_NAME).default('production'),
        /** Wait for `quiver approve RUN` (or `reject`) before moving the alias. */
        requireApproval: z.boolean().default(false),
        /** How long a run waits for approval before failing. */
        approvalTimeout: duration.default('7d'),
        /** Words for the model card (`quiver models card`): who owns the model and what it is for. */
        card: z
          .object({
            owner: z.string().optional(),
            intendedUse: z.string().optional(),
            description: z.string().optional(),
            limitations: z.string().optional(),
          })
          .strict()
          .optional(),
        ...stepOptions,
      })
      .strict()
      .prefault({}),
    /**
     * How steps run: `activities` (default) sends each to its task queue as a Temporal activity
     * (heartbeats, live epochs, GPU routing); `local` runs every step, training included, as a local
     * activity on the workflow's worker: one workflow task per step, for short CPU pipelines.
     */
    execution: z
      .enum(['activities', 'local'], {
        error: "must be 'activities' (each step a Temporal activity) or 'local' (steps as local activities)",
      })
      .optional(),
  })
  .strict();

/** A pipeline spec as written in YAML (defaults optional). */
export type PipelineSpecInput = z.input<typeof pipelineSpecSchema>;
/** A validated spec with every default filled in: what runs receive. */
export type PipelineSpec = z.output<typeof pipelineSpecSchema>;
export type RetrySpec = z.output<typeof retrySchema>;
export type SliceSpec = z.output<typeof sliceSchema>;
export type ModelChoice = z.output<typeof modelChoice>;
