import { Context } from '@temporalio/activity';
import { heartbeat, lastHeartbeatDetails } from '../activities/step';

/** How often a training waiting for a slot heartbeats (its heartbeatTimeout is a minute by default). */
const WAITING_HEARTBEAT_MS = 1_000;

/**
 * `train` limited to `limit` trainings at once in this process, whichever queue brought it. A worker
 * that serves both queues takes training from the CPU queue too (see the client's
 * trainingSharesWorkflowQueue), where its slots are the CPU queue's: this keeps the GPU concurrency
 * (`QUIVER_GPU_CONCURRENCY`, 1 by default) true for all of them. A training that waits heartbeats
 * what its previous attempt last did, so neither a timeout nor a lost epoch checkpoint follows.
 * Local activities (`execution: local` runs, which never used the GPU queue) are not counted.
 */
export function limitTrainings<I, O>(
  train: (input: I) => Promise<O>,
  limit: number,
): (input: I) => Promise<O> {
  let running = 0;
  const waiting: Array<() => void> = [];
  const acquire = async (): Promise<void> => {
    if (running < limit) {
      running++;
      return;
    }
    const beat = setInterval(() => heartbeat(lastHeartbeatDetails()), WAITING_HEARTBEAT_MS);
    try {
      // The slot is handed over by release (running stays counted).
      await new Promise<void>((resolve) => waiting.push(resolve));
    } finally {
      clearInterval(beat);
    }
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  return async (input) => {
    if (isLocalActivity()) return train(input);
    await acquire();
    try {
      return await train(input);
    } finally {
      release();
    }
  };
}

function isLocalActivity(): boolean {
  try {
    return Context.current().info.isLocal;
  } catch {
    return false; // called in-process, outside any activity
  }
}
