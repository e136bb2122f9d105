import type { Connection } from '@temporalio/client';
import { connectClient } from '../../infra/temporal-connection';
import { inject } from 'vitest';

/** Address of the dev server that test/global-setup.ts started for this run. */
export function testTemporalAddress(): string {
  return inject('temporalAddress');
}

/** A client connection to the run's dev server; close it in `afterAll`. */
export async function connectTestTemporal(): Promise<Connection> {
  return connectClient({ address: testTemporalAddress() });
}
