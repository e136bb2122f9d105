import type { Client, Connection } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import {
  CheckpointNotFoundError,
  QuiverError,
  RunNotFoundError,
  SpecError,
  TemporalUnreachableError,
} from '../core/errors';
import type { TransformSpec } from '../core/features/types';
import type { CurrentTransform, Plan } from '../core/plan';
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
import type { PipelineSpec } from '../core/spec/schema';
import { assertWithinPayloadLimit } from '../core/payload-limits';
import { SEARCH_ATTRIBUTES } from '../core/search-attributes';
import { payloadDecoder } from './payloads';
import type { ApprovalSignalArgs } from '../workflows/approval';
import { pipelineStartOptions } from './run-start';
import type { CheckpointRef } from '../core/checkpoint/types';
import {
  recordRunningStep,
  settleClosedProgress,
  trainingResumePoint,
  withLatestHeartbeat,
  withLocalTrainingNote,
} from './live-training';
import { withServerAttempts, type StepRetry } from './step-attempts';
import { missingWorkerNotes, queuePollers, trainingSharesWorkflowQueue } from './run-health';
import { untilClosedOr } from './until-closed';
import { progressFingerprint, RetryCountdown } from './wait-progress';
import { listRunsWith, type RunFilter, type RunListEntry } from './run-list';
import { GRPC_STATUS, GrpcCallError, noAnswerWithin } from './grpc-unary';
import {
  dateOf,
  decodePayload,
  executionStatus,
  isNotFound,
  searchAttributeValue,
  TemporalReader,
  type ExecutionInfo,
} from './temporal-read';
import { NoWorkerError, requireCpuWorker } from './worker-check';
import { isLocalRunId, RunRecords } from './run-records';

// `status` and `runs ls` load this module and must answer in well under half a second: they read
// through TemporalReader (one HTTP/2 connection, a slice of the API schema), and what only starting,
// planning or signalling runs needs (the Temporal client and its full schema, the workflow definitions
// with @temporalio/workflow, the checkpoint store with Arrow and the S3 SDK, spec parsing with YAML and
// zod, user transforms through tsx) is required inside the methods that use it.
const temporalClient = () => require('@temporalio/client') as typeof import('@temporalio/client');
const workflows = () => require('../workflows') as typeof import('../workflows');
const approval = () => require('../workflows/approval') as typeof import('../workflows/approval');
const checkpointStore = () =>
  require('../core/checkpoint/store') as typeof import('../core/checkpoint/store');
const specClaimCheck = () => require('../core/spec-claim-check') as typeof import('../core/spec-claim-check');

/**
 * The workflow's `progress` query (workflows/training-pipeline.ts `progressQuery`), by name: the
 * definition itself lives with the workflow code, which `status` does not load.
 */
export const PROGRESS_QUERY = { type: 'query', name: 'progress' } as QueryDefinition<RunProgress>;

/** A step as `status` reports it: its recorded state, plus what the client adds for an open run. */
export interface StepView extends StepState {
  /** Why a running step shows less than one might expect (a local run's training: no live epochs). */
  note?: string;
  /** A running step whose activity waits out a retry's backoff: the attempt to come (no live epoch meanwhile). */
  retry?: StepRetry;
}

/** A run as `status` reports it: the workflow's progress plus where to look at it. */
export interface RunView extends RunProgress {
  steps: StepView[];
  uiUrl: string;
  startedAt: string | null;
  closedAt: string | null;
  /**
   * Where the steps' state came from: the running workflow (`query`); its event history (`history`)
   * when no worker polls or answered in time, for an open local run in its workflow task (which would
   * hold the query for seconds), or for a closed run with no memo; or the memo a closed run recorded
   * (`memo`).
   */
  progressFrom?: 'query' | 'history' | 'memo';
  /** An open run's task queues that no worker polls, each with the command that starts one. */
  workerWarnings?: string[];
  /**
   * An open run only: whether the server holds a cancel request for it (`quiver cancel`) that has not
   * closed it yet, e.g. while its deploy settles.
   */
  cancelRequested?: boolean;
}

