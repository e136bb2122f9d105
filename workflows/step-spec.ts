import type { StepName } from '../core/run-types';
import type { PipelineSpec } from '../core/spec/schema';

/** The spec's per-step sections; fields outside them (name, execution) travel to every step. */
const SECTIONS: readonly string[] = [
  'source',
  'target',
  'split',
  'sanity',
  'features',
  'train',
  'validate',
  'deploy',
];

/**
 * The sections each step reads: those its params and code version come from (core/step-params.ts,
 * core/step-modules.ts: its cache key) and those its body and checks read (sanity's data checks read
 * `features` and `train.features`; the features stage works on the `train.features` keep-list; validate
 * and sanity look up the deployed model through `deploy`; train
 * stores how ingest read text, `source.trim`/`nullValues`/`columnTypes`, with the model for serving).
 */
const STEP_SECTIONS: Record<StepName, readonly string[]> = {
  // ingest reads `sanity`, `features` and `train` only to know which columns the model never sees.
  ingest: ['source', 'target', 'sanity', 'features', 'train'],
  sanity: ['source', 'target', 'sanity', 'features', 'train', 'deploy'],
  features: ['target', 'split', 'features', 'train'],
  train: ['source', 'target', 'split', 'train'],
  validate: ['target', 'split', 'validate', 'deploy'],
  deploy: ['deploy'],
};

/**
 * The spec as `step` receives it: only the sections it reads, so each activity input (one history
 * event per step) carries about a third of the spec instead of all of it. The step's params, code
 * version and cache key are the same as from the full spec (test/unit/workflows/step-spec.test.ts);
 * a spec that travelled as a claim check (`specRef`) is read back whole by the activity.
 */
export function specForStep(step: StepName, spec: PipelineSpec): PipelineSpec {
  const keep = STEP_SECTIONS[step];
  const sliced: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(spec))
    if (!SECTIONS.includes(key) || keep.includes(key)) sliced[key] = value;
  // Sections the step never reads are absent: the activity's spec type stays the full one.
  return sliced as PipelineSpec;
}
