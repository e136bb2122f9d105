import type { Payload } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import type { INamespace, Root, Type } from 'protobufjs';
import { GrpcCallError, GRPC_STATUS, UnaryChannel } from './grpc-unary';
import { namespaceNotFoundIn } from '../core/errors';

const readProto = require('../infra/temporal-read-proto') as {
  readProtoJson(): { service: string; nested: NonNullable<INamespace['nested']> };
};

/** A protobuf Timestamp as decoded here (int64 seconds as a number). */
export interface Timestamp {
  seconds?: number;
  nanos?: number;
}

/** A workflow execution as Temporal describes or lists it (the proto's fields, enums as names). */
export interface ExecutionInfo {
  execution?: { workflowId?: string; runId?: string };
  type?: { name?: string };
  startTime?: Timestamp;
  closeTime?: Timestamp;
  /** `WORKFLOW_EXECUTION_STATUS_COMPLETED`… (see {@link executionStatus}). */
  status?: string;
  memo?: { fields?: Record<string, Payload> };
  searchAttributes?: { indexedFields?: Record<string, Payload> };
}

/** An activity in flight, as DescribeWorkflowExecution reports it. */
export interface PendingActivityInfo {
  activityType?: { name?: string };
  /** `PENDING_ACTIVITY_STATE_SCHEDULED` (its attempt not started: a retry's backoff, no worker), `…_STARTED`… */
  state?: string;
  attempt?: number;
  /** The retry policy's limit (absent: none). */
  maximumAttempts?: number;
  /** When the attempt after a retry's backoff is scheduled. */
  nextAttemptScheduleTime?: Timestamp;
  lastFailure?: { message?: string };
  heartbeatDetails?: { payloads?: Payload[] };
  lastHeartbeatTime?: Timestamp;
  /** When the current attempt started (in a retry's backoff: the failed attempt's start). */
  lastStartedTime?: Timestamp;
}

/** A workflow task scheduled or running, as DescribeWorkflowExecution reports it. */
export interface PendingWorkflowTaskInfo {
  /** `PENDING_WORKFLOW_TASK_STATE_SCHEDULED` or `PENDING_WORKFLOW_TASK_STATE_STARTED`. */
  state?: string;
  startedTime?: Timestamp;
}

/** DescribeWorkflowExecution's response, the parts Quiver reads. */
export interface ExecutionDescription {
  workflowExecutionInfo?: ExecutionInfo;
  pendingActivities?: PendingActivityInfo[];
  /** Absent when no workflow task is scheduled or running. */
  pendingWorkflowTask?: PendingWorkflowTaskInfo;
  /** `cancelRequested`: the server holds a cancel request for the run (open or closed since). */
  workflowExtendedInfo?: { cancelRequested?: boolean };
}

type HistoryEvent = NonNullable<History['events']>[number];

/** `WORKFLOW_EXECUTION_STATUS_COMPLETED` → `COMPLETED`, the name the Temporal client's `status.name` gives. */
export function executionStatus(info: ExecutionInfo | undefined): string {
  return (info?.status ?? 'WORKFLOW_EXECUTION_STATUS_UNSPECIFIED').replace(/^WORKFLOW_EXECUTION_STATUS_/, '');
}

/** A Timestamp as a Date; null when absent. */
export function dateOf(timestamp: Timestamp | undefined): Date | null {
  if (!timestamp || timestamp.seconds === undefined) return null;
  // Whole milliseconds, truncated, as the Temporal client converts timestamps (tsToMs).
  return new Date(timestamp.seconds * 1000 + Math.floor((timestamp.nanos ?? 0) / 1e6));
}

/**
 * Decodes a payload as Temporal's default payload converter does for the encodings it writes:
 * `json/plain` (every value Quiver stores), `binary/null` (undefined) and `binary/plain` (bytes).
 * @throws Error naming an encoding it cannot read (a custom codec or protobuf payload).
 */
export function decodePayload(payload: Payload | undefined): unknown {
  if (!payload) return undefined;
  const encoding = Buffer.from(payload.metadata?.encoding ?? []).toString('utf8');
  const data = Buffer.from(payload.data ?? []);
  if (encoding === 'json/plain') return JSON.parse(data.toString('utf8'));
  if (encoding === 'binary/null') return undefined;
  if (encoding === 'binary/plain') return new Uint8Array(data);
  throw new Error(`cannot decode a payload encoded as '${encoding}'`);
}

/**
 * A search attribute's value, as the Temporal client's typed search attributes give it: the JSON
 * value, unwrapped from the one-element list older servers return for single values.
 */
export function searchAttributeValue(info: ExecutionInfo, name: string): unknown {
  const payload = info.searchAttributes?.indexedFields?.[name];
  if (!payload) return undefined;
  const value = decodePayload(payload);
  const type = Buffer.from(payload.metadata?.type ?? []).toString('utf8');
  return Array.isArray(value) && type !== 'KeywordList' ? value[0] : value;
}

const PACKAGE = 'temporal.api.workflowservice.v1';

