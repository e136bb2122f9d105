import { STEP_NAMES, type StepName } from '../core/run-types';
import type { StepAttempts } from '../core/step-attempts';

/** A pending activity as DescribeWorkflowExecution reports it: enums as numbers (client) or names (read path). */
export interface PendingStepActivity {
  activityType?: { name?: string | null } | null;
  attempt?: number | null;
  state?: number | string | null;
}

/** temporal.api.enums.v1.PendingActivityState: scheduled, its attempt not started yet. */
const SCHEDULED = [1, 'PENDING_ACTIVITY_STATE_SCHEDULED'];

/**
 * The attempts the run's step activity in flight has made, from the server's record of it: its
 * current attempt counts once started (or being cancelled), not while it waits to start (a retry's
 * backoff, no worker polling). Null when no step activity is pending or none of its attempts began.
 */
export function stepAttemptsMade(pending: PendingStepActivity[] | null | undefined): StepAttempts | null {
  const activity = (pending ?? []).find((a) => STEP_NAMES.includes((a.activityType?.name ?? '') as StepName));
  if (!activity) return null;
  const attempt = activity.attempt ?? 1;
  const attempts = SCHEDULED.includes(activity.state ?? 0) ? attempt - 1 : attempt;
  return attempts > 0 ? { step: activity.activityType!.name as StepName, attempts } : null;
}
