import type { StepName } from './run-types';
import type { PipelineSpec } from './spec/schema';

/**
 * The user module files (absolute paths) a step runs besides its own code: their code versions join the
 * step's code version, so editing one invalidates exactly the steps that run it.
 */
export function stepModules(step: StepName, spec: PipelineSpec): string[] {
  switch (step) {
    case 'train': {
      const model = spec.train?.model;
      return typeof model === 'object' ? [model.module] : [];
    }
    default:
      return [];
  }
}
