import { STEP_NAMES, type RunProgress, type StepName } from '../core/run-types';
import type { StepAttempts } from '../core/step-attempts';
import type { StepView } from './api';
import { timestampMs, type ProtoTimestamp } from './proto-time';

/** A pending activity as DescribeWorkflowExecution reports it: enums as numbers (client) or names (read path). */
export interface PendingStepActivity {
  activityType?: { name?: string | null } | null;
  attempt?: number | null;
  state?: number | string | null;
  /** The retry policy's limit; 0 or absent: no limit. */
  maximumAttempts?: number | null;
  /** When the server schedules the attempt after a retry's backoff. */
  nextAttemptScheduleTime?: ProtoTimestamp;
  lastFailure?: { message?: string | null } | null;
}

/** A step's activity waiting out its retry backoff: the attempt to come, as `status` shows it. */
export interface StepRetry {
  /** The attempt the server starts next (2 or more). */
  attempt: number;
  /** The most attempts the retry policy allows; null when it sets no limit. */
  maximumAttempts: number | null;
  /** When the backoff ends, ISO 8601; null when the server did not say. */
  at: string | null;
  /** Why the previous attempt failed, as the server recorded it. */
  lastFailure: string | null;
}

/** temporal.api.enums.v1.PendingActivityState: scheduled, its attempt not started yet. */
const SCHEDULED = [1, 'PENDING_ACTIVITY_STATE_SCHEDULED'];

/** The pending activity of step `step` (of any step when not given); undefined when none. */
export function pendingStepActivity<A extends PendingStepActivity>(
  pending: A[] | null | undefined,
  step?: StepName,
): A | undefined {
  return (pending ?? []).find((a) => {
    const name = a.activityType?.name ?? '';
    return step ? name === step : STEP_NAMES.includes(name as StepName);
  });
}

/**
 * The attempts an activity has made, by the server's record of it: its current attempt counts once
 * started (or being cancelled), not while it waits to start (a retry's backoff, no worker polling).
 */
export function attemptsMade(activity: PendingStepActivity): number {
  const attempt = activity.attempt ?? 1;
  return SCHEDULED.includes(activity.state ?? 0) ? attempt - 1 : attempt;
}

/**
 * The attempts the run's step activity in flight has made (see {@link attemptsMade}). Null when no
 * step activity is pending or none of its attempts began.
 */
export function stepAttemptsMade(pending: PendingStepActivity[] | null | undefined): StepAttempts | null {
  const activity = pendingStepActivity(pending);
  if (!activity) return null;
  const attempts = attemptsMade(activity);
  return attempts > 0 ? { step: activity.activityType!.name as StepName, attempts } : null;
}

/** The retry an activity waits for: scheduled on its second attempt or later. Null when it is not waiting. */
export function retryAwaited(activity: PendingStepActivity): StepRetry | null {
  const attempt = activity.attempt ?? 1;
  if (!SCHEDULED.includes(activity.state ?? 0) || attempt < 2) return null;
  const at = timestampMs(activity.nextAttemptScheduleTime);
  return {
    attempt,
    maximumAttempts: activity.maximumAttempts || null,
    at: at !== null ? new Date(at).toISOString() : null,
    lastFailure: activity.lastFailure?.message || null,
  };
}

/**
 * An open run of activities with its running step counted as the server counts it: the attempts of
 * the activity in flight ({@link attemptsMade}) on top of those the run recorded before it (a step
 * paused and retried runs a new activity), and, while the activity waits out a retry's backoff, that
 * retry (`retry`). The run itself counts an attempt only when it ends. A local run (its steps are
 * local activities, which the server does not list) and steps with no pending activity are returned
 * as they are.
 */
export function withServerAttempts(
  progress: RunProgress,
  pending: PendingStepActivity[] | null | undefined,
): RunProgress & { steps: StepView[] } {
  if (progress.spec.execution === 'local') return progress;
  const steps = progress.steps.map((step): StepView => {
    const activity = step.status === 'running' ? pendingStepActivity(pending, step.name) : undefined;
    if (!activity) return step;
    const retry = retryAwaited(activity);
    return { ...step, attempts: step.attempts + attemptsMade(activity), ...(retry ? { retry } : {}) };
  });
  return { ...progress, steps };
}
