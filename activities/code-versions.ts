import { STEP_NAMES, type StepName } from '../core/run-types';
import { stepCodeVersion } from './step';

/**
 * The code version of every step as this worker runs it: the one authority plans and runs share.
 * `resume --plan` asks a worker on the CPU queue (through the `codeVersionsWorkflow`), never the CLI's
 * own files, so a plan never reports a change the worker has not loaded.
 */
export function codeVersions(): Record<StepName, string> {
  return Object.fromEntries(STEP_NAMES.map((step) => [step, stepCodeVersion(step)])) as Record<
    StepName,
    string
  >;
}
