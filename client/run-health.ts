/** Whether any worker polls one task queue for one kind of task, as the server reports it. */
export interface QueuePollers {
  taskQueue: string;
  /** `workflow`: workflow tasks (and queries); `activity`: steps (`train` on the GPU queue). */
  kind: 'workflow' | 'activity';
  /** Workers that polled in the last minute or so (Temporal's own bookkeeping). */
  pollers: number;
}

/**
 * How many workers lately polled a task queue for one task type (Temporal's DescribeTaskQueue,
 * `TaskQueueType` 1 workflow, 2 activity), answered within `deadlineMs` or rejected.
 */
export type PollerCount = (taskQueue: string, taskQueueType: 1 | 2, deadlineMs: number) => Promise<number>;

/** Task-queue types in Temporal's API (`TaskQueueType`). */
const TASK_QUEUE_TYPE = { workflow: 1, activity: 2 } as const;

/**
 * Pollers of the queues a run needs: the CPU queue's workflow and activity tasks, the GPU queue's
 * activities. A queue the server could not describe within `timeoutMs` is left out (unknown, not empty).
 */
export async function queuePollers(
  pollersOf: PollerCount,
  taskQueues: { cpu: string; gpu: string },
  timeoutMs = 1_000,
): Promise<QueuePollers[]> {
  const wanted: Array<Omit<QueuePollers, 'pollers'>> = [
    { taskQueue: taskQueues.cpu, kind: 'workflow' },
    { taskQueue: taskQueues.cpu, kind: 'activity' },
    { taskQueue: taskQueues.gpu, kind: 'activity' },
  ];
  const described = await Promise.all(
    wanted.map(async (queue) => {
      try {
        return {
          ...queue,
          pollers: await pollersOf(queue.taskQueue, TASK_QUEUE_TYPE[queue.kind], timeoutMs),
        };
      } catch {
        return undefined;
      }
    }),
  );
  return described.filter((queue): queue is QueuePollers => queue !== undefined);
}

/** `quiver-gpu (training)`, `quiver-cpu (workflow tasks)`: how status names a queue nobody polls. */
export function describeQueue(queue: Omit<QueuePollers, 'pollers'>): string {
  return `${queue.taskQueue} (${queue.kind === 'workflow' ? 'workflow tasks' : 'steps'})`;
}

/**
 * Lines that explain a stalled open run: which queue has no worker and the command that starts one.
 * Empty when every queue has a poller.
 */
export function missingWorkerNotes(
  pollers: QueuePollers[],
  taskQueues: { cpu: string; gpu: string },
): string[] {
  return pollers
    .filter((queue) => queue.pollers === 0)
    .map((queue) => {
      const which = queue.taskQueue === taskQueues.gpu ? 'gpu' : 'cpu';
      return `no worker polls ${describeQueue(queue)}: start one with \`npx quiver worker --queue ${which}\` (or \`npx quiver up\`)`;
    });
}

/**
 * Whether `train` may go on the workflow's own (CPU) queue: the workers polling the CPU queue for steps
 * are exactly those polling the GPU queue (the same process identities: one process serves both, as
 * `quiver up` and `quiver run` start it). Wherever the CPU queue hands training, that worker chose a
 * training backend and limits trainings to its GPU concurrency (worker/workers.ts), and there is no
 * dedicated GPU worker it would bypass; only on the workflow's queue can the server hand `train` over
 * eagerly, with no trip through a task queue. Otherwise (no poller, a CPU-only worker, a dedicated GPU
 * worker) training stays on the GPU queue, with its CPU fallback after `train.gpuWait`.
 */
export function trainingSharesWorkflowQueue(cpuStepPollers: string[], gpuPollers: string[]): boolean {
  const cpu = new Set(cpuStepPollers);
  const gpu = new Set(gpuPollers);
  return cpu.size > 0 && cpu.size === gpu.size && [...cpu].every((identity) => gpu.has(identity));
}
