import {
  CancellationScope,
  CancelledFailure,
  proxyActivities,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { AliasMoveRequest, AliasMoveResult } from '../core/deployment';
import type { DeployedModel, StepResult, StepState } from '../core/run-types';
import { localActivities } from './step-execution';

type Activities = ReturnType<typeof createActivities>;

/**
 * The deploy's irreversible half, run only while the run is live: a cancelled run never reaches it,
 * and once it starts it finishes (non-cancellable) so the run that moved an alias always records it.
 * A reused deploy moves nothing and only reads where the alias points now. `asLocalActivity` (runs
 * started under the lean-run patch) moves it as a local activity.
 */
export async function settleDeployment(
  options: ActivityOptions,
  deploy: StepResult,
  state: StepState,
  request: Omit<AliasMoveRequest, 'model' | 'version' | 'move'>,
  reusedFrom: string | null,
  asLocalActivity = false,
): Promise<DeployedModel> {
  // A local activity runs in the workflow task that saw the deploy complete: no extra round trip.
  const moveAlias = asLocalActivity
    ? localActivities(options).moveAlias
    : proxyActivities<Activities>(options).moveAlias;
  const full: AliasMoveRequest = {
    ...request,
    model: String(deploy.summary.model),
    version: Number(deploy.summary.version),
    move: reusedFrom === null,
  };
  let result: AliasMoveResult;
  if (!full.move) result = await moveAlias(full);
  else {
    // A cancel delivered together with the deploy's completion must still win over the move.
    if (CancellationScope.current().consideredCancelled)
      throw new CancelledFailure('run cancelled before its alias move');
    result = await CancellationScope.nonCancellable(() => moveAlias(full));
  }
  state.summary = { ...state.summary, moved: result.moved, aliasVersion: result.aliasVersion };
  return {
    name: full.model,
    version: full.version,
    alias: full.alias,
    moved: result.moved,
    reusedFrom,
    aliasVersion: result.aliasVersion,
    note: result.note,
  };
}