/** How long `status` asks the server which task queues have pollers. */
const POLLERS_DEADLINE_MS = 1_000;
/**
 * How long `status` waits for a polling worker to answer the progress query before reading the
 * history instead (a worker that polls answers in milliseconds unless its machine is overloaded).
 */
const QUERY_DEADLINE_MS = 5_000;
/** Describe and history reads are the server's alone: a server that does not answer in this is down. */
const SERVER_DEADLINE_MS = 10_000;
/** Pause checks in a row the server may leave unanswered before a wait gives up on it (about 36 s). */
const UNANSWERED_CHECKS = 3;

export interface QuiverClientOptions {
  address: string;
  namespace: string;
  /** Base URL of the Temporal Web UI, for links. */
  uiUrl: string;
  taskQueues: { cpu: string; gpu: string };
  /** Checkpoint store URI, for verifying checkpoints while planning. */
  store: string;
  /** QUIVER_HOME: where local runs are recorded and closed runs remembered (see RunRecords). */
  home?: string;
}

/** Typed client for Quiver runs, on top of the Temporal client; the CLI is a thin shell over it. */
export class QuiverClient {
  private client: Client | undefined;
  private connection: Connection | undefined;
  /** Describe, list, query and pollers: what `status` and `runs ls` ask, without the Temporal client. */
  private readonly reader: TemporalReader;

  private constructor(private readonly options: QuiverClientOptions) {
    this.reader = new TemporalReader(options.address, options.namespace);
  }

  /** A client for the server at `options.address`; connections open at their first call. */
  static async connect(options: QuiverClientOptions): Promise<QuiverClient> {
    return new QuiverClient(options);
  }

  /** The Temporal client (loaded and connected at first use: `status` and `runs ls` never need it). */
  get temporal(): Client {
    if (!this.client) {
      const { Client, Connection } = temporalClient();
      const { guardedConnectionOptions } =
        require('../infra/temporal-connection') as typeof import('../infra/temporal-connection');
      this.connection = Connection.lazy(guardedConnectionOptions({ address: this.options.address }));
      this.client = new Client({ connection: this.connection, namespace: this.options.namespace });
    }
    return this.client;
  }

  async close(): Promise<void> {
    this.reader.close();
    await this.connection?.close();
  }

  /** `quiver runs ls`: runs matching `filter`, newest first, from Temporal's visibility store. */
  async list(filter: RunFilter = {}): Promise<RunListEntry[]> {
    try {
      return await listRunsWith((query) => this.reader.listAll(query, SERVER_DEADLINE_MS), filter);
    } catch (error) {
      if (error instanceof QuiverError) throw error;
      throw serverError('list runs', this.options.address, error);
    }
  }

  /** Starts a run of `spec`; returns its run id (the Temporal workflow id). */
  async start(
    spec: PipelineSpec,
    overrides: string[] = [],
    runId = newRunId(spec.name),
    extra: Pick<
      PipelineInput,
      'reuse' | 'resumedFrom' | 'resumeTraining' | 'fire' | 'timeZone' | 'priorTransforms'
    > = {},
  ): Promise<string> {
    // Where training goes is asked of the server while the store is checked and the spec claimed.
    // A local run (`execution: local`) trains on its workflow's worker, as a local activity: nothing to ask.
    const taskQueues = spec.execution === 'local' ? this.options.taskQueues : this.runTaskQueues();
    await this.checkStore();
    // Claim check: a large spec travels as a checkpoint reference; what would still be too large is refused now.
    const { openStore } = checkpointStore();
    const payload = await specClaimCheck().specPayload(openStore(this.options.store), spec, runId);
    const input: PipelineInput = {
      overrides,
      taskQueues: await taskQueues,
      store: this.options.store,
      ...extra,
      ...payload,
    };
    assertWithinPayloadLimit('the run input (spec, overrides, reused steps)', input);
    const temporal = this.temporal;
    await this.answered('start the run', () =>
      temporal.workflow.start(workflows().trainingPipeline, {
        ...pipelineStartOptions(input, this.options.taskQueues.cpu),
        workflowId: runId,
      }),
    ).catch((error: unknown) => {
      throw unregisteredSearchAttributes(error, this.options.namespace) ?? error;
    });
    return runId;
  }

