import type { Payload } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import {
  STEP_NAMES,
  type PipelineInput,
  type RunProgress,
  type RunStatus,
  type StepName,
  type StepResult,
  type StepState,
} from '../core/run-types';
import { SEARCH_ATTRIBUTES } from '../core/search-attributes';
import { timestampMs } from './proto-time';
import { completeStep, emptyStep } from '../workflows/training-pipeline';

type HistoryEvent = NonNullable<History['events']>[number];

/**
 * A run's progress rebuilt from its event history, for runs that closed without recording it in
 * their memo (terminated ones): the input (spec, reused steps), then each step activity's attempts,
 * result or failure. Needs no worker, unlike the `progress` query.
 */
export async function progressFromHistory(
  runId: string,
  history: History,
  decode: (payload: Payload) => Promise<unknown>,
  status: RunStatus,
): Promise<RunProgress> {
  const events = history.events ?? [];
  const started = events.find((e) => e.workflowExecutionStartedEventAttributes);
  const inputPayload = started?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!inputPayload) throw new Error(`run ${runId} has no recorded input in its history`);
  const input = (await decode(inputPayload as Payload)) as PipelineInput;
  const progress: RunProgress = {
    runId,
    pipeline: input.spec.name,
    status,
    resumedFrom: input.resumedFrom ?? null,
    spec: input.spec,
    steps: STEP_NAMES.map(emptyStep),
    model: null,
    error: null,
    // A large spec travelled by reference: resume and replay read it back in full from here.
    specRef: input.specRef ?? null,
    ...(input.fire ? { fire: input.fire } : {}),
  };
  const stateOf = (name: StepName) => progress.steps.find((s) => s.name === name)!;
  for (const [name, reused] of Object.entries(input.reuse ?? {})) {
    const state = stateOf(name as StepName);
    completeStep(state, reused.result, null);
    Object.assign(state, { attempts: 0, reusedFrom: reused.fromRun });
  }

  // A paused step retried by signal is scheduled again; its attempts add up, as the workflow counts them.
  const scheduled = new Map<string, { step: StepName; at: number; attemptsBefore: number }>();
  /** The step that failed last: the one a `QuiverStatus=PAUSED` upsert after it pauses on. */
  let lastFailed: StepState | null = null;
  for (const event of events) {
    const id = String(event.eventId);
    // `execution: local`: a step ran as a local activity, recorded as one marker with its outcome.
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName === LOCAL_ACTIVITY_MARKER) {
      const state = await applyLocalStepMarker(marker, decode, stateOf);
      if (state?.status === 'failed') lastFailed = state;
      continue;
    }
    // The workflow pauses a step that exhausted its retries (its state `paused`, the run's status
    // upserted PAUSED), and runs it again on `quiver retry` (the `retry` signal, then the RUNNING
    // upsert): in a local run the retried attempt records nothing until it ends, so the signal alone
    // says the step runs again, its attempts counting on from the ones already made.
    const paused = progress.steps.find((s) => s.status === 'paused');
    const runStatus = await upsertedStatus(event, decode);
    if (runStatus === 'PAUSED' && lastFailed) {
      lastFailed.status = 'paused';
    } else if (paused && (runStatus === 'RUNNING' || isRetrySignal(event))) {
      Object.assign(paused, { status: 'running', error: null });
      lastFailed = null;
    }
    if (runStatus !== undefined || event.workflowExecutionSignaledEventAttributes) continue;
    const scheduledAttributes = event.activityTaskScheduledEventAttributes;
    if (scheduledAttributes) {
      const step = scheduledAttributes.activityType?.name as StepName;
      if (STEP_NAMES.includes(step)) {
        const state = stateOf(step);
        scheduled.set(id, { step, at: timeOf(event), attemptsBefore: state.attempts });
        Object.assign(state, { status: 'running', error: null });
      }
      continue;
    }
    const closing =
      event.activityTaskStartedEventAttributes ??
      event.activityTaskCompletedEventAttributes ??
      event.activityTaskFailedEventAttributes ??
      event.activityTaskTimedOutEventAttributes ??
      event.activityTaskCanceledEventAttributes;
    const activity = closing && scheduled.get(String(closing.scheduledEventId));
    if (!activity) continue;
    const state = stateOf(activity.step);
    const durationMs = timeOf(event) - activity.at;
    if (event.activityTaskStartedEventAttributes) {
      state.attempts = activity.attemptsBefore + (event.activityTaskStartedEventAttributes.attempt ?? 1);
    } else if (event.activityTaskCompletedEventAttributes) {
      const payload = event.activityTaskCompletedEventAttributes.result?.payloads?.[0];
      const result = (await decode(payload as Payload)) as StepResult;
      completeStep(state, result, durationMs);
      state.attempts += activity.attemptsBefore;
    } else {
      const failure =
        event.activityTaskFailedEventAttributes?.failure ??
        event.activityTaskTimedOutEventAttributes?.failure;
      // A cancelled attempt is a cancel, never a failure, as the workflow records it.
      Object.assign(state, {
        status: event.activityTaskCanceledEventAttributes ? 'cancelled' : 'failed',
        durationMs,
        error: failure?.message ?? 'cancelled',
      });
      if (state.status === 'failed') lastFailed = state;
    }
  }

  // An open local run records a step only when it ends (a marker at the end of a workflow task): the
  // step after the last one recorded is the one running, as the progress query would say.
  if (status === 'RUNNING' && input.spec.execution === 'local') {
    const settled = progress.steps.every((s) => s.status === 'completed' || s.status === 'pending');
    const next = progress.steps.find((s) => s.status === 'pending');
    if (settled && next) next.status = 'running';
  }

  const terminated = events.find(
    (e) => e.workflowExecutionTerminatedEventAttributes,
  )?.workflowExecutionTerminatedEventAttributes;
  const reason = terminated ? `terminated${terminated.reason ? `: ${terminated.reason}` : ''}` : null;
  for (const state of progress.steps) {
    if (status === 'RUNNING') continue;
    // A step left paused: cancelled while paused with a cancelled run (settleClosedProgress says so and
    // keeps its error), else failed with the run, its own error kept.
    if (state.status === 'paused' && status !== 'CANCELED') state.status = 'failed';
    // An open run's running step is still running (its worker may just be away).
    if (state.status !== 'running') continue;
    // Cut off with the run: cancelled with a cancelled run, failed otherwise. (An attempt still in
    // flight has no started event in history yet, so its attempt number stays as last counted.)
    state.status = status === 'CANCELED' ? 'cancelled' : 'failed';
    state.error = reason ?? `run ${status.toLowerCase()}`;
  }
  progress.error = reason;
  return progress;
}

