import { z } from 'zod';
import type { TransformSpec } from './types';

const columns = z.array(z.string().min(1)).min(1);
/** `[a, b]` or `{ columns: [a, b] }`: both read as the column list. */
const columnList = z.union([columns, z.object({ columns }).strict()]);

/** Params of every built-in transform, by name (the YAML key that selects it). */
export const BUILTIN_PARAMS = {
  drop: columnList,
  select: columnList,
  rename: z.record(z.string(), z.string().min(1)),
  derive: z.record(z.string(), z.string().min(1)),
  log1p: columnList,
  clip: z
    .object({ columns, min: z.number().optional(), max: z.number().optional() })
    .strict()
    .refine((p) => p.min !== undefined || p.max !== undefined, 'give min, max or both')
    .refine((p) => p.min === undefined || p.max === undefined || p.min <= p.max, 'min must not exceed max'),
  bucketize: z
    .object({ column: z.string().min(1), boundaries: z.array(z.number()).min(1) })
    .strict()
    .refine(
      (p) => p.boundaries.every((b, i) => i === 0 || p.boundaries[i - 1] < b),
      'boundaries must ascend',
    ),
  impute: z
    .object({
      columns: columns.optional(),
      strategy: z.enum(['mean', 'median', 'most_frequent', 'constant']).default('mean'),
      value: z.union([z.number(), z.string()]).optional(),
    })
    .strict()
    .refine((p) => p.strategy !== 'constant' || p.value !== undefined, 'strategy constant needs a value'),
  scale: z
    .object({
      columns: columns.optional(),
      method: z.enum(['standard', 'minmax', 'robust']).default('standard'),
    })
    .strict(),
  encode: z
    .object({
      columns: columns.optional(),
      method: z.enum(['onehot', 'ordinal', 'hashing']).default('onehot'),
      /** One-hot: keep the most frequent `maxCategories - 1` categories and an `other` column. */
      maxCategories: z.number().int().min(2).optional(),
      /** Hashing: number of buckets. */
      buckets: z.number().int().min(1).default(16),
    })
    .strict(),
  selectKBest: z
    .object({
      k: z.number().int().min(1),
      /** `auto`: f_classif for classification, f_regression for regression. */
      score: z.enum(['auto', 'f_classif', 'f_regression']).default('auto'),
    })
    .strict(),
} as const;

export type BuiltinName = keyof typeof BUILTIN_PARAMS;
export const BUILTIN_NAMES = Object.keys(BUILTIN_PARAMS) as BuiltinName[];

const moduleItem = z
  .object({ module: z.string().min(1), params: z.record(z.string(), z.unknown()).default({}) })
  .strict();

/**
 * One `features:` item: an object with exactly one built-in key (`derive: {…}`), or `module` +
 * `params`. Unknown names are refused with the list of known ones.
 */
export const transformItemSchema = z.unknown().transform((value, ctx): TransformSpec => {
  const fail = (message: string, at: PropertyKey[] = []) => {
    ctx.addIssue({ code: 'custom', message, path: at });
    return z.NEVER;
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return fail(`expected one transform, e.g. { drop: [id] } or { module: ./features/x.ts }`);
  const keys = Object.keys(value);
  if ('kind' in value && 'params' in value) {
    // Already normalised (a run's recorded spec, validated again for a resume or replay).
    const spec = value as TransformSpec;
    if (spec.kind !== 'module' && !(spec.kind in BUILTIN_PARAMS))
      return fail(`unknown transform '${String(spec.kind)}' (known: ${BUILTIN_NAMES.join(', ')}, or module)`);
    return spec;
  }
  if ('module' in value) {
    const parsed = moduleItem.safeParse(value);
    if (!parsed.success) return fail(parsed.error.issues.map((i) => i.message).join('; '));
    return { kind: 'module', params: parsed.data.params, module: parsed.data.module };
  }
  if (keys.length !== 1)
    return fail(`expected exactly one transform per item, got ${keys.map((k) => `'${k}'`).join(', ')}`);
  const kind = keys[0];
  const schema = (BUILTIN_PARAMS as Record<string, z.ZodType>)[kind];
  if (!schema)
    return fail(`unknown transform '${kind}' (known: ${BUILTIN_NAMES.join(', ')}, or module)`, [kind]);
  const parsed = schema.safeParse((value as Record<string, unknown>)[kind]);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      ctx.addIssue({ code: 'custom', message: issue.message, path: [kind, ...issue.path] });
    return z.NEVER;
  }
  const params = Array.isArray(parsed.data) ? { columns: parsed.data as string[] } : parsed.data;
  return { kind, params: params as Record<string, unknown> };
});

/** The spec's `features:` section: an ordered list of transforms. */
export const featuresSchema = z.array(transformItemSchema);

/** How a transform is named: the built-in's name, or the module's file name (`ratios.ts`). */
export function transformName(spec: TransformSpec): string {
  return spec.module ? (spec.module.split(/[\\/]/).pop() ?? spec.module) : spec.kind;
}