  /**
   * The task queues a new run schedules on: the configured ones, or the CPU queue for training too when
   * the workers polling it all poll the GPU queue as well (see trainingSharesWorkflowQueue). Any doubt
   * (a describe that fails or is late) keeps the configured GPU queue.
   */
  private async runTaskQueues(): Promise<{ cpu: string; gpu: string }> {
    const configured = this.options.taskQueues;
    if (configured.gpu === configured.cpu) return configured;
    const service = this.temporal.workflowService;
    const identities = (taskQueue: string) =>
      this.connection!.withDeadline(Date.now() + POLLERS_DEADLINE_MS, () =>
        // kind 1: a normal queue; taskQueueType 2: activity pollers.
        service.describeTaskQueue({
          namespace: this.options.namespace,
          taskQueue: { name: taskQueue, kind: 1 },
          taskQueueType: 2,
        }),
      ).then((response) => (response.pollers ?? []).map((poller) => poller.identity ?? ''));
    try {
      const [cpu, gpu] = await Promise.all([identities(configured.cpu), identities(configured.gpu)]);
      return trainingSharesWorkflowQueue(cpu, gpu)
        ? { cpu: configured.cpu, gpu: configured.cpu }
        : configured;
    } catch {
      return configured;
    }
  }

  private storeChecked: Promise<void> | undefined;

  /** Fails before a run starts when the store cannot be used (missing bucket, refused credentials). */
  private checkStore(): Promise<void> {
    const { checkStore } =
      require('../core/object-store/index') as typeof import('../core/object-store/index');
    this.storeChecked ??= checkStore(this.options.store).catch((error: unknown) => {
      this.storeChecked = undefined;
      throw error;
    });
    return this.storeChecked;
  }

  /**
   * `call` (Temporal client calls) within the server deadline: a server that accepts the connection
   * but never answers must not hold a command forever; no answer becomes TemporalUnreachableError
   * naming the address and `what` was being done.
   */
  private answered<T>(what: string, call: () => Promise<T>): Promise<T> {
    void this.temporal; // connects lazily: `this.connection` exists from here on
    return this.connection!.withDeadline(Date.now() + SERVER_DEADLINE_MS, call).catch((error: unknown) => {
      throw unansweredAs(error, what, this.options.address, SERVER_DEADLINE_MS);
    });
  }

  uiUrl(runId: string): string {
    return `${this.options.uiUrl}/namespaces/${encodeURIComponent(this.options.namespace)}/workflows/${encodeURIComponent(runId)}`;
  }

  /**
   * Current state of a run, never waiting on an absent worker: live from the workflow when a worker
   * polls its queue and answers the `progress` query (within {@link QUERY_DEADLINE_MS}), else rebuilt
   * from the event history (no worker needed), at once when no worker polls or the run is a local run
   * whose workflow task is in flight (the server would hold the query until the task reports); closed
   * runs from their memo. An open run names the task queues no worker polls (`workerWarnings`), says
   * whether a cancel is pending (`cancelRequested`), and, in a run of activities, counts its running
   * step's attempts as the server does (the run counts an attempt when it ends), a retry's backoff
   * included (`retry`). All of it from one DescribeWorkflowExecution.
   *
   * @throws QuiverError when the run does not exist or the server does not answer (never a raw gRPC error).
   */
  async status(runId: string): Promise<RunView> {
    if (isLocalRunId(runId)) return this.localStatus(runId);
    try {
      return await this.statusOf(runId);
    } catch (error) {
      if (error instanceof QuiverError) throw error;
      if (isNotFound(error)) throw new RunNotFoundError(`run '${runId}' not found`);
      throw serverError(`read the status of ${runId}`, this.options.address, error);
    }
  }

