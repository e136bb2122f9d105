// The module itself, not the package index: `status` and `runs ls` read these names without loading
// the rest of @temporalio/common (its data and failure converters).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common/lib/search-attributes';

/** Custom search attributes Quiver keeps current on every run; the dev server registers them at start. */
export const SEARCH_ATTRIBUTES = {
  pipeline: defineSearchAttributeKey('QuiverPipeline', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('QuiverStatus', SearchAttributeType.KEYWORD),
  step: defineSearchAttributeKey('QuiverStep', SearchAttributeType.KEYWORD),
  datasetSha: defineSearchAttributeKey('QuiverDatasetSha', SearchAttributeType.KEYWORD),
  modelVersion: defineSearchAttributeKey('QuiverModelVersion', SearchAttributeType.INT),
} as const;
