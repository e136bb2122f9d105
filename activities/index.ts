import type { QuiverConfig } from '../core/config';
import type { StepInput } from '../core/run-types';
import { deploy } from './deploy';
import { ingest } from './ingest';
import { monitorTraffic, type MonitorInput } from './monitor';
import { sanity } from './sanity';
import { train } from './train';
import { validate } from './validate';

/** The five step activities bound to one configuration; workers register these, tests call them in-process. */
export function createActivities(config: QuiverConfig) {
  return {
    ingest: (input: StepInput) => ingest(input, config),
    sanity: (input: StepInput) => sanity(input, config),
    train: (input: StepInput) => train(input, config),
    validate: (input: StepInput) => validate(input, config),
    deploy: (input: StepInput) => deploy(input, config),
    monitorTraffic: (input: MonitorInput) => monitorTraffic(input, config),
  };
}

export type QuiverActivities = ReturnType<typeof createActivities>;