  private async statusOf(runId: string): Promise<RunView> {
    const description = await this.reader.describe(runId, SERVER_DEADLINE_MS);
    const info = description.workflowExecutionInfo ?? {};
    const status = executionStatus(info) as RunStatus | 'CONTINUED_AS_NEW' | 'UNSPECIFIED';
    const closeTime = dateOf(info.closeTime);
    let progress: RunProgress;
    let progressFrom: RunView['progressFrom'];
    let workerWarnings: string[] | undefined;
    if (status === 'RUNNING') {
      // A workflow task in flight holds a query until the task ends or reports, seconds away in a local
      // run (every step runs inside one task): the history is read beside the pollers and, for a local
      // run, answers alone.
      const [pollers, recorded] = await Promise.all([
        queuePollers(
          (queue, type, deadlineMs) => this.reader.pollers(queue, type, deadlineMs),
          this.options.taskQueues,
          POLLERS_DEADLINE_MS,
        ),
        description.pendingWorkflowTask
          ? this.historyProgress(runId, 'RUNNING').catch(() => undefined)
          : undefined,
      ]);
      const workflowQueue = pollers.find(
        (q) => q.kind === 'workflow' && q.taskQueue === this.options.taskQueues.cpu,
      );
      // Nobody polls the workflow queue (a query would wait for a worker that is not there), or the
      // history already answered for a local run in its workflow task.
      const queried =
        workflowQueue?.pollers === 0 || recorded?.spec.execution === 'local'
          ? undefined
          : ((await this.reader
              .query(runId, PROGRESS_QUERY.name, QUERY_DEADLINE_MS)
              .catch(() => undefined)) as RunProgress | undefined);
      progressFrom = queried ? 'query' : 'history';
      const base = queried ?? recorded ?? (await this.historyProgress(runId, 'RUNNING'));
      progress = withLocalTrainingNote(
        withServerAttempts(
          await withLatestHeartbeat(decodePayload, base, description.pendingActivities),
          description.pendingActivities,
        ),
      );
      workerWarnings = missingWorkerNotes(pollers, this.options.taskQueues);
    } else {
      const recorded = decodePayload(info.memo?.fields?.[PROGRESS_MEMO_KEY]) as RunProgress | undefined;
      progressFrom = recorded ? 'memo' : 'history';
      progress = settleClosedProgress(
        recorded ?? (await this.historyProgress(runId, status as RunStatus)),
        status as RunStatus,
        closeTime?.toISOString() ?? null,
      );
    }
    const view: RunView = {
      ...progress,
      status: progress.status === 'RUNNING' && status !== 'RUNNING' ? (status as RunStatus) : progress.status,
      uiUrl: this.uiUrl(runId),
      startedAt: dateOf(info.startTime)?.toISOString() ?? null,
      closedAt: closeTime?.toISOString() ?? null,
      progressFrom,
      ...(workerWarnings?.length ? { workerWarnings } : {}),
      // Read with the rest of the description: no call of its own.
      ...(status === 'RUNNING'
        ? { cancelRequested: description.workflowExtendedInfo?.cancelRequested === true }
        : {}),
    };
    // A closed run never changes: remember it, so exploring it later needs no server.
    if (view.closedAt && this.options.home)
      await RunRecords.at(this.options.home)
        .save(view)
        .catch(() => undefined);
    return view;
  }

  /** A run made in-process (`run --local`, `step run`) lives in the run records, not in Temporal. */
  private async localStatus(runId: string): Promise<RunView> {
    const view = this.options.home ? await RunRecords.at(this.options.home).load(runId) : null;
    if (!view)
      throw new RunNotFoundError(
        `run '${runId}' not found: no local run record under ${this.options.home ?? '(no QUIVER_HOME)'}`,
      );
    return view;
  }

