import type { StepName } from './run-types';

/**
 * The attempts a step's activity had made when `quiver cancel` stopped its run, as the server's
 * record of the activity counts them. The workflow cannot count them itself: a cancelled activity's
 * attempt is never written to the history, and only training heartbeats its attempt to the run.
 */
export interface StepAttempts {
  step: StepName;
  attempts: number;
}

/** Signal name under which `quiver cancel` hands a run the attempts of the step it stops. */
export const STEP_ATTEMPTS_SIGNAL = 'stepAttempts';
