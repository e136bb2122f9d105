import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOW_STACK_TRACES_VAR } from '../../worker/main-thread-workflows';
import { connectTestTemporal, testTemporalAddress } from '../helpers/temporal';
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

  it("keeps the process's source-mapped stacks: an error made after a worker started names its .ts line", async () => {
    // Its own process, run from source as bin/quiver.js runs workers (tsx/cjs): vitest's own stack
    // mapping is not in play.
    const script = path.join(__dirname, '..', 'support', 'stack-after-worker.ts');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-e', `require('tsx/cjs'); require(${JSON.stringify(script)})`],
      {
        cwd: path.join(__dirname, '..', '..'),
        env: { ...process.env, STACK_TEST_ADDRESS: testTemporalAddress() },
      },
    );
    const line =
      fs
        .readFileSync(script, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('// STACK-LINE')) + 1;
    expect(stdout).toContain('ConfigError: made after the worker');
    expect(stdout).toContain(`stack-after-worker.ts:${line}:`);
  }, 60_000);

  it('leaves a rejection outside workflow code to end the process as Node does, naming the error', async () => {
    const script = path.join(__dirname, '..', 'support', 'stack-after-worker.ts');
    const ended = await promisify(execFile)(
      process.execPath,
      ['-e', `require('tsx/cjs'); require(${JSON.stringify(script)})`],
      {
        cwd: path.join(__dirname, '..', '..'),
        env: { ...process.env, STACK_TEST_ADDRESS: testTemporalAddress(), STACK_TEST_REJECT: '1' },
      },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(ended.code).not.toBe(0);
    expect(ended.stderr).toContain('ConfigError: a stray rejection');
    expect(ended.stderr).not.toContain('could not be associated to a Workflow Run');
  }, 60_000);

  it('on: the SDK worker thread answers with the stack of the waiting workflow', async () => {
    const settled = await stackTraceQuery('on');
    expect(settled.status).toBe('fulfilled');
    const stack = (settled as PromiseFulfilledResult<string>).value;
    expect(stack).toContain('waitsForever');
    expect(stack).toContain('busy-loop.ts');
  }, 60_000);
});