  /**
   * Waits for a run to close, or to pause: a step that exhausted its retries leaves the run open,
   * waiting for `quiver retry`, and a waiter returns it then (status `PAUSED`, `error` naming the step,
   * its attempts and last error) instead of waiting forever. The close is awaited through the
   * workflow's result (no polling); the pause is watched through `describe` every `pauseCheckMs` and
   * confirmed from the history, both the server's alone (no worker is asked, so a dead one cannot
   * stall it). `onProgress`, when given, is fed by `status` every `pollMs` while the run is open, with
   * each view that changes what it shows (a step's status, attempts, live epoch or retry backoff, the
   * run's pending cancel), and the last view again each second while a step waits out its backoff.
   */
  async wait(
    runId: string,
    onProgress?: (view: RunView) => void,
    pollMs = 500,
    pauseCheckMs = 2_000,
  ): Promise<RunView> {
    let done = false;
    const temporal = this.temporal; // connects lazily: `this.connection` exists from here on
    // A paused run stays open, and so would the result's long poll: it is cancelled on return, or it
    // kept a `quiver run --wait` process alive for up to 20 s after its answer, until the server ended it.
    const stopWaiting = new AbortController();
    const closed = this.connection!.withAbortSignal(stopWaiting.signal, () =>
      temporal.workflow.getHandle(runId).result(),
    )
      .then(
        () => undefined,
        () => undefined, // a failed run is reported through status() below, like a completed one
      )
      .finally(() => (done = true));
    try {
      const paused = this.untilPaused(runId, closed, () => done, pauseCheckMs);
      // Raced below; a server that stops answering rejects it even while the progress loop runs.
      paused.catch(() => undefined);
      if (onProgress) {
        let last = '';
        // A step in its retry backoff is redrawn each second between polls: its countdown moves on.
        const countdown = new RetryCountdown(onProgress);
        try {
          while (!done) {
            const view = await this.status(runId);
            // A history read that fails (server away a moment) is asked again at the next poll.
            const stopped = view.status === 'PAUSED' ? await this.pausedView(runId).catch(() => null) : null;
            if (stopped) {
              done = true;
              onProgress(stopped);
              return stopped;
            }
            const fingerprint = progressFingerprint(view);
            const changed = fingerprint !== last;
            if (changed) {
              last = fingerprint;
              onProgress(view);
            }
            countdown.polled(view, changed);
            if (!['RUNNING', 'PAUSED', 'WAITING_APPROVAL'].includes(view.status)) break;
            await untilClosedOr(closed, pollMs);
          }
        } finally {
          countdown.stop();
        }
      }
      const stopped = await Promise.race([closed.then(() => null), paused]);
      if (stopped) {
        done = true;
        onProgress?.(stopped);
        return stopped;
      }
      const view = await this.status(runId);
      onProgress?.(view);
      return view;
    } finally {
      stopWaiting.abort();
    }
  }

  /**
   * Resolves with the run's paused view once it pauses, or with null once `isDone()`: `describe`
   * (a server read) every `everyMs` until its `QuiverStatus` says PAUSED and the history confirms it.
   */
  private async untilPaused(
    runId: string,
    closed: Promise<void>,
    isDone: () => boolean,
    everyMs: number,
  ): Promise<RunView | null> {
    let unanswered = 0;
    while (!isDone()) {
      const info = await this.reader
        .describe(runId, SERVER_DEADLINE_MS)
        .then((d) => d.workflowExecutionInfo ?? {})
        .catch((error: unknown) => {
          // A server away for a moment: ask again next time; one that stays silent ends the wait (exit 3).
          if (++unanswered >= UNANSWERED_CHECKS)
            throw serverError(`wait for ${runId}`, this.options.address, error);
          return undefined;
        });
      if (info) unanswered = 0;
      if (
        info &&
        executionStatus(info) === 'RUNNING' &&
        searchAttributeValue(info, SEARCH_ATTRIBUTES.status.name) === 'PAUSED'
      ) {
        const view = await this.pausedView(runId, info).catch(() => null);
        if (view && !isDone()) return view;
      }
      await untilClosedOr(closed, everyMs);
    }
    return null;
  }

  /**
   * The run's view when its history shows it paused now (see {@link pausedInHistory}), else null.
   * Built from the history, so no worker is queried.
   */
  private async pausedView(runId: string, described?: ExecutionInfo): Promise<RunView | null> {
    const temporal = this.temporal;
    const history = await this.connection!.withDeadline(Date.now() + SERVER_DEADLINE_MS, () =>
      temporal.workflow.getHandle(runId).fetchHistory(),
    );
    const { markPaused, pausedInHistory } = require('./run-pause') as typeof import('./run-pause');
    if (!pausedInHistory(history)) return null;
    const { progressFromHistory } = require('./history-progress') as typeof import('./history-progress');
    const progress = await progressFromHistory(runId, history, payloadDecoder(temporal), 'RUNNING');
    const info = described ?? (await this.reader.describe(runId, SERVER_DEADLINE_MS)).workflowExecutionInfo;
    return {
      ...markPaused(progress),
      uiUrl: this.uiUrl(runId),
      startedAt: dateOf(info?.startTime)?.toISOString() ?? null,
      closedAt: null,
      progressFrom: 'history',
    };
  }

