import { Client, Connection, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { PipelineInput, RunProgress, RunStatus } from '../core/run-types';
import { SEARCH_ATTRIBUTES } from '../core/search-attributes';
import type { PipelineSpec } from '../core/spec/schema';
import { progressQuery, trainingPipeline } from '../workflows';
import { QuiverError } from '../core/errors';

/** A run as `status` reports it: the workflow's progress plus where to look at it. */
export interface RunView extends RunProgress {
  uiUrl: string;
  startedAt: string | null;
  closedAt: string | null;
}

export interface QuiverClientOptions {
  address: string;
  namespace: string;
  /** Base URL of the Temporal Web UI, for links. */
  uiUrl: string;
  taskQueues: { cpu: string; gpu: string };
}

/** Typed client for Quiver runs, on top of the Temporal client; the CLI is a thin shell over it. */
export class QuiverClient {
  private constructor(
    readonly temporal: Client,
    private readonly connection: Connection,
    private readonly options: QuiverClientOptions,
  ) {}

  static async connect(options: QuiverClientOptions): Promise<QuiverClient> {
    const connection = await Connection.connect({ address: options.address });
    return new QuiverClient(new Client({ connection, namespace: options.namespace }), connection, options);
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  /** Starts a run of `spec`; returns its run id (the Temporal workflow id). */
  async start(spec: PipelineSpec, overrides: string[] = [], runId = newRunId(spec.name)): Promise<string> {
    const input: PipelineInput = { spec, overrides, taskQueues: this.options.taskQueues };
    await this.temporal.workflow.start(trainingPipeline, {
      taskQueue: this.options.taskQueues.cpu,
      workflowId: runId,
      args: [input],
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTES.pipeline, value: spec.name },
        { key: SEARCH_ATTRIBUTES.status, value: 'RUNNING' },
      ],
      staticSummary: `${spec.name}: ${spec.source.uri.split('/').pop()} → ${spec.target.column}`,
      staticDetails: [
        `pipeline: ${spec.name}`,
        `source: ${spec.source.uri}`,
        overrides.length ? `overrides: ${overrides.join(', ')}` : 'overrides: none',
      ].join('\n'),
    });
    return runId;
  }

  uiUrl(runId: string): string {
    return `${this.options.uiUrl}/namespaces/${encodeURIComponent(this.options.namespace)}/workflows/${encodeURIComponent(runId)}`;
  }

  /** Current state of a run: live from the workflow while it runs, from its result or failure once closed. */
  async status(runId: string): Promise<RunView> {
    const handle = this.temporal.workflow.getHandle(runId);
    let description;
    try {
      description = await handle.describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new QuiverError(`no run ${runId}`);
      throw error;
    }
    const status = description.status.name as RunStatus | 'CONTINUED_AS_NEW' | 'UNSPECIFIED';
    const progress =
      status === 'RUNNING' ? await handle.query(progressQuery) : await this.closedProgress(runId);
    return {
      ...progress,
      status: progress.status === 'RUNNING' && status !== 'RUNNING' ? (status as RunStatus) : progress.status,
      uiUrl: this.uiUrl(runId),
      startedAt: description.startTime.toISOString(),
      closedAt: description.closeTime?.toISOString() ?? null,
    };
  }

  /**
   * Waits for a run to close. The close itself is awaited through the workflow's result (no polling);
   * `onProgress`, when given, is fed by a `progress` query every `pollMs` while the run is open.
   */
  async wait(runId: string, onProgress?: (view: RunView) => void, pollMs = 500): Promise<RunView> {
    const closed = this.temporal.workflow
      .getHandle(runId)
      .result()
      .then(
        () => undefined,
        () => undefined, // a failed run is reported through status() below, like a completed one
      );
    if (onProgress) {
      let last = '';
      let done = false;
      void closed.then(() => (done = true));
      while (!done) {
        const view = await this.status(runId);
        const fingerprint = JSON.stringify(view.steps.map((s) => [s.status, s.attempts]));
        if (fingerprint !== last) {
          last = fingerprint;
          onProgress(view);
        }
        if (view.status !== 'RUNNING') break;
        await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, pollMs))]);
      }
    }
    await closed;
    const view = await this.status(runId);
    onProgress?.(view);
    return view;
  }

  private async closedProgress(runId: string): Promise<RunProgress> {
    const handle = this.temporal.workflow.getHandle<typeof trainingPipeline>(runId);
    try {
      return await handle.result();
    } catch (error) {
      // A failed pipeline carries its final progress as failure details (see the workflow).
      const cause = error instanceof WorkflowFailedError ? error.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.details?.[0]) return cause.details[0] as RunProgress;
      // Cancelled or terminated runs have no result: ask the workflow itself (needs a worker).
      return await handle.query(progressQuery);
    }
  }
}

/** Readable, sortable, unique: `quiver-iris-20261123-101500-x7k2`. */
export function newRunId(pipeline: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `quiver-${pipeline}-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}
