import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { StepName } from '../core/run-types';

type Activities = ReturnType<typeof createActivities>;

/**
 * Asks a worker on this workflow's task queue (the CPU queue) for every step's code version as it runs
 * it: plans use these, never the CLI's own files, so a plan and the run it starts agree.
 */
export async function codeVersionsWorkflow(
  modules: Partial<Record<StepName, string[]>> = {},
): Promise<Record<StepName, string>> {
  const { codeVersions } = proxyActivities<Activities>({
    startToCloseTimeout: '30s',
    retry: { maximumAttempts: 2 },
  });
  return codeVersions(modules);
}