  /** The run's progress rebuilt from its history, read through the read path (no Temporal client). */
  private async historyProgress(runId: string, status: RunStatus): Promise<RunProgress> {
    const history = await this.reader.history(runId, SERVER_DEADLINE_MS);
    const { progressFromHistory } = require('./history-progress') as typeof import('./history-progress');
    return progressFromHistory(runId, history, async (payload) => decodePayload(payload), status);
  }

  /**
   * Plans a resume (every step whose cache key still matches and whose checkpoints verify is reused)
   * or, with `from`, a replay (steps before `from` pinned to RUN's checkpoints). Starts nothing.
   * With `spec`, that spec (already overridden and validated) is planned instead of RUN's own.
   */
  async plan(
    runId: string,
    options: { from?: StepName; overrides?: string[]; verify?: boolean; spec?: PipelineSpec } = {},
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
    const { openStore } = checkpointStore();
    const { applyOverrides, validateSpec } =
      require('../core/spec/load') as typeof import('../core/spec/load');
    const { stepModules } = require('../core/step-modules') as typeof import('../core/step-modules');
    const { stepParams } = require('../core/step-params') as typeof import('../core/step-params');
    const { sourceSha256 } = require('../core/source') as typeof import('../core/source');
    const { planRun } = require('../core/plan') as typeof import('../core/plan');
    const store = openStore(this.options.store);
    // A spec that travelled by reference is read back in full: the run's copy is compact.
    const sourceSpec = source.specRef
      ? await specClaimCheck().loadSpecCheckpoint(store, source.specRef)
      : source.spec;
    // `run SPEC --reuse-from RUN` plans the spec it was given; resume and replay start from RUN's.
    const spec =
      options.spec ??
      (options.overrides?.length ? validateSpec(applyOverrides(sourceSpec, options.overrides)) : sourceSpec);
    const results: Partial<Record<StepName, StepResult>> = {};
    for (const step of source.steps) {
      const result = stepResultOf(step);
      if (result) results[step.name] = result;
    }
    const versions = await this.codeVersions(
      Object.fromEntries(STEP_NAMES.map((step) => [step, stepModules(step, spec)])),
    );
    const current = {} as Record<StepName, { codeVersion: string; params: Record<string, unknown> }>;
    for (const name of STEP_NAMES)
      current[name] = { codeVersion: versions[name], params: stepParams(name, spec) };
    // Files unchanged since they were hashed are trusted (DigestCache) unless `verify` asks for a rehash.
    const trustCached = !options.verify;
    current.ingest.params.sourceSha256 = await sourceSha256(spec.source.uri, {
      digests: store.digests,
      trustCached,
    }).catch(() => '(unreadable)');
    if (spec.features?.length)
      current.features.params.transformCodeVersions = currentTransforms(spec.features).map(
        (t) => t.codeVersion,
      );
    const plan = await planRun({
      source,
      results,
      current,
      transforms: spec.features?.length ? currentTransforms(spec.features) : undefined,
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

  /**
   * Every step's code version as a worker on the CPU queue runs it: the one authority that plans and
   * runs share (the CLI's own files may differ from what the workers loaded).
   */
  async codeVersions(modules: Partial<Record<StepName, string[]>> = {}): Promise<Record<StepName, string>> {
    // No poller: say so now (exit 3) instead of waiting out the 30 s timeout below, kept as the backstop.
    const temporal = this.temporal; // connects lazily: `this.connection` exists from here on
    await requireCpuWorker(this.connection!, this.options.namespace, this.options.taskQueues.cpu);
    try {
      return await temporal.workflow.execute(workflows().codeVersionsWorkflow, {
        args: [modules],
        taskQueue: this.options.taskQueues.cpu,
        workflowId: `quiver-code-versions-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`,
        workflowExecutionTimeout: '30s',
      });
    } catch (error) {
      throw new NoWorkerError(
        `no worker on ${this.options.taskQueues.cpu} told its code versions (${(error as Error).message}): start one with \`quiver worker\``,
      );
    }
  }

  /** Starts the run a plan describes, linked to its source run. */
  async startPlanned(plan: PlannedRun): Promise<string> {
    return this.start(plan.spec, plan.overrides, newRunId(plan.spec.name), {
      reuse: plan.reuse,
      resumedFrom: plan.sourceRun,
      resumeTraining: plan.resumeTraining,
      ...(plan.priorTransforms ? { priorTransforms: plan.priorTransforms } : {}),
    });
  }

  /** `quiver retry RUN`: a paused run re-executes the step it stopped on. */
  async retry(runId: string): Promise<void> {
    const view = await this.status(runId);
    if (view.status !== 'PAUSED')
      throw new QuiverError(`run ${runId} is ${view.status}, not PAUSED: nothing to retry`);
    await this.temporal.workflow.getHandle(runId).signal(workflows().retrySignal);
  }

  /** `quiver approve RUN`: a run waiting for approval deploys. */
  async approve(runId: string, by: string | null = null): Promise<void> {
    await this.signalWaitingRun(runId, approval().approveSignal, { by });
  }

  /** `quiver reject RUN --reason …`: a run waiting for approval fails with the reason; nothing is deployed. */
  async reject(runId: string, reason: string, by: string | null = null): Promise<void> {
    await this.signalWaitingRun(runId, approval().rejectSignal, { by, reason });
  }

  private async signalWaitingRun(
    runId: string,
    signal: ReturnType<typeof approval>['approveSignal'],
    args: ApprovalSignalArgs,
  ): Promise<void> {
    const view = await this.status(runId);
    if (view.status !== 'WAITING_APPROVAL')
      throw new QuiverError(`run ${runId} is ${view.status}, not WAITING_APPROVAL: nothing to decide`);
    await this.temporal.workflow.getHandle(runId).signal(signal, args);
  }

  /**
   * `quiver cancel RUN`: cancels the run; checkpoints written so far stay, and `resume` can pick them up.
   * A run that already closed cannot be cancelled: throws {@link RunClosedError} naming its status.
   */
  async cancel(runId: string): Promise<void> {
    const handle = this.temporal.workflow.getHandle(runId);
    const answered = <T>(call: () => Promise<T>) => this.answered(`cancel ${runId}`, call);
    let status: string;
    try {
      status = (await answered(() => handle.describe())).status.name;
    } catch (error) {
      if (error instanceof temporalClient().WorkflowNotFoundError)
        throw new RunNotFoundError(`run '${runId}' not found`);
      throw error;
    }
    if (status !== 'RUNNING') {
      const view = await this.status(runId).catch(() => null);
      throw new RunClosedError(
        `run ${runId} already closed as ${view?.status ?? status}: nothing to cancel`,
        view?.status ?? status,
      );
    }
    // The last epoch checkpoint (for `resume`) or the running step's attempts, which the run cannot see.
    await answered(() => recordRunningStep(this.temporal, runId));
    await answered(() => handle.cancel());
  }

  /**
   * Waits for a run to close, however it closes (`cancel --wait`: a cancel may come too late), and
   * returns its status then. Awaits the workflow's result (no polling); a paused run is not closed.
   *
   * @throws RunNotFoundError, or the client's error when the server stops answering.
   */
  async waitClosed(runId: string): Promise<RunView> {
    // A run that ended failed or cancelled rejects its result: how it ended is read from status below.
    await this.temporal.workflow
      .getHandle(runId)
      .result()
      .catch(() => undefined);
    return this.status(runId);
  }
}

/** `cancel` of a run that has already closed; `status` is how it closed. */
export class RunClosedError extends QuiverError {
  constructor(
    message: string,
    readonly status: string,
  ) {
    super(message);
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
    ...(step.transforms ? { transforms: step.transforms } : {}),
  };
}

/** The spec's transforms with their code versions now; a module that is gone reads `(missing)`. */
function currentTransforms(specs: TransformSpec[]): CurrentTransform[] {
  const { transformCodeVersions } =
    require('../core/features/pipeline') as typeof import('../core/features/pipeline');
  const { transformName } = require('../core/features/spec') as typeof import('../core/features/spec');
  return specs.map((spec) => {
    let codeVersion: string;
    try {
      codeVersion = transformCodeVersions([spec])[0];
    } catch {
      codeVersion = '(missing)';
    }
    return { ...spec, name: transformName(spec), codeVersion };
  });
}

/** Readable, sortable, unique: `quiver-iris-20261123-101500-x7k2`. */
export function newRunId(pipeline: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `quiver-${pipeline}-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * A start refused because the cluster does not know Quiver's search attributes (a server Quiver did not
 * start: `quiver up` and the dev server register them), as a {@link QuiverError} saying how to register
 * them; `undefined` for any other failure. The SDK's own message is a bare "Failed to start Workflow".
 */
export function unregisteredSearchAttributes(error: unknown, namespace: string): QuiverError | undefined {
  const detail = [error, (error as { cause?: unknown } | undefined)?.cause]
    .map((e) => (e instanceof Error ? `${e.message} ${(e as { details?: string }).details ?? ''}` : ''))
    .join(' ');
  if (!/search attribute/i.test(detail)) return undefined;
  return new QuiverError(
    `the Temporal server refused the run: namespace '${namespace}' lacks Quiver's search attributes ` +
      `(${detail.replace(/\s+/g, ' ').trim()}). Register them once per namespace with ` +
      '`temporal operator search-attribute create` (names and types: README, "Running on a cluster")',
    { cause: error },
  );
}

/**
 * A gRPC failure as one sentence naming the server and what to do; never a stack trace. A deadline the
 * Temporal client hit reads as the read path's does (`no answer within 10000 ms`, `deadlineMs` being
 * the deadline the call had), not grpc-js's internals.
 */
export function serverError(
  what: string,
  address: string,
  error: unknown,
  deadlineMs = SERVER_DEADLINE_MS,
): QuiverError {
  const detail =
    error instanceof GrpcCallError
      ? error.details
      : grpcCodeOf(error) === GRPC_STATUS.deadlineExceeded
        ? noAnswerWithin(deadlineMs)
        : error instanceof temporalClient().ServiceError
          ? ((error.cause as { details?: string } | undefined)?.details ?? error.message)
          : error instanceof Error
            ? error.message
            : String(error);
  const message =
    error instanceof GrpcCallError && error.notGrpc
      ? `could not ${what}: something listens on ${address} but it does not answer as a Temporal ` +
        `frontend (${detail}): give --address or TEMPORAL_ADDRESS a Temporal frontend's gRPC port (7233 by default; not its UI's)`
      : `could not ${what}: the Temporal server at ${address} did not answer (${detail}). ` +
        'Is it running? `npx quiver up` starts one.';
  // No answer (a stopped or silent server, nothing listening) is exit 3; another refusal is the server's word.
  return isNoAnswer(error)
    ? new TemporalUnreachableError(message, { cause: error })
    : new QuiverError(message, { cause: error });
}

/**
 * `error` as {@link serverError} when the server left a call to do `what` unanswered (gRPC 4 or 14,
 * `deadlineMs` the call's deadline); Quiver's own errors and any other failure as they are.
 */
export function unansweredAs(error: unknown, what: string, address: string, deadlineMs: number): unknown {
  return !(error instanceof QuiverError) && isNoAnswer(error)
    ? serverError(what, address, error, deadlineMs)
    : error;
}

/** gRPC UNAVAILABLE (14) or DEADLINE_EXCEEDED (4), from the read path or the Temporal client. */
function isNoAnswer(error: unknown): boolean {
  const code = grpcCodeOf(error);
  return code === GRPC_STATUS.unavailable || code === GRPC_STATUS.deadlineExceeded;
}

/** The gRPC status of a read-path error or of a Temporal client's ServiceError (on its cause). */
function grpcCodeOf(error: unknown): unknown {
  return error instanceof GrpcCallError
    ? error.code
    : (error as { code?: unknown; cause?: { code?: unknown } } | undefined)?.cause?.code;
}
