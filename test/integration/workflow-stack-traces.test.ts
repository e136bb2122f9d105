import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOW_STACK_TRACES_VAR } from '../../worker/main-thread-workflows';
import { connectTestTemporal } from '../helpers/temporal';
import { withQuiverWorker } from '../support/quiver-worker';

// QUIVER_WORKFLOW_STACK_TRACES on a real worker and dev server: off by default (workflow code on the
// main thread, no promise hook: the stack-trace query the Temporal UI sends is refused), and on when
// set (the SDK's worker thread, whose stack trace names where the workflow waits).

let client: Client;

beforeAll(async () => {
  client = new Client({ connection: await connectTestTemporal() });
});

afterAll(async () => {
  await client?.connection.close();
});

/** Starts `waitsForever` on a QuiverWorker created with the variable at `setting`, and asks for its stack. */
async function stackTraceQuery(setting: string | undefined): Promise<PromiseSettledResult<string>> {
  const taskQueue = `stack-traces-${setting ?? 'default'}-${process.pid}`;
  return withQuiverWorker(taskQueue, { name: WORKFLOW_STACK_TRACES_VAR, value: setting }, async () => {
    const handle = await client.workflow.start('waitsForever', {
      taskQueue,
      workflowId: `${taskQueue}-${Date.now()}`,
    });
    try {
      const [settled] = await Promise.allSettled([handle.query<string>('__stack_trace')]);
      return settled;
    } finally {
      await handle.terminate('test done');
    }
  });
}

describe('QUIVER_WORKFLOW_STACK_TRACES', () => {
  it('is off by default: workflows run without the promise hook, and the stack-trace query says so', async () => {
    const settled = await stackTraceQuery(undefined);
    expect(settled.status).toBe('rejected');
    expect(String((settled as PromiseRejectedResult).reason)).toContain(
      'Workflow stack traces are not enabled on this worker',
    );
  }, 60_000);

  it('on: the SDK worker thread answers with the stack of the waiting workflow', async () => {
    const settled = await stackTraceQuery('on');
    expect(settled.status).toBe('fulfilled');
    const stack = (settled as PromiseFulfilledResult<string>).value;
    expect(stack).toContain('waitsForever');
    expect(stack).toContain('busy-loop.ts');
  }, 60_000);
});
