import type { StepName } from './run-types';
import type { PipelineSpec } from './spec/schema';

/** Spec fields that steer how a step runs (retries, timeouts), never what it computes. */
function withoutRunOptions<T extends Record<string, unknown>>(section: T) {
  const {
    retry: _r,
    timeout: _t,
    pauseTimeout: _p,
    heartbeatTimeout: _h,
    checkpointEvery: _c,
    gpuWait: _g,
    requireGpu: _rg,
    ...params
  } = section;
  return params;
}

/**
 * The resolved parameters a step reads, keyed by their spec paths (so a diff reads "train.epochs").
 * Part of the step's cache key; activities and the resume planner both derive them here.
 */
export function stepParams(step: StepName, spec: PipelineSpec): Record<string, unknown> {
  switch (step) {
    case 'ingest':
      return {
        source: withoutRunOptions(spec.source),
      };
    case 'sanity':
      return { sanity: withoutRunOptions(spec.sanity), target: spec.target };
    case 'features':
      return {
        features: spec.features ?? null,
        split: spec.split,
        target: spec.target,
        // A features list works on the keep-list's columns only: its output depends on the keep-list.
        ...(spec.features?.length && spec.train.features ? { 'train.features': spec.train.features } : {}),
      };
    case 'train':
      return { train: withoutRunOptions(spec.train), split: spec.split, target: spec.target };
    case 'validate':
      return { validate: withoutRunOptions(spec.validate), split: spec.split, target: spec.target };
    case 'deploy':
      return { deploy: { model: spec.deploy.model ?? spec.name, alias: spec.deploy.alias } };
  }
}
