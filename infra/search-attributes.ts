/**
 * Quiver's custom Temporal search attributes: name → Temporal index type.
 *
 * Workflow code upserts these, the dev server registers them at launch and the deployment registers
 * them on a cluster, so the names live in one place. No imports: workflow code may bundle this file.
 */
export const QUIVER_SEARCH_ATTRIBUTES = {
  /** Pipeline name from the spec (e.g. `iris`). */
  QuiverPipeline: 'Keyword',
  /** Run status: running, paused, completed, failed, cancelled. */
  QuiverStatus: 'Keyword',
  /** The step the run is currently executing (or paused on). */
  QuiverStep: 'Keyword',
  /** SHA-256 of the ingested dataset checkpoint. */
  QuiverDatasetSha: 'Keyword',
  /** Registry version of the model the run produced. */
  QuiverModelVersion: 'Int',
} as const;

export type QuiverSearchAttributeName = keyof typeof QUIVER_SEARCH_ATTRIBUTES;

/** Type names accepted by `temporal server start-dev --search-attribute` and `operator search-attribute create`. */
export type SearchAttributeTypeName = (typeof QUIVER_SEARCH_ATTRIBUTES)[QuiverSearchAttributeName];
