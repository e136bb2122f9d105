// The bare-Temporal floor the orchestration bench compares Quiver with: five no-op steps in a row,
// as activities (one task round trip each) and as local activities (run inside the workflow task).
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type * as activities from '../bare-activities';

/** Steps of each bare workflow (the bench divides by it). */
export const STEPS = 5;
const remote = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });
const local = proxyLocalActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

/** Five no-op activities, one after another. */
export async function fiveActivities(): Promise<void> {
  for (let i = 0; i < STEPS; i++) await remote.noop();
}

/** Five no-op local activities, one after another. */
export async function fiveLocalActivities(): Promise<void> {
  for (let i = 0; i < STEPS; i++) await local.noop();
}
