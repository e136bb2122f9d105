import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes Quiver keeps current on every run; the dev server registers them at start. */
export const SEARCH_ATTRIBUTES = {
  pipeline: defineSearchAttributeKey('QuiverPipeline', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('QuiverStatus', SearchAttributeType.KEYWORD),
  step: defineSearchAttributeKey('QuiverStep', SearchAttributeType.KEYWORD),
  datasetSha: defineSearchAttributeKey('QuiverDatasetSha', SearchAttributeType.KEYWORD),
  modelVersion: defineSearchAttributeKey('QuiverModelVersion', SearchAttributeType.INT),
} as const;
