import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { QuiverWorker } from '../../worker/workflow-call-guard';
import { testTemporalAddress } from '../helpers/temporal';

/** The test workflows of test/support/workflows/busy-loop.ts (busyLoop, waitsForever). */
const WORKFLOWS = path.join(__dirname, 'workflows', 'busy-loop.ts');

/**
 * Runs `body` with a QuiverWorker for the test workflows polling `taskQueue` on the test server,
 * created while the environment variable `name` is `value` (unset for undefined) and restored right
 * after, as a worker reads its settings when it is created. Shuts the worker down after `body`.
 */
export async function withQuiverWorker<T>(
  taskQueue: string,
  setting: { name: string; value: string | undefined },
  body: () => Promise<T>,
): Promise<T> {
  const before = process.env[setting.name];
  if (setting.value === undefined) delete process.env[setting.name];
  else process.env[setting.name] = setting.value;
  const connection = await NativeConnection.connect({ address: testTemporalAddress() });
  let worker: QuiverWorker;
  try {
    worker = await QuiverWorker.create({ connection, taskQueue, workflowsPath: WORKFLOWS });
  } finally {
    if (before === undefined) delete process.env[setting.name];
    else process.env[setting.name] = before;
  }
  const running = worker.run();
  try {
    return await body();
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
  }
}
