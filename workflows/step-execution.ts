import {
  ActivityFailure,
  ApplicationFailure,
  proxyLocalActivities,
  TimeoutFailure,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { createActivities } from '../activities';
import type { PipelineSpec } from '../core/spec/schema';

type Activities = ReturnType<typeof createActivities>;

/**
 * One patch for every run started from here on (one marker and one TemporalChangeVersion write
 * instead of three): QuiverStep kept current, the features stage, and the alias moved by the
 * workflow as a local activity inside the deploy's workflow task (no 7th activity round trip).
 * Runs started by older workers replay their own markers (see workflow-versioning.test.ts).
 */
export const LEAN_RUN_PATCH = 'quiver-lean-run';

/**
 * Replaces {@link LEAN_RUN_PATCH} for runs started from here on (still one marker): everything it
 * does, and in `execution: local` no per-step QuiverStep upsert, since the whole run is one workflow
 * task and an upsert sent with its completion would only ever show the last step. Runs started under
 * quiver-lean-run replay their own upserts (test/fixtures/history-lean-run-local.json).
 */
export const LIGHT_RUN_PATCH = 'quiver-light-run';

/**
 * Replaces {@link LIGHT_RUN_PATCH} for runs started from here on (still one marker): everything it
 * does, and `QuiverStep` debounced (workflows/run-attributes.ts): at most two seconds late, so a run
 * of short steps costs no visibility write per step. Runs started under
 * quiver-light-run replay their per-step upserts (test/fixtures/history-light-run*.json).
 */
export const BRISK_RUN_PATCH = 'quiver-brisk-run';

/**
 * Replaces {@link BRISK_RUN_PATCH} for runs started from here on (still one marker): everything it
 * does, and the deploy moves the alias itself once the server says the run has no cancel request
 * (activities/deploy.ts; the server sets that flag even while it holds the cancel back from a workflow
 * task in flight), the workflow waiting for a cancelled deploy to settle (WAIT_CANCELLATION_COMPLETED),
 * so a cancelled run never moves it: the last workflow task runs no local activity, and a local run
 * that finds its cancel at deploy ends its one workflow task without completing, so the server keeps
 * its steps. Runs started under quiver-brisk-run replay their moveAlias markers
 * (test/fixtures/history-brisk-run.json).
 */
export const LIVE_DEPLOY_PATCH = 'quiver-live-deploy';

/** True when the spec asks for its steps as local activities on the workflow worker (`execution: local`). */
export function runsLocally(spec: PipelineSpec): boolean {
  return spec.execution === 'local';
}

/**
 * A remote activity's options as a local activity's: the same start-to-close timeout, retry policy
 * and cancellation type; no task queue (the workflow's own worker runs it) and no heartbeat timeout (local
 * activities cannot heartbeat).
 */
export function localOptions(options: ActivityOptions): LocalActivityOptions {
  return {
    startToCloseTimeout: options.startToCloseTimeout,
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.summary ? { summary: options.summary } : {}),
    ...(options.cancellationType ? { cancellationType: options.cancellationType } : {}),
  };
}

/** The step activities, run as local activities with `options`. */
export function localActivities(options: ActivityOptions): Activities {
  return proxyLocalActivities<Activities>(localOptions(options));
}

/**
 * A local activity's failure as a remote one's: the SDK delivers it bare (the ApplicationFailure or
 * TimeoutFailure itself), where a remote activity's comes wrapped in an ActivityFailure naming the
 * step. Wrapped the same way, the workflow classifies and describes both alike (non-retryable types
 * fail the run, others pause it).
 */
export function asActivityFailure(error: unknown, step: string): unknown {
  if (!(error instanceof ApplicationFailure || error instanceof TimeoutFailure)) return error;
  return new ActivityFailure(
    error.message,
    step,
    undefined,
    RetryState.RETRY_STATE_UNSPECIFIED,
    undefined,
    error,
  );
}
