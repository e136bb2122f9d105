import { Context } from '@temporalio/activity';

/** How long the check may take before the deploy leaves the alias to the workflow (ms). */
const CHECK_DEADLINE_MS = 5_000;

/**
 * Whether the run this activity belongs to has been asked to cancel, read from the server
 * (`DescribeWorkflowExecution` → `workflowExtendedInfo.cancelRequested`, through the worker's own
 * client): `true` or `false` as the server says; `undefined` when it cannot tell (called outside an
 * activity, the call failed or was late, or the server predates the field), which callers treat as
 * "do nothing irreversible". Never throws.
 *
 * The server sets the flag the moment a cancel arrives, even while it holds the cancel's event back
 * from a workflow task in flight (checked against the dev server: a local run's one long task). A
 * cancel that arrives after this answer is too late for the caller.
 */
export async function runCancelRequested(): Promise<boolean | undefined> {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return undefined;
  }
  try {
    const { client, info } = context;
    // An activity a workflow did not schedule (none here) has no run to ask about.
    if (!info.workflowExecution) return undefined;
    const execution = info.workflowExecution;
    const response = await client.connection.withDeadline(Date.now() + CHECK_DEADLINE_MS, () =>
      client.workflowService.describeWorkflowExecution({
        namespace: info.namespace,
        execution: { workflowId: execution.workflowId, runId: execution.runId },
      }),
    );
    const flag = response.workflowExtendedInfo?.cancelRequested;
    return typeof flag === 'boolean' ? flag : undefined;
  } catch {
    return undefined;
  }
}
