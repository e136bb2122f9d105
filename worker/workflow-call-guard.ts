import { msToNumber, type Duration } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { CompiledWorkerOptions } from '@temporalio/worker/lib/worker-options';
import { ConfigError } from '../core/errors';
import { mainThreadWorkflowCreator, workflowStackTraces } from './main-thread-workflows';

/** The variable that turns the per-call guard on workflow code back on (see workflowCallTimeoutMs). */
export const WORKFLOW_CALL_TIMEOUT_VAR = 'QUIVER_WORKFLOW_CALL_TIMEOUT';

/**
 * `QUIVER_WORKFLOW_CALL_TIMEOUT`: the longest one call into workflow code may run before the SDK fails
 * the workflow task ("Script execution timed out"), in ms; `undefined` (unset, empty or `off`, the
 * default) runs workflow code unguarded.
 *
 * Why off by default: Node's `vm` enforces a timeout by starting a watchdog thread for every call into
 * the sandbox (about 20 calls per run), which cost 0.8 ms a call on a loaded 2-core machine. The guard
 * only catches a workflow that never yields, and Quiver's workflow code is its own (user code runs in
 * activities), so it is a debugging aid: set `5s` (the SDK's default) or `2000ms` to turn it on.
 *
 * @param value the variable's text (a Temporal duration: `5s`, `2000ms`, `1m`, or a number of ms)
 * @returns the timeout in ms, or undefined for no guard
 * @throws ConfigError (field `QUIVER_WORKFLOW_CALL_TIMEOUT`) naming the quoted value when it is not a
 *   positive duration
 */
export function workflowCallTimeoutMs(
  value: string | undefined = process.env[WORKFLOW_CALL_TIMEOUT_VAR],
): number | undefined {
  const text = value?.trim() ?? '';
  if (text === '' || text.toLowerCase() === 'off') return undefined;
  let ms: number;
  try {
    ms = msToNumber((/^\d+$/.test(text) ? Number(text) : text) as Duration);
  } catch {
    ms = Number.NaN;
  }
  // Node's vm takes a whole number of ms from 1 up to 2^32 - 1.
  if (!Number.isInteger(ms) || ms < 1 || ms > 0xffffffff)
    throw new ConfigError(
      `${WORKFLOW_CALL_TIMEOUT_VAR} '${text}' is not usable: give a duration such as '5s' or '2000ms', or 'off'`,
      WORKFLOW_CALL_TIMEOUT_VAR,
    );
  return ms;
}

/**
 * The SDK's Worker, with its guard on each call into workflow code set by `QUIVER_WORKFLOW_CALL_TIMEOUT`
 * (off by default: see workflowCallTimeoutMs) instead of the SDK's fixed 5 s, and its workflow code on
 * the main thread unless `QUIVER_WORKFLOW_STACK_TRACES` asks for the SDK's worker thread (see
 * workflowStackTraces). Create it as the SDK's: `QuiverWorker.create(options)`.
 *
 * @throws ConfigError from `create` when `QUIVER_WORKFLOW_CALL_TIMEOUT` is not a usable duration or
 *   `QUIVER_WORKFLOW_STACK_TRACES` is neither on nor off
 */
export class QuiverWorker extends Worker {
  protected static override async createWorkflowCreator(
    ...[bundle, compiledOptions, logger]: Parameters<typeof Worker.createWorkflowCreator>
  ): ReturnType<typeof Worker.createWorkflowCreator> {
    const guarded: CompiledWorkerOptions = {
      ...compiledOptions,
      // The SDK passes this to vm's `timeout`; undefined there means no watchdog thread per call.
      isolateExecutionTimeoutMs: workflowCallTimeoutMs() as number,
    };
    // Replay workers (debugMode) already run on this thread, as the SDK sets them up.
    if (workflowStackTraces() || guarded.debugMode)
      return super.createWorkflowCreator(bundle, guarded, logger);
    return mainThreadWorkflowCreator(bundle, guarded);
  }
}
