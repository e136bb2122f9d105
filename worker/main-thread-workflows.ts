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
 * SDK's "Workflow stack traces are not enabled on this worker"), and the process's own stack
 * formatter kept (source-mapped stacks for activity errors).
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
  // The SDK replaces the process's stack formatter, which would end Node's source-mapped stacks for
  // every error in this thread (activity failures would point into transpiled code): put back below.
  const processStackFormatter = Error.prepareStackTrace;
  const rejectionListeners = new Set(process.listeners('unhandledRejection'));
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
  Error.prepareStackTrace = processStackFormatter;
  // `create` also added (once per process) a listener that fails the workflow task of a workflow's
  // unhandled rejection, and ends the process on any other with "could not be associated to a
  // Workflow Run": it keeps the first job only, the rest as if it were not there.
  for (const listener of process.listeners('unhandledRejection'))
    if (!rejectionListeners.has(listener)) {
      process.off('unhandledRejection', listener);
      process.on('unhandledRejection', workflowRejectionsOnly(listener));
    }
  return creator;
}

/**
 * The SDK's unhandled-rejection listener for rejections made in workflow code only. Any other
 * rejection is left as Node leaves it when no listener of its own is there: thrown, so the process
 * ends naming the error itself (when another listener is there, a test runner's, that one decides).
 */
function workflowRejectionsOnly(
  sdkListener: NodeJS.UnhandledRejectionListener,
): NodeJS.UnhandledRejectionListener {
  const listener: NodeJS.UnhandledRejectionListener = (reason, promise) => {
    if (madeInWorkflowCode(promise)) return sdkListener(reason, promise);
    if (process.listeners('unhandledRejection').every((other) => other === listener)) throw reason;
  };
  return listener;
}

/** Whether `promise` was made in workflow code: its realm (a workflow's V8 context) has an activator. */
function madeInWorkflowCode(promise: Promise<unknown>): boolean {
  try {
    // The SDK's own test (vm-shared getActivator): a function made in the promise's realm reads its global.
    const inRealm = promise.constructor.constructor as (code: string) => () => unknown;
    return Boolean(inRealm('return globalThis.__TEMPORAL_ACTIVATOR__')());
  } catch {
    return false;
  }
}
