import { workflowStackTraces } from './main-thread-workflows';
import { workflowCallTimeoutMs } from './workflow-call-guard';

/**
 * Reads the environment variables that shape how a worker runs workflow code, so a bad value stops a
 * command before it starts or looks for a server: `QUIVER_WORKFLOW_CALL_TIMEOUT` and
 * `QUIVER_WORKFLOW_STACK_TRACES`.
 *
 * @throws ConfigError (exit 2) naming the variable and its quoted value
 */
export function checkWorkerSettings(): void {
  workflowCallTimeoutMs();
  workflowStackTraces();
}
