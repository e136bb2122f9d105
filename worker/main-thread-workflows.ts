import { invokePatchActivationCallback } from '@temporalio/worker/lib/workflow/patch-activation-callback';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm';
import { globalHandlers } from '@temporalio/worker/lib/workflow/vm-shared';
import type { WorkflowCreator } from '@temporalio/worker/lib/workflow/interface';
import type { WorkflowBundleWithSourceMapAndFilename } from '@temporalio/worker/lib/workflow/workflow-worker-thread/input';
import type { CompiledWorkerOptions } from '@temporalio/worker/lib/worker-options';
import { ConfigError } from '../core/errors';

/** The variable that puts workflow code back where the SDK runs it by default (see workflowStackTraces). */
export const WORKFLOW_STACK_TRACES_VAR = 'QUIVER_WORKFLOW_STACK_TRACES';

/**
 * `QUIVER_WORKFLOW_STACK_TRACES`: `on` runs workflow code as the SDK does by default, in a worker
 * thread that records where every workflow promise was made (the Temporal UI's *Stack Trace* tab,
 * `temporal workflow stack`); `off` (the default: unset or empty) runs it on the worker's main thread
 * with no such record.
 *
 * Why off by default: each activation then crosses no thread (the SDK copies it to the workflow thread
 * and the completion back, waking each side), and no promise made by workflow code captures and
 * source-maps a stack. Measured on a local run (`npm run bench -- orchestration`, 2 cores): 2 ms less
 * per step, and bare Temporal's own five local activities 0.81× the SDK's default worker. The main
 * thread already relays every activation (a busy activity delays workflow tasks either way), and
 * Quiver's workflow code is its own, so the stack trace only helps debug Quiver itself.
 *
 * @param value the variable's text: `on`/`true`/`1` or `off`/`false`/`0` (any case)
 * @returns true when workflows keep the SDK's thread and stack traces
 * @throws ConfigError (field `QUIVER_WORKFLOW_STACK_TRACES`) naming the quoted value otherwise
 */
export function workflowStackTraces(
  value: string | undefined = process.env[WORKFLOW_STACK_TRACES_VAR],
): boolean {
  const text = value?.trim().toLowerCase() ?? '';
  if (['', 'off', 'false', '0'].includes(text)) return false;
  if (['on', 'true', '1'].includes(text)) return true;
  throw new ConfigError(
    `${WORKFLOW_STACK_TRACES_VAR} '${value?.trim()}' is not usable: give 'on' or 'off'`,
    WORKFLOW_STACK_TRACES_VAR,
  );
}

/** The SDK's promise-hook switch; `stopPromiseHook` is private in its typings. */
const handlers = globalHandlers as unknown as { stopPromiseHook(): void; promiseHookInstalled: boolean };

/**
 * A creator that runs workflow code in one reusable V8 context on the calling (main) thread: the SDK's
 * own ReusableVMWorkflowCreator, which its `debugMode` and replay workers use, with the SDK's promise
 * hook stopped, so workflows report stack traces as not enabled (`__stack_trace` fails with the
 * SDK's "Workflow stack traces are not enabled on this worker").
 *
 * Uses the SDK's internal modules (`@temporalio/worker/lib/workflow/*`), pinned by the lock file.
 *
 * @param bundle the workflow bundle, as the SDK passes it to `createWorkflowCreator`
 * @param options the SDK's compiled worker options (activity names, patch callback, per-call timeout in ms)
 */
export async function mainThreadWorkflowCreator(
  bundle: WorkflowBundleWithSourceMapAndFilename,
  options: CompiledWorkerOptions,
): Promise<WorkflowCreator> {
  const { patchActivationCallback } = options;
  const creator = await ReusableVMWorkflowCreator.create(
    bundle,
    options.isolateExecutionTimeoutMs,
    new Set(options.activities.keys()),
    patchActivationCallback === undefined
      ? undefined
      : (info, patchId) => invokePatchActivationCallback(patchActivationCallback, info, patchId),
  );
  // `create` installed the hook (once per process, never again): stopped before any workflow makes a promise.
  handlers.stopPromiseHook();
  handlers.promiseHookInstalled = false;
  return creator;
}
