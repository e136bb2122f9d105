import type { Payload } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import type { RunProgress } from '../core/run-types';
import { SEARCH_ATTRIBUTES } from '../core/search-attributes';
import { decodePayload } from './temporal-read';

type HistoryEvent = NonNullable<History['events']>[number];

/** The signal `quiver retry` sends (workflows/training-pipeline.ts's `retrySignal`). */
const RETRY_SIGNAL = 'retry';

/**
 * Whether an open run stands paused right now, from its event history alone (no worker asked): its
 * last `QuiverStatus` upsert says PAUSED and neither a `retry` signal nor a cancel request came after
 * it. A retry or cancel already requested but not yet handled by a worker counts as not paused, so a
 * waiter started right after `quiver retry` or `quiver cancel` keeps waiting for what follows.
 */
export function pausedInHistory(history: History): boolean {
  let paused = false;
  for (const event of history.events ?? []) {
    const upserted = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
    const status = upserted?.[SEARCH_ATTRIBUTES.status.name];
    if (status) paused = statusValue(status as Payload) === 'PAUSED';
    else if (signalName(event) === RETRY_SIGNAL || event.workflowExecutionCancelRequestedEventAttributes)
      paused = false;
  }
  return paused;
}

/**
 * A paused run's progress, as a waiter reports it: the step it stopped on marked `paused` (a history
 * without the run's PAUSED upsert shows it as failed), and the run's `error` naming that step, its attempts, its last error
 * and how to continue.
 */
export function markPaused(progress: RunProgress): RunProgress {
  const stopped = progress.steps.filter((s) => s.status === 'failed' || s.status === 'paused').pop();
  if (stopped) stopped.status = 'paused';
  const cause = stopped
    ? `step ${stopped.name} paused after ${stopped.attempts} attempt(s): ${stopped.error ?? 'no error recorded'}`
    : 'paused';
  return {
    ...progress,
    status: 'PAUSED',
    error: `${cause} (fix the cause, then \`quiver retry ${progress.runId}\`)`,
  };
}

function signalName(event: HistoryEvent): string | undefined {
  return event.workflowExecutionSignaledEventAttributes?.signalName ?? undefined;
}

/** A keyword search attribute's value (older servers wrap single values in a one-element list). */
function statusValue(payload: Payload): unknown {
  const value = decodePayload(payload);
  return Array.isArray(value) ? value[0] : value;
}
