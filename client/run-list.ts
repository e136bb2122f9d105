import {
  defineSearchAttributeKey,
  SearchAttributeType,
  type SearchAttributeKey,
  type TypedSearchAttributes,
} from '@temporalio/common/lib/search-attributes'; // not the index: see core/search-attributes.ts
import type { Client } from '@temporalio/client';
import { SpecError } from '../core/errors';
import { RUN_STATUSES, runStatusNamed, type RunStatus } from '../core/run-types';
import { SEARCH_ATTRIBUTES } from '../core/search-attributes';
import { dateOf, executionStatus, searchAttributeValue, type ExecutionInfo } from './temporal-read';

/** Temporal sets this on every workflow a schedule starts. */
const SCHEDULED_BY = defineSearchAttributeKey('TemporalScheduledById', SearchAttributeType.KEYWORD);

/** Filters of `quiver runs ls`; all optional, combined with AND. */
export interface RunFilter {
  pipeline?: string;
  /** A run status in any spelling `runs ls --status` takes (`completed`, `cancelled`, `timed-out`). */
  status?: string;
  schedule?: string;
  /** At most this many runs, newest first (default 20). */
  limit?: number;
}

/** One run as Temporal's visibility store knows it: no worker or query needed. */
export interface RunListEntry {
  runId: string;
  pipeline: string | null;
  status: string;
  step: string | null;
  datasetSha: string | null;
  modelVersion: number | null;
  schedule: string | null;
  startedAt: string;
  closedAt: string | null;
  durationMs: number | null;
}

/** Quotes a value for a visibility query: `"iris"`, with quotes and backslashes escaped. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Quiver's states of an open run: recorded by the workflow, true only while Temporal says Running. */
const OPEN_STATES: readonly string[] = ['RUNNING', 'PAUSED', 'WAITING_APPROVAL'];

/** Temporal's execution status (visibility's `ExecutionStatus`) behind each closed Quiver status. */
const EXECUTION_STATUS: Partial<Record<RunStatus, string>> = {
  COMPLETED: 'Completed',
  FAILED: 'Failed',
  CANCELED: 'Canceled',
  TERMINATED: 'Terminated',
  TIMED_OUT: 'TimedOut',
};

/**
 * One status filter: open states need Quiver's status and a running execution (a terminated run keeps
 * the QuiverStatus it had); closed ones match Temporal's execution status, which is always recorded,
 * or Quiver's own (a failed run's QuiverStatus is FAILED even while its workflow task retries).
 */
function statusClause(status: RunStatus): string {
  const quiver = `${SEARCH_ATTRIBUTES.status.name} = ${quote(status)}`;
  if (OPEN_STATES.includes(status)) return `${quiver} AND ExecutionStatus = "Running"`;
  const execution = `ExecutionStatus = ${quote(EXECUTION_STATUS[status]!)}`;
  return status === 'TERMINATED' || status === 'TIMED_OUT'
    ? execution
    : `(${execution} OR (${quiver} AND ExecutionStatus != "Running"))`;
}

/** The visibility query for a filter, e.g. `WorkflowType = "trainingPipeline" AND QuiverPipeline = "iris"`. */
export function runListQuery(filter: RunFilter): string {
  const clauses = ['WorkflowType = "trainingPipeline"'];
  if (filter.pipeline) clauses.push(`${SEARCH_ATTRIBUTES.pipeline.name} = ${quote(filter.pipeline)}`);
  if (filter.status) {
    const status = runStatusNamed(filter.status);
    if (!status)
      throw new SpecError(`--status must be one of ${RUN_STATUSES.join(', ')}, not ${filter.status}`, [
        { path: '--status', message: `unknown status ${filter.status}` },
      ]);
    clauses.push(statusClause(status));
  }
  if (filter.schedule) clauses.push(`${SCHEDULED_BY.name} = ${quote(filter.schedule)}`);
  return clauses.join(' AND ');
}

/** `quiver runs ls`: runs matching `filter`, newest first, from Temporal's visibility store. */
export async function listRuns(temporal: Client, filter: RunFilter = {}): Promise<RunListEntry[]> {
  return listRunsWith(async (query) => {
    const executions: RunExecution[] = [];
    for await (const info of temporal.workflow.list({ query, pageSize: 100 })) {
      const attributes: TypedSearchAttributes = info.typedSearchAttributes;
      executions.push({
        workflowId: info.workflowId,
        status: info.status.name,
        startTime: info.startTime,
        closeTime: info.closeTime ?? null,
        attribute: (key) => attributes.get(key) ?? undefined,
      });
    }
    return executions;
  }, filter);
}

/** One listed workflow execution, however it was read (the Temporal client, or TemporalReader). */
interface RunExecution {
  workflowId: string;
  /** Temporal's execution status name: `RUNNING`, `COMPLETED`… */
  status: string;
  startTime: Date;
  closeTime: Date | null;
  /** A search attribute's value, undefined when unset. */
  attribute(key: SearchAttributeKey<SearchAttributeType>): unknown;
}

/**
 * `runs ls` on executions listed by `list` (a visibility query in, executions out), newest first.
 * @throws SpecError for a bad `--status` or `--limit`.
 */
export async function listRunsWith(
  list: (query: string) => Promise<Array<RunExecution | ExecutionInfo>>,
  filter: RunFilter = {},
): Promise<RunListEntry[]> {
  const limit = filter.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1)
    throw new SpecError(`--limit must be a positive integer, not ${filter.limit}`, [
      { path: '--limit', message: 'expected a positive integer' },
    ]);
  const entries = (await list(runListQuery(filter))).map((listed) => {
    const info = 'attribute' in listed ? listed : fromReader(listed);
    const quiverStatus = info.attribute(SEARCH_ATTRIBUTES.status) as string | undefined;
    const closedAt = info.closeTime;
    return {
      runId: info.workflowId,
      pipeline: (info.attribute(SEARCH_ATTRIBUTES.pipeline) as string | undefined) ?? null,
      // A terminated or timed-out run never wrote its final QuiverStatus: Temporal's own status wins then.
      status: quiverStatus && !(OPEN_STATES.includes(quiverStatus) && closedAt) ? quiverStatus : info.status,
      step: (info.attribute(SEARCH_ATTRIBUTES.step) as string | undefined) ?? null,
      datasetSha: (info.attribute(SEARCH_ATTRIBUTES.datasetSha) as string | undefined) ?? null,
      modelVersion: (info.attribute(SEARCH_ATTRIBUTES.modelVersion) as number | undefined) ?? null,
      schedule: (info.attribute(SCHEDULED_BY) as string | undefined) ?? null,
      startedAt: info.startTime.toISOString(),
      closedAt: closedAt?.toISOString() ?? null,
      durationMs: closedAt ? closedAt.getTime() - info.startTime.getTime() : null,
    };
  });
  return entries.sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, limit);
}

/** An execution as TemporalReader lists it, in the shape {@link listRunsWith} reads. */
function fromReader(info: ExecutionInfo): RunExecution {
  return {
    workflowId: info.execution?.workflowId ?? '',
    status: executionStatus(info),
    startTime: dateOf(info.startTime) ?? new Date(0),
    closeTime: dateOf(info.closeTime),
    attribute: (key) => searchAttributeValue(info, key.name),
  };
}
