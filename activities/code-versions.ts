import { STEP_NAMES, type StepName } from '../core/run-types';
import { stepCodeVersionWith } from './step';

/**
 * The code version of every step as this worker runs it: the one authority plans and runs share.
 * `resume --plan` asks a worker on the CPU queue (through the `codeVersionsWorkflow`), never the CLI's
 * own files, so a plan never reports a change the worker has not loaded. `modules`: the user modules
 * (absolute paths) each step of the planned spec runs, hashed as this worker sees them.
 */
export function codeVersions(modules: Partial<Record<StepName, string[]>> = {}): Record<StepName, string> {
  return Object.fromEntries(
    STEP_NAMES.map((step) => [step, stepCodeVersionWith(step, modules[step] ?? [])]),
  ) as Record<StepName, string>;
}
