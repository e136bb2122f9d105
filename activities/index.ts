import type { QuiverConfig } from '../core/config';
import type { StepName } from '../core/run-types';
import type { AliasMoveRequest, AliasUndoRequest } from '../core/deployment';
import { codeVersions } from './code-versions';
import { deploy, moveAlias, undoAliasMove } from './deploy';
import { features } from './features';
import { ingest } from './ingest';
import { monitorTraffic, type MonitorInput } from './monitor';
import { sanity } from './sanity';
import { stepActivity } from './step';
import { train } from './train';
import { validate } from './validate';

/** The step activities bound to one configuration; workers register these, tests call them in-process. */
export function createActivities(config: QuiverConfig) {
  // Step versions are fixed when the worker loads its code (an edit it has not loaded changes nothing);
  // user modules are read at each run, so they are hashed per plan.
  codeVersions();
  return {
    ingest: stepActivity('ingest', config, ingest),
    sanity: stepActivity('sanity', config, sanity),
    features: stepActivity('features', config, features),
    train: stepActivity('train', config, train),
    validate: stepActivity('validate', config, validate),
    deploy: stepActivity('deploy', config, deploy),
    /** The alias move the workflow runs after `deploy` registered the version, only while the run is live. */
    moveAlias: (request: AliasMoveRequest) => moveAlias(request, config),
    /** A cancelled local run's last act: its alias back where it was, if its deploy had moved it. */
    undoAliasMove: (request: AliasUndoRequest) => undoAliasMove(request, config),
    /** Every step's code version as this worker runs it (for plans). */
    codeVersions: async (modules: Partial<Record<StepName, string[]>> = {}) => codeVersions(modules),
    monitorTraffic: (input: MonitorInput) => monitorTraffic(input, config),
  };
}

export type QuiverActivities = ReturnType<typeof createActivities>;