/** The SDK's marker name for a local activity's outcome (sdk-core's LOCAL_ACTIVITY_MARKER_NAME). */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/**
 * A step run as a local activity: its marker's `data` names the activity and its last attempt (sdk-core's
 * LocalActivityMarkerData), `result` holds the StepResult, or `failure` why it failed. Other local
 * activities (the alias move) are left alone.
 */
async function applyLocalStepMarker(
  marker: NonNullable<HistoryEvent['markerRecordedEventAttributes']>,
  decode: (payload: Payload) => Promise<unknown>,
  stateOf: (name: StepName) => StepState,
): Promise<StepState | undefined> {
  const dataPayload = marker.details?.data?.payloads?.[0];
  if (!dataPayload) return undefined;
  const data = (await decode(dataPayload as Payload)) as Record<string, unknown>;
  const step = (data.activity_type ?? data.activityType) as StepName;
  if (!STEP_NAMES.includes(step)) return undefined;
  const state = stateOf(step);
  // A step paused and retried by signal runs again: its attempts add up, as the workflow counts them.
  const attemptsBefore = state.status === 'pending' ? 0 : state.attempts;
  const attempt = Number(data.attempt ?? 1);
  const resultPayload = marker.details?.result?.payloads?.[0];
  if (!marker.failure && resultPayload) {
    const result = (await decode(resultPayload as Payload)) as StepResult;
    // The marker has no start time: the step's own clock (its body) gives its duration.
    completeStep(state, result, typeof result.durationMs === 'number' ? result.durationMs : null);
    state.attempts = attemptsBefore + attempt;
  } else {
    // A local activity stopped by the run's cancel records a cancelled failure: a cancel, not a failure.
    const cancelled = !marker.failure || Boolean(marker.failure.canceledFailureInfo);
    Object.assign(state, {
      status: cancelled ? 'cancelled' : 'failed',
      attempts: attemptsBefore + attempt,
      error: marker.failure?.message ?? 'cancelled',
    });
  }
  return state;
}

/** The signal `quiver retry` sends (workflows/training-pipeline.ts's `retrySignal`). */
const RETRY_SIGNAL = 'retry';

function isRetrySignal(event: HistoryEvent): boolean {
  return event.workflowExecutionSignaledEventAttributes?.signalName === RETRY_SIGNAL;
}

/** The run status a search-attribute upsert sets (`QuiverStatus`), or undefined when it sets none. */
async function upsertedStatus(
  event: HistoryEvent,
  decode: (payload: Payload) => Promise<unknown>,
): Promise<unknown> {
  const fields = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
  const payload = fields?.[SEARCH_ATTRIBUTES.status.name];
  if (!payload) return undefined;
  // Older servers wrap a single keyword in a one-element list.
  const value = await decode(payload as Payload);
  return Array.isArray(value) ? (value[0] as unknown) : value;
}

function timeOf(event: HistoryEvent): number {
  return timestampMs(event.eventTime) ?? 0;
}
