import {
  bucketizeTransform,
  clipTransform,
  deriveTransform,
  dropTransform,
  log1pTransform,
  renameTransform,
  selectTransform,
} from './builtins-columns';
import { encodeTransform, imputeTransform, scaleTransform, selectKBestTransform } from './builtins-fitted';
import type { BuiltinName } from './spec';
import type { Transform } from './types';

/** Every built-in transform by its YAML name. */
export const BUILTIN_TRANSFORMS: Record<BuiltinName, Transform<never, never>> = {
  drop: dropTransform,
  select: selectTransform,
  rename: renameTransform,
  derive: deriveTransform,
  log1p: log1pTransform,
  clip: clipTransform,
  bucketize: bucketizeTransform,
  impute: imputeTransform,
  scale: scaleTransform,
  encode: encodeTransform,
  selectKBest: selectKBestTransform,
} as Record<BuiltinName, Transform<never, never>>;
