import type { CheckpointRef } from './checkpoint/types';
import { QuiverError } from './errors';
import { STEP_NAMES, type StepName } from './run-types';

/** The checkpoints each completed step wrote, by step then output name (what a run's progress records). */
export type StepOutputs = Partial<Record<StepName, Record<string, CheckpointRef>>>;

/** Names a step that must have completed before `step` can read its inputs. */
export class MissingUpstreamError extends QuiverError {
  constructor(
    readonly step: StepName,
    readonly upstream: StepName,
    readonly output: string,
  ) {
    super(`step ${step} reads ${upstream}.${output}, which the run has not written`);
  }
}

/** Picks an upstream output; throws MissingUpstreamError when the run has not written it. */
function need(outputs: StepOutputs, step: StepName, upstream: StepName, output: string): CheckpointRef {
  const ref = outputs[upstream]?.[output];
  if (!ref) throw new MissingUpstreamError(step, upstream, output);
  return ref;
}

/** Training and validation read the cleaned rows when sanity dropped some, else the ingested data. */
function trainingData(outputs: StepOutputs, step: StepName): CheckpointRef {
  return outputs.sanity?.clean ?? need(outputs, step, 'ingest', 'data');
}

/**
 * How each step's named inputs come from the outputs of the steps before it: the pipeline's wiring
 * in one table, so everything that runs steps outside the workflow (`quiver run --local`,
 * `quiver step run`) follows the same edges as `workflows/training-pipeline.ts`. The `Record` over
 * StepName makes a new step a compile error here until its inputs are declared.
 */
export const STEP_INPUTS: Record<StepName, (outputs: StepOutputs) => Record<string, CheckpointRef>> = {
  ingest: () => ({}),
  sanity: (o) => ({ data: need(o, 'sanity', 'ingest', 'data') }),
  features: (o) => ({ data: trainingData(o, 'features') }),
  // Training reads the features stage's output and its fitted transforms (runs without the stage: the data).
  train: (o) => ({
    data: o.features?.data ?? trainingData(o, 'train'),
    ...(o.features?.transforms ? { transforms: o.features.transforms } : {}),
  }),
  validate: (o) => ({ data: trainingData(o, 'validate'), model: need(o, 'validate', 'train', 'model') }),
  deploy: (o) => ({
    model: need(o, 'deploy', 'train', 'model'),
    metrics: need(o, 'deploy', 'validate', 'metrics'),
    ...(o.sanity?.profile ? { profile: o.sanity.profile } : {}),
  }),
};

/** The named input checkpoints of `step`, given what earlier steps wrote. */
export function stepInputs(step: StepName, outputs: StepOutputs): Record<string, CheckpointRef> {
  return STEP_INPUTS[step](outputs);
}

/** Steps in pipeline order up to and excluding `step`. */
export function stepsBefore(step: StepName): StepName[] {
  return STEP_NAMES.slice(0, STEP_NAMES.indexOf(step));
}
