// The bare-Temporal floor the orchestration bench compares Quiver with: five no-op steps in a row,
// as activities (one task round trip each) and as local activities (run inside the workflow task).
import {
  patched,
  proxyActivities,
  proxyLocalActivities,
  upsertMemo,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { SEARCH_ATTRIBUTES } from '../../core/search-attributes';
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

/**
 * Five no-op local activities dressed as a Quiver local run's visibility: a patch marker (and the
 * TemporalChangeVersion upsert the SDK adds to it), one search-attribute upsert and one memo of
 * `memoBytes` at the close. Set beside the plain five, it prices those writes on the server
 * (bench/orchestration-cpu.ts).
 */
export async function fiveLocalActivitiesDressed(memoBytes: number): Promise<void> {
  patched('bench-dressed');
  for (let i = 0; i < STEPS; i++) await local.noop();
  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTES.status, value: 'COMPLETED' },
    { key: SEARCH_ATTRIBUTES.modelVersion, value: 1 },
  ]);
  upsertMemo({ quiverProgress: { padding: 'x'.repeat(memoBytes) } });
}
