import type { Payload } from '@temporalio/common';
import type { WorkflowExecutionInfo, WorkflowHandle } from '@temporalio/client';
import { QuiverError } from '../core/errors';
import type { ModelRegistry } from '../core/registry';
import { PROGRESS_MEMO_KEY } from '../core/run-types';
import { progressQuery } from '../workflows';
import type { QuiverClient } from './api';
import { payloadDecoder } from './payloads';
import { scheduleCheckpointRefs } from './schedules';

/** Every checkpoint something still needs, and where the answer came from. */
export interface CheckpointReferences {
  /** SHA-256 of every referenced checkpoint. */
  keep: Set<string>;
  /** Pipeline runs listed: closed ones read from their memo (or history), open ones asked live. */
  runs: { open: number; closed: number };
  /** Registered model versions read from the registry. */
  modelVersions: number;
}

export interface ReferenceOptions {
  /** How long an open run's `progress` query may take before collection is refused; default 10 s. */
  queryTimeoutMs?: number;
  /** How many runs are read at once; default 8. */
  concurrency?: number;
}

/** An open run's checkpoints could not be listed, so nothing may be collected. */
export class OpenRunUnreadableError extends QuiverError {}

const DEFAULTS: Required<ReferenceOptions> = { queryTimeoutMs: 10_000, concurrency: 8 };

/** `QUIVER_GC_QUERY_TIMEOUT_MS` when set to a positive number, else 10 s: the default query timeout. */
function defaultQueryTimeoutMs(): number {
  const value = Number(process.env.QUIVER_GC_QUERY_TIMEOUT_MS);
  return Number.isFinite(value) && value > 0 ? value : DEFAULTS.queryTimeoutMs;
}
const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Collects the SHA-256 of every checkpoint still needed: by any `trainingPipeline` run in the client's
 * namespace (closed runs from the final progress in their memo, open ones — paused included — from
 * their live `progress` query plus the heartbeat of a training attempt in flight, whose epoch
 * checkpoint a retry resumes from) and by every version in the model registry.
 *
 * Refuses (throws {@link OpenRunUnreadableError}) when an open run cannot be asked, e.g. because no
 * worker polls its task queue: its checkpoints cannot be listed, and guessing could delete them.
 *
 * Temporal's visibility is eventually consistent: a run started a moment ago may not be listed yet,
 * and a step may have written a checkpoint its run has not recorded yet. Neither is seen here, which
 * is why `quiver checkpoints gc` only collects files older than an hour unless told otherwise.
 */
export async function collectCheckpointReferences(
  client: QuiverClient,
  registry: ModelRegistry,
  options: ReferenceOptions = {},
): Promise<CheckpointReferences> {
  const queryTimeoutMs = options.queryTimeoutMs ?? defaultQueryTimeoutMs();
  const concurrency = options.concurrency ?? DEFAULTS.concurrency;
  const references: CheckpointReferences = {
    keep: new Set(),
    runs: { open: 0, closed: 0 },
    modelVersions: 0,
  };
  const add = (value: unknown) => collectRefs(value, references.keep);
  const reader = new RunReader(client, queryTimeoutMs);

  // Schedules: their runs are ordinary trainingPipeline runs, listed below; a schedule's own spec,
  // when large, lives in the store (claim check) and is kept while the schedule exists.
  add(await scheduleCheckpointRefs(client.temporal));
  const pending = new Set<Promise<void>>();
  for await (const info of client.temporal.workflow.list({ query: "WorkflowType = 'trainingPipeline'" })) {
    const task = reader.refsOf(info).then(({ open, refs }) => {
      references.runs[open ? 'open' : 'closed']++;
      add(refs);
    });
    pending.add(task);
    void task.finally(() => pending.delete(task)).catch(() => undefined);
    if (pending.size >= concurrency) await Promise.race(pending);
  }
  await Promise.all(pending);

  for (const name of await registry.models()) {
    for (const version of await registry.versions(name)) {
      add(version); // its `model`, and any other reference a version record carries
      references.modelVersions++;
    }
  }
  return references;
}

/** Reads what one run references, from wherever its state lives. */
class RunReader {
  private readonly decode: (payload: Payload) => Promise<unknown>;

  constructor(
    private readonly client: QuiverClient,
    private readonly queryTimeoutMs: number,
  ) {
    this.decode = payloadDecoder(client.temporal);
  }

  async refsOf(info: WorkflowExecutionInfo): Promise<{ open: boolean; refs: unknown[] }> {
    const handle = this.client.temporal.workflow.getHandle(info.workflowId, info.runId);
    if (info.status.name !== 'RUNNING')
      return { open: false, refs: await this.closedRefs(handle, info.memo) };
    let progress: unknown;
    try {
      progress = await this.client.temporal.withDeadline(Date.now() + this.queryTimeoutMs, () =>
        handle.query(progressQuery),
      );
    } catch (cause) {
      // The listing may be behind: a run that closed meanwhile is read like any closed run.
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING')
        return { open: false, refs: await this.closedRefs(handle, description.memo) };
      throw new OpenRunUnreadableError(
        `cannot list the checkpoints of open run ${info.workflowId}: its progress query failed ` +
          `(${(cause as Error).message}). Is a worker polling task queue ${info.taskQueue}? Start one ` +
          '(`npx quiver worker`) and try again; nothing was removed.',
        { cause },
      );
    }
    return { open: true, refs: [progress, ...(await this.heartbeats(handle))] };
  }

  /** A closed run's final progress is in its memo; a run that never wrote it (terminated) has its history. */
  private async closedRefs(handle: WorkflowHandle, memo: Record<string, unknown> | undefined) {
    const recorded = memo?.[PROGRESS_MEMO_KEY];
    if (recorded) return [recorded];
    // Every checkpoint a run knew came to it in a payload: its input (reused steps), activity
    // results and failure details, memo upserts. Reading them needs no worker.
    return this.decodeAll(await handle.fetchHistory());
  }

  /** What in-flight activities last heartbeated: training's latest epoch checkpoint. */
  private async heartbeats(handle: WorkflowHandle): Promise<unknown[]> {
    const { raw } = await handle.describe();
    const payloads = (raw.pendingActivities ?? []).flatMap((a) => a.heartbeatDetails?.payloads ?? []);
    return Promise.all(payloads.map((p) => this.decode(p as Payload)));
  }

  /** Decodes every payload anywhere in `value` (a history: events nest them at many depths). */
  private async decodeAll(value: unknown): Promise<unknown[]> {
    const found: Payload[] = [];
    const visit = (node: unknown) => {
      if (!node || typeof node !== 'object' || ArrayBuffer.isView(node)) return;
      if (isPayload(node)) found.push(node);
      else for (const child of Array.isArray(node) ? node : Object.values(node)) visit(child);
    };
    visit(value);
    return Promise.all(found.map((p) => this.decode(p)));
  }
}

function isPayload(node: object): node is Payload {
  const { metadata, data } = node as Payload;
  return ArrayBuffer.isView(metadata?.encoding) && (data == null || ArrayBuffer.isView(data));
}

/** Adds the `sha256` of every checkpoint reference found anywhere in `value`. */
export function collectRefs(value: unknown, into: Set<string>): void {
  if (!value || typeof value !== 'object' || ArrayBuffer.isView(value)) return;
  const { sha256 } = value as { sha256?: unknown };
  if (typeof sha256 === 'string' && SHA256.test(sha256)) into.add(sha256);
  for (const child of Array.isArray(value) ? value : Object.values(value)) collectRefs(child, into);
}
