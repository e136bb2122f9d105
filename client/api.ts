import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { stepCodeVersion } from '../activities/step';
import { openStore } from '../core/checkpoint/store';
import { CheckpointNotFoundError, QuiverError, SpecError } from '../core/errors';
import { planRun, type Plan } from '../core/plan';
import {
  PROGRESS_MEMO_KEY,
  STEP_NAMES,
  type PipelineInput,
  type RunProgress,
  type RunStatus,
  type StepName,
  type StepResult,
  type StepState,
} from '../core/run-types';
import { sourceSha256 } from '../core/source';
import { applyOverrides, validateSpec } from '../core/spec/load';
import type { PipelineSpec } from '../core/spec/schema';
import { stepParams } from '../core/step-params';
import { progressQuery, retrySignal, trainingPipeline } from '../workflows';
import { progressFromHistory } from './history-progress';
import { payloadDecoder } from './payloads';
import { approveSignal, rejectSignal, type ApprovalSignalArgs } from '../workflows/approval';
import { pipelineStartOptions } from './run-start';
import type { CheckpointRef } from '../core/checkpoint/types';
import { recordLatestTraining, trainingResumePoint, withLatestHeartbeat } from './live-training';

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
  /** Checkpoint store URI, for verifying checkpoints while planning. */
  store: string;
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
  async start(
    spec: PipelineSpec,
    overrides: string[] = [],
    runId = newRunId(spec.name),
    extra: Pick<PipelineInput, 'reuse' | 'resumedFrom' | 'resumeTraining'> = {},
  ): Promise<string> {
    const input: PipelineInput = { spec, overrides, taskQueues: this.options.taskQueues, ...extra };
    await this.temporal.workflow.start(trainingPipeline, {
      ...pipelineStartOptions(input, this.options.taskQueues.cpu),
      workflowId: runId,
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
      status === 'RUNNING'
        ? await withLatestHeartbeat(
            this.temporal,
            await handle.query(progressQuery),
            description.raw.pendingActivities,
          )
        : await this.closedProgress(runId, description.memo, status as RunStatus);
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
        const fingerprint = JSON.stringify([
          view.status,
          view.steps.map((s) => [s.status, s.attempts, s.live?.epoch]),
        ]);
        if (fingerprint !== last) {
          last = fingerprint;
          onProgress(view);
        }
        if (!['RUNNING', 'PAUSED', 'WAITING_APPROVAL'].includes(view.status)) break;
        await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, pollMs))]);
      }
    }
    await closed;
    const view = await this.status(runId);
    onProgress?.(view);
    return view;
  }

  private async closedProgress(
    runId: string,
    memo: Record<string, unknown> | undefined,
    status: RunStatus,
  ): Promise<RunProgress> {
    const recorded = memo?.[PROGRESS_MEMO_KEY] as RunProgress | undefined;
    if (recorded) return recorded;
    // Terminated runs never wrote their memo: rebuild their progress from the history (no worker needed).
    const history = await this.temporal.workflow.getHandle(runId).fetchHistory();
    return progressFromHistory(runId, history, payloadDecoder(this.temporal), status);
  }

  /**
   * Plans a resume (every step whose cache key still matches and whose checkpoints verify is reused)
   * or, with `from`, a replay (steps before `from` pinned to RUN's checkpoints). Starts nothing.
   */
  async plan(
    runId: string,
    options: { from?: StepName; overrides?: string[]; verify?: boolean } = {},
  ): Promise<PlannedRun> {
    const source = await this.status(runId);
    if (source.status === 'RUNNING' || source.status === 'PAUSED') {
      throw new QuiverError(
        `run ${runId} is still ${source.status.toLowerCase()}: cancel it or wait for it first`,
      );
    }
    if (options.from && !STEP_NAMES.includes(options.from)) {
      throw new SpecError(`--from must be one of ${STEP_NAMES.join(', ')}, not ${options.from}`);
    }
    const spec = options.overrides?.length
      ? validateSpec(applyOverrides(source.spec, options.overrides))
      : source.spec;
    const results: Partial<Record<StepName, StepResult>> = {};
    for (const step of source.steps) {
      const result = stepResultOf(step);
      if (result) results[step.name] = result;
    }
    const current = {} as Record<StepName, { codeVersion: string; params: Record<string, unknown> }>;
    for (const name of STEP_NAMES)
      current[name] = { codeVersion: stepCodeVersion(name), params: stepParams(name, spec) };
    const store = openStore(this.options.store);
    // Files unchanged since they were hashed are trusted (DigestCache) unless `verify` asks for a rehash.
    const trustCached = !options.verify;
    current.ingest.params.sourceSha256 = await sourceSha256(spec.source.uri, {
      digests: store.digests,
      trustCached,
    }).catch(() => '(unreadable)');
    const plan = await planRun({
      source,
      results,
      current,
      from: options.from,
      health: (ref) =>
        store.verify(ref, { trustDigestCache: trustCached }).then(
          () => 'ok' as const,
          (error: unknown) =>
            error instanceof CheckpointNotFoundError ? ('missing' as const) : ('corrupt' as const),
        ),
    });
    // An unfinished training continues from its last epoch checkpoint, if that still verifies.
    const resumePoint = options.from ? null : trainingResumePoint(source, plan, spec);
    let resumeTraining: CheckpointRef | undefined;
    const verifies = (ref: CheckpointRef) =>
      store.verify(ref).then(
        () => true,
        () => false,
      );
    if (resumePoint && (await verifies(resumePoint.checkpoint))) {
      resumeTraining = resumePoint.checkpoint;
      const train = plan.steps.find((s) => s.name === 'train')!;
      train.reason += `; continues from its epoch ${resumePoint.epoch} checkpoint`;
    }
    return { sourceRun: runId, spec, overrides: options.overrides ?? [], ...plan, resumeTraining };
  }

  /** Starts the run a plan describes, linked to its source run. */
  async startPlanned(plan: PlannedRun): Promise<string> {
    return this.start(plan.spec, plan.overrides, newRunId(plan.spec.name), {
      reuse: plan.reuse,
      resumedFrom: plan.sourceRun,
      resumeTraining: plan.resumeTraining,
    });
  }

  /** `quiver retry RUN`: a paused run re-executes the step it stopped on. */
  async retry(runId: string): Promise<void> {
    const view = await this.status(runId);
    if (view.status !== 'PAUSED')
      throw new QuiverError(`run ${runId} is ${view.status}, not PAUSED: nothing to retry`);
    await this.temporal.workflow.getHandle(runId).signal(retrySignal);
  }

  /** `quiver approve RUN`: a run waiting for approval deploys. */
  async approve(runId: string, by: string | null = null): Promise<void> {
    await this.signalWaitingRun(runId, approveSignal, { by });
  }

  /** `quiver reject RUN --reason …`: a run waiting for approval fails with the reason; nothing is deployed. */
  async reject(runId: string, reason: string, by: string | null = null): Promise<void> {
    await this.signalWaitingRun(runId, rejectSignal, { by, reason });
  }

  private async signalWaitingRun(
    runId: string,
    signal: typeof approveSignal,
    args: ApprovalSignalArgs,
  ): Promise<void> {
    const view = await this.status(runId);
    if (view.status !== 'WAITING_APPROVAL')
      throw new QuiverError(`run ${runId} is ${view.status}, not WAITING_APPROVAL: nothing to decide`);
    await this.temporal.workflow.getHandle(runId).signal(signal, args);
  }

  /** `quiver cancel RUN`: cancels the run; checkpoints written so far stay, and `resume` can pick them up. */
  async cancel(runId: string): Promise<void> {
    await recordLatestTraining(this.temporal, runId); // the last epoch checkpoint, for `resume`
    await this.temporal.workflow.getHandle(runId).cancel();
  }
}

/** A plan plus what starting it needs. */
export interface PlannedRun extends Plan {
  sourceRun: string;
  spec: PipelineSpec;
  overrides: string[];
  /** Epoch checkpoint an unfinished training of the source run continues from. */
  resumeTraining?: CheckpointRef;
}

/** The result a completed step returned, rebuilt from its recorded state. */
function stepResultOf(step: StepState): StepResult | null {
  if (step.status !== 'completed' || !step.params || !step.cacheKey || !step.stepCodeVersion) return null;
  return {
    outputs: step.outputs,
    primary: step.primary ?? Object.keys(step.outputs)[0],
    summary: step.summary,
    attempt: step.attempts,
    durationMs: step.durationMs ?? 0,
    stepCodeVersion: step.stepCodeVersion,
    params: step.params,
    paramsHash: step.paramsHash ?? '',
    cacheKey: step.cacheKey,
  };
}

/** Readable, sortable, unique: `quiver-iris-20261123-101500-x7k2`. */
export function newRunId(pipeline: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `quiver-${pipeline}-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}
