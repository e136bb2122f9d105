import { Client, type WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestTemporal } from '../helpers/temporal';
import { withQuiverWorker } from '../support/quiver-worker';
import { eventually } from '../support/eventually';
import { spin } from '../support/workflows/busy-loop';

// QUIVER_WORKFLOW_CALL_TIMEOUT on a real worker and dev server: off by default (a long activation
// completes where the SDK's own 5 s guard would fail it), and on when set (the SDK's failure, at the
// configured limit).

/** Iterations of `spin` that take about `ms` of wall time in this process, measured now. */
function iterationsFor(ms: number): number {
  let iterations = 1_000_000;
  for (;;) {
    const started = performance.now();
    spin(iterations);
    const took = performance.now() - started;
    if (took >= 200) return Math.ceil((iterations * ms) / took);
    iterations *= 4;
  }
}

/** Runs `busyLoop(iterations)` on its own queue, with `QUIVER_WORKFLOW_CALL_TIMEOUT` set to `guard` for the worker. */
async function withBusyWorker<T>(
  guard: string | undefined,
  body: (start: (iterations: number) => Promise<WorkflowHandle>) => Promise<T>,
): Promise<T> {
  const taskQueue = `call-guard-${guard ?? 'off'}-${process.pid}`;
  return withQuiverWorker(taskQueue, { name: 'QUIVER_WORKFLOW_CALL_TIMEOUT', value: guard }, () =>
    body((iterations) =>
      client.workflow.start('busyLoop', {
        taskQueue,
        workflowId: `${taskQueue}-${Date.now()}`,
        args: [iterations],
        // The server must not time the long activation out itself: the worker's guard is under test.
        workflowTaskTimeout: '120s',
      }),
    ),
  );
}

/** The failure messages of the run's failed workflow tasks so far. */
async function workflowTaskFailures(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const message = event.workflowTaskFailedEventAttributes?.failure?.message;
    return message ? [message] : [];
  });
}

let client: Client;

beforeAll(async () => {
  client = new Client({ connection: await connectTestTemporal() });
});

afterAll(async () => {
  await client?.connection.close();
});

describe('the guard on each call into workflow code', () => {
  it('is off by default: an activation longer than the SDK default of 5 s completes', async () => {
    const iterations = iterationsFor(6_000);
    await withBusyWorker(undefined, async (start) => {
      const handle = await start(iterations);
      expect(await handle.result()).toBe(spin(iterations));
      expect(await workflowTaskFailures(handle)).toEqual([]);
    });
  }, 180_000);

  it('fails the workflow task at the limit QUIVER_WORKFLOW_CALL_TIMEOUT sets', async () => {
    const iterations = iterationsFor(1_000);
    await withBusyWorker('50ms', async (start) => {
      const handle = await start(iterations);
      try {
        const failures = await eventually(
          async () =>
            (await workflowTaskFailures(handle)).length > 0 ? workflowTaskFailures(handle) : undefined,
          'a failed workflow task',
        );
        expect(failures[0]).toContain('Script execution timed out after 50ms');
      } finally {
        await handle.terminate('test done');
      }
    });
  }, 180_000);
});