/**
 * The read-only calls `status` and `runs ls` make to Temporal's frontend (describe, list, query, history,
 * task queue pollers), over one HTTP/2 connection with a slice of the API's schema
 * (infra/temporal-read-proto.js): answers in milliseconds where loading @temporalio/client costs
 * 0.3-0.7 s. Plaintext connections and Temporal's default payload encodings only, as Quiver uses them.
 */
export class TemporalReader {
  private readonly channel: UnaryChannel;
  private root: Root | undefined;
  private service = '';

  constructor(
    address: string,
    readonly namespace: string,
  ) {
    this.channel = new UnaryChannel(address);
  }

  private type(name: string): Type {
    if (!this.root) {
      const protobuf = require('protobufjs/light') as typeof import('protobufjs');
      const json = readProto.readProtoJson();
      this.root = protobuf.Root.fromJSON({ nested: json.nested });
      this.service = json.service;
    }
    return this.root.lookupType(`${PACKAGE}.${name}`);
  }

  private async unary<T>(method: string, request: Record<string, unknown>, deadlineMs: number): Promise<T> {
    const requestType = this.type(`${method}Request`);
    const responseType = this.type(`${method}Response`);
    const bytes = requestType.encode(requestType.fromObject(request)).finish();
    const response = await this.channel.call(`/${this.service}/${method}`, bytes, deadlineMs);
    return responseType.toObject(responseType.decode(response), { longs: Number, enums: String }) as T;
  }

  /**
   * DescribeWorkflowExecution of the latest run of `workflowId`.
   * @throws GrpcCallError (NOT_FOUND when no such workflow, see {@link isNotFound}).
   */
  describe(workflowId: string, deadlineMs: number): Promise<ExecutionDescription> {
    return this.unary(
      'DescribeWorkflowExecution',
      { namespace: this.namespace, execution: { workflowId } },
      deadlineMs,
    );
  }

  /** One page of ListWorkflowExecutions for a visibility query. */
  list(
    query: string,
    pageSize: number,
    nextPageToken: Uint8Array | undefined,
    deadlineMs: number,
  ): Promise<{ executions?: ExecutionInfo[]; nextPageToken?: Uint8Array }> {
    return this.unary(
      'ListWorkflowExecutions',
      { namespace: this.namespace, query, pageSize, ...(nextPageToken?.length ? { nextPageToken } : {}) },
      deadlineMs,
    );
  }

  /** Every execution a visibility query matches, page by page. */
  async listAll(query: string, deadlineMs: number, pageSize = 100): Promise<ExecutionInfo[]> {
    const all: ExecutionInfo[] = [];
    let token: Uint8Array | undefined;
    do {
      const page = await this.list(query, pageSize, token, deadlineMs);
      all.push(...(page.executions ?? []));
      token = page.nextPageToken;
    } while (token?.length);
    return all;
  }

  /**
   * Asks the workflow `workflowId` a query without arguments; resolves with its decoded answer.
   * @throws GrpcCallError when no worker answered within `deadlineMs` or the query failed.
   */
  async query(workflowId: string, queryType: string, deadlineMs: number): Promise<unknown> {
    const response = await this.unary<{ queryResult?: { payloads?: Payload[] }; queryRejected?: unknown }>(
      'QueryWorkflow',
      { namespace: this.namespace, execution: { workflowId }, query: { queryType } },
      deadlineMs,
    );
    if (response.queryRejected) throw new GrpcCallError('QueryWorkflow', 9, 'query rejected');
    return decodePayload(response.queryResult?.payloads?.[0]);
  }

  /**
   * The event history of the latest run of `workflowId`, every page of it: the events the Temporal
   * client's `fetchHistory()` returns, but decoded here (int64 fields such as event ids and times are
   * numbers, not Longs: read them with `Number()` or `String()`; enums are names).
   */
  async history(workflowId: string, deadlineMs: number): Promise<History> {
    const events: HistoryEvent[] = [];
    let token: Uint8Array | undefined;
    do {
      const page = await this.unary<{ history?: { events?: HistoryEvent[] }; nextPageToken?: Uint8Array }>(
        'GetWorkflowExecutionHistory',
        {
          namespace: this.namespace,
          execution: { workflowId },
          ...(token?.length ? { nextPageToken: token } : {}),
        },
        deadlineMs,
      );
      events.push(...(page.history?.events ?? []));
      token = page.nextPageToken;
    } while (token?.length);
    return { events };
  }

  /** How many workers polled `taskQueue` for workflow (`1`) or activity (`2`) tasks lately. */
  async pollers(taskQueue: string, taskQueueType: 1 | 2, deadlineMs: number): Promise<number> {
    const response = await this.unary<{ pollers?: unknown[] }>(
      'DescribeTaskQueue',
      { namespace: this.namespace, taskQueue: { name: taskQueue, kind: 1 }, taskQueueType },
      deadlineMs,
    );
    return response.pollers?.length ?? 0;
  }

  close(): void {
    this.channel.close();
  }
}

/** True for the error a describe of an unknown workflow id ends with (not an unknown namespace's, also NOT_FOUND). */
export function isNotFound(error: unknown): boolean {
  return (
    error instanceof GrpcCallError &&
    error.code === GRPC_STATUS.notFound &&
    !namespaceNotFoundIn(error.details)
  );
}
