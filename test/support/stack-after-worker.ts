// Run by test/integration/workflow-stack-traces.test.ts as its own process through `tsx/cjs`, as
// bin/quiver.js runs the commands that start workers: creates a QuiverWorker with workflows on this
// thread, then prints the stack of an error made here, which must name this file's TypeScript line
// (the line of STACK-LINE), not a position in the transpiled code; with STACK_TEST_REJECT, leaves a
// rejection unhandled instead.
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { ConfigError } from '../../core/errors';
import { QuiverWorker } from '../../worker/workflow-call-guard';

async function main(): Promise<void> {
  const connection = await NativeConnection.connect({ address: process.env.STACK_TEST_ADDRESS });
  await QuiverWorker.create({
    connection,
    taskQueue: `stack-after-worker-${process.pid}`,
    workflowsPath: path.join(__dirname, 'workflows', 'busy-loop.ts'),
  });
  if (process.env.STACK_TEST_REJECT) {
    // A stray rejection outside workflow code: the process must end on it as Node ends it.
    void Promise.reject(new ConfigError('a stray rejection', 'STACK_TEST_REJECT'));
    return;
  }
  const error = new ConfigError('made after the worker', 'STACK_TEST_ADDRESS'); // STACK-LINE
  process.stdout.write(`${error.stack}\n`);
  // The worker holds the connection until it shuts down: the process just ends.
  process.exit(0);
}

void main();
