import type { Connection } from '@temporalio/client';
import { TemporalUnreachableError } from '../core/errors';
import { describeQueue, type QueuePollers } from './run-health';

/**
 * No worker polls a task queue a command needs an answer from (`--plan` asks a CPU worker for its code
 * versions). Exits 3, like an unreachable server: the command cannot reach what it needs.
 */
export class NoWorkerError extends TemporalUnreachableError {}

/** Task-queue types in Temporal's API (`TaskQueueType`). */
const TASK_QUEUE_TYPE = { workflow: 1, activity: 2 } as const;

/**
 * Throws {@link NoWorkerError} within about a second when the server reports no poller on the CPU queue's workflow or
 * activity tasks (Temporal's DescribeTaskQueue), naming the queue and how to start a worker. A queue the
 * server could not describe within `timeoutMs` is taken as polled: the caller's own timeout is the backstop.
 */
export async function requireCpuWorker(
  connection: Connection,
  namespace: string,
  cpuQueue: string,
  timeoutMs = 2_000,
): Promise<void> {
  let missing = await unpolledCpuQueues(connection, namespace, cpuQueue, timeoutMs);
  if (missing.length > 0) {
    // A worker started a moment ago may not have polled yet: look once more before saying none is there.
    await new Promise((resolve) => setTimeout(resolve, RECHECK_MS));
    missing = await unpolledCpuQueues(connection, namespace, cpuQueue, timeoutMs);
  }
  if (missing.length === 0) return;
  throw new NoWorkerError(
    `no worker polls ${missing.join(' or ')}, so none can tell its code versions: ` +
      'start one with `npx quiver worker --queue cpu` (or `npx quiver up`)',
  );
}

/** Pause before the second look at a queue that had no poller. */
const RECHECK_MS = 1_000;

/** The CPU queue's task kinds the server reports no poller for, as `describeQueue` names them. */
async function unpolledCpuQueues(
  connection: Connection,
  namespace: string,
  cpuQueue: string,
  timeoutMs: number,
): Promise<string[]> {
  const kinds: QueuePollers['kind'][] = ['workflow', 'activity'];
  const unpolled = await Promise.all(
    kinds.map(async (kind) => {
      const response = await connection
        .withDeadline(Date.now() + timeoutMs, () =>
          connection.workflowService.describeTaskQueue({
            namespace,
            taskQueue: { name: cpuQueue, kind: 1 },
            taskQueueType: TASK_QUEUE_TYPE[kind],
          }),
        )
        .catch(() => undefined);
      return response && !response.pollers?.length ? describeQueue({ taskQueue: cpuQueue, kind }) : null;
    }),
  );
  return unpolled.filter((queue) => queue !== null);
}
