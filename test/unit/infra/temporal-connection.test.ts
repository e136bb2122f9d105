import { Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { findFreePorts } from '../../../infra/ports';
import { connectClient, guardedConnectionOptions } from '../../../infra/temporal-connection';
import { testTemporalAddress } from '../../helpers/temporal';

describe('closeSafeRetryInterceptor', () => {
  it('a retry that fires after the connection closed rejects its call instead of throwing uncaught', async () => {
    // Nothing listens on the port: the call fails UNAVAILABLE and the retry interceptor schedules a retry,
    // which runs after close() below: without the guard grpc-js throws `Channel has been shut down` there.
    const [port] = await findFreePorts(1);
    const connection = Connection.lazy(guardedConnectionOptions({ address: `127.0.0.1:${port}` }));
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const call = connection.workflowService.getSystemInfo({});
      const settled = call.then(
        () => 'resolved',
        (error: Error) => error.message,
      );
      await new Promise((resolve) => setTimeout(resolve, 30));
      await connection.close();
      expect(await settled).toMatch(/UNAVAILABLE.*connection closed before a retry/);
      // Let any other pending retry timer (they back off up to 5 s) fire.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });

  it('calls that succeed pass their response through', async () => {
    const connection = await connectClient({ address: testTemporalAddress() });
    try {
      const info = await connection.workflowService.getSystemInfo({});
      expect(info.serverVersion).toMatch(/^\d+\.\d+/);
    } finally {
      await connection.close();
    }
  });
});
