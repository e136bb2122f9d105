import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  defineQuery,
  defineSignal,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import { RetryState, type Duration } from '@temporalio/common';
import type { createActivities } from '../activities';
import { isNonRetryableErrorType, NON_RETRYABLE_ERROR_TYPES } from '../core/errors';
import { TASK_QUEUES } from '../core/queues';
import { SEARCH_ATTRIBUTES } from '../core/search-attributes';
import { renderCurrentDetails } from './current-details';
import type { CheckpointRef } from '../core/checkpoint/types';
import type { RetrySpec } from '../core/spec/schema';
import {
  PROGRESS_MEMO_KEY,
  STEP_NAMES,
  type DeployedModel,
  type PipelineInput,
  type RunOutcome,
  type RunProgress,
  type StepInput,
  type StepName,
  type StepResult,
  type StepState,
} from '../core/run-types';
import { approvalGate } from './approval';
import { TRAIN_PROGRESS_SIGNAL, type TrainingLive } from '../core/training-progress';
import { STEP_ATTEMPTS_SIGNAL, type StepAttempts } from '../core/step-attempts';
import { isNoGpuWorker, routedTraining } from './train-routing';
import { settleDeployment } from './deploy-step';
import { specForStep } from './step-spec';
import { fireTimeOf, runSpec } from './run-fire';
import { RunAttributes } from './run-attributes';
import {
  asActivityFailure,
  BRISK_RUN_PATCH,
  LEAN_RUN_PATCH,
  LIGHT_RUN_PATCH,
  LIVE_DEPLOY_PATCH,
  localActivities,
  runsLocally,
} from './step-execution';

type Activities = ReturnType<typeof createActivities>;

/** Every step's status, answerable at any time (the CLI's `status` and `--wait` read it). */
export const progressQuery = defineQuery<RunProgress>('progress');

/** Default start-to-close timeouts; a spec's `timeout` overrides them. */
const DEFAULT_TIMEOUTS: Record<StepName, string> = {
  ingest: '10m',
  sanity: '10m',
  features: '30m',
  train: '2h',
  validate: '10m',
  deploy: '5m',
};

/** `quiver retry RUN`: re-execute the step a paused run stopped on. */
export const retrySignal = defineSignal('retry');

/**
 * Training's last heartbeat (epoch, loss, latest epoch checkpoint), sent once by `quiver cancel` so a
 * cancelled run records where `resume` continues. Training itself only heartbeats: no periodic signal
 * grows the history (see TrainingReporter).
 */
export const trainProgressSignal = defineSignal<[TrainingLive]>(TRAIN_PROGRESS_SIGNAL);

/**
 * The attempts the step being stopped had made, sent once by `quiver cancel` just before the cancel:
 * a cancelled activity's attempt never reaches the history, and only training heartbeats its own.
 */
export const stepAttemptsSignal = defineSignal<[StepAttempts]>(STEP_ATTEMPTS_SIGNAL);

/** ingest → sanity → train → validate → deploy, passing checkpoint references only. */
export async function trainingPipeline(input: PipelineInput): Promise<RunOutcome> {
  const fire = fireTimeOf(input);
  const spec = runSpec(input, fire);
  const queues = input.taskQueues ?? TASK_QUEUES;
  const progress: RunProgress = {
    runId: workflowInfo().workflowId,
    pipeline: spec.name,
    status: 'RUNNING',
    resumedFrom: input.resumedFrom ?? null,
    spec,
    steps: STEP_NAMES.map(emptyStep),
    model: null,
    error: null,
    specRef: input.specRef ?? null,
    fire,
  };
  let retryRequested = false;
  setHandler(progressQuery, () => progress);
  setHandler(retrySignal, () => {
    retryRequested = true;
  });
  /** Per step, the attempts `quiver cancel` read from the server for the attempt it stops. */
  const attemptsAtCancel = new Map<StepName, number>();
  setHandler(stepAttemptsSignal, ({ step, attempts }) => {
    // A signal still in flight when the step ended must not count for it.
    if (progress.steps.find((s) => s.name === step)?.status === 'running')
      attemptsAtCancel.set(step, attempts);
  });
  const approval = approvalGate();
  setHandler(trainProgressSignal, (live) => {
    const train = progress.steps.find((s) => s.name === 'train')!;
    // A signal still in flight when the step ended must not overwrite what the result recorded.
    if (train.status !== 'running') return;
    train.live = live;
    showProgress();
  });
  // QuiverPipeline and QuiverStatus=RUNNING are set by whoever starts the run (client.start), which
  // saves a visibility write per run on the hot path.

  function setStatus(status: RunProgress['status']): void {
    progress.status = status;
    attributes.show([{ key: SEARCH_ATTRIBUTES.status, value: status }]);
    showProgress();
  }

  // One marker for what new runs do; runs started by older workers replay their own markers.
  const liveDeploy = patched(LIVE_DEPLOY_PATCH);
  const brisk = liveDeploy || patched(BRISK_RUN_PATCH);
  const light = brisk || patched(LIGHT_RUN_PATCH);
  const lean = light || patched(LEAN_RUN_PATCH);
  // Runs started by older workers replay their own commands: no step upserts, attributes at once.
  const keepsStepCurrent = lean || patched('quiver-step-search-attribute');
  // `execution: local`: every step a local activity on this worker (the run one workflow task).
  const local = runsLocally(spec);
  const attributes = new RunAttributes(
    !keepsStepCurrent ? 'none' : light && local ? 'atStatus' : brisk ? 'debounced' : 'each',
  );
  // Runs started before the deploy split let the deploy activity move the alias itself.
  const workflowMovesAlias = lean || patched('quiver-alias-move-while-live');
  // Local runs from quiver-light-run to quiver-live-deploy: the deploy moved the alias unchecked.
  const deployMovesAlias = light && !liveDeploy && local && !input.reuse?.deploy;
  // From quiver-live-deploy on, the deploy moves it once the server says no cancel is pending: in a
  // local run too, whose one workflow task the server discards when a cancel arrives during it.
  const deployMovesAliasIfLive = liveDeploy && !input.reuse?.deploy;
  /** The UI's "current details": free for the server (read through the metadata query). */
  function showProgress(): void {
    setCurrentDetails(renderCurrentDetails(progress));
  }
  showProgress();

  const stepSettings: Record<StepName, StepRunSettings> = {
    ingest: spec.source,
    sanity: spec.sanity,
    features: FEATURES_RUN_SETTINGS,
    train: spec.train,
    validate: spec.validate,
    deploy: spec.deploy,
  };

  async function runStep(name: StepName, inputs: Record<string, CheckpointRef>): Promise<StepResult> {
    const state = progress.steps.find((s) => s.name === name)!;
    const reused = input.reuse?.[name];
    if (reused) {
      completeStep(state, reused.result, null);
      Object.assign(state, { attempts: 0, reusedFrom: reused.fromRun });
      showProgress();
      return reused.result;
    }
    const settings = stepSettings[name];
    const options = {
      ...activityOptions(name, settings),
      taskQueue: name === 'train' ? queues.gpu : queues.cpu,
      summary: stepSummary(name),
      // A cancelled run waits for its deploy to say whether it moved the alias: never CANCELED after a move.
      ...(name === 'deploy' && deployMovesAliasIfLive
        ? { cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED }
        : {}),
    };
    const activity = local
      ? localActivities(options)[name]
      : name === 'train'
        ? routedTraining(options, queues, spec.train, state, input.resumeTraining)
        : proxyActivities<Activities>(options)[name];
    const stepInput: StepInput = {
      run: { runId: progress.runId, pipeline: spec.name, fire, store: input.store },
      // The sections this step reads, not the whole spec: smaller history events, the same cache key.
      spec: specForStep(name, spec),
      inputs,
      ...(input.specRef ? { specRef: input.specRef } : {}),
      ...(name === 'deploy' && workflowMovesAlias && !deployMovesAlias ? { deferAliasMove: true } : {}),
      ...(name === 'deploy' && deployMovesAliasIfLive ? { moveAliasUnlessCancelled: true } : {}),
    };
    if (name === 'features' && input.priorTransforms) stepInput.priorTransforms = input.priorTransforms;
    // Local training has no heartbeat to carry epochs: it continues from the resumed run's checkpoint only.
    if (local && name === 'train' && input.resumeTraining) stepInput.resumeTraining = input.resumeTraining;
    let attemptsBefore = 0;
    attributes.step(name);
    for (;;) {
      state.status = 'running';
      state.error = null;
      attemptsAtCancel.delete(name);
      showProgress();
      const startedAt = Date.now();
      /** The attempt a deploy that found the run cancelled reported, before the cancel reaches here. */
      let stoppedAttempt: number | undefined;
      try {
        const result = await activity(stepInput);
        if (result.summary.cancelRequested === true) {
          stoppedAttempt = result.attempt;
          await cancelReaching(name);
        }
        completeStep(state, result, Date.now() - startedAt);
        state.attempts += attemptsBefore;
        showProgress();
        return result;
      } catch (thrown) {
        const error = local ? asActivityFailure(thrown, name) : thrown;
        const details = failureDetails(error);
        state.durationMs = Date.now() - startedAt;
        attemptsBefore +=
          details?.attempt ??
          // A cancelled step counts the attempt it reported (a deploy that found the cancel), its last
          // heartbeat reported (training) or the server counted (both sent by `quiver cancel`); a cancelled
          // local activity had started its one attempt in this task (it never heartbeats).
          (isCancellation(error)
            ? (stoppedAttempt ?? state.live?.attempt ?? attemptsAtCancel.get(name) ?? (local ? 1 : 0))
            : isNoGpuWorker(error)
              ? 0
              : isNonRetryable(error)
                ? 1
                : settings.retry.maximumAttempts);
        state.attempts = attemptsBefore;
        state.outputs = details?.outputs ?? {};
        state.error = describeFailure(error);
        if (isNonRetryable(error) || isCancellation(error) || isNoGpuWorker(error)) {
          // Cancelled, the step says so at once: the run closes a moment later (a local activity's
          // cancellation takes a few seconds to settle), and a status read meanwhile must not say failed.
          state.status = isCancellation(error) ? 'cancelled' : 'failed';
          showProgress();
          throw error;
        }
        // Retries exhausted on an error that may pass (a full disk, a flaky service): pause, don't fail.
        state.status = 'paused';
        setStatus('PAUSED');
        retryRequested = false;
        const resumed = await condition(() => retryRequested, settings.pauseTimeout as Duration);
        if (!resumed) {
          state.status = 'failed';
          throw ApplicationFailure.nonRetryable(
            `${state.error} (paused ${settings.pauseTimeout} with no retry)`,
            'PauseTimedOut',
          );
        }
        setStatus('RUNNING');
      }
    }
  }

  /** One line per activity for the Temporal UI, e.g. "train · 60 epochs · hidden 16-16". */
  function stepSummary(name: StepName): string {
    switch (name) {
      case 'ingest':
        return `ingest · ${spec.source.uri.split('/').pop()}`;
      case 'sanity':
        return `sanity · min ${spec.sanity.minRows} rows`;
      case 'features':
        return `features · ${spec.features?.map((t) => t.module ?? t.kind).join(' → ') || 'split only'}`;
      case 'train':
        return `train · ${spec.train.epochs} epochs · hidden ${spec.train.hiddenUnits.join('-')}`;
      case 'validate':
        return `validate · ${Object.keys(spec.validate.min).join(', ') || 'report only'}`;
      case 'deploy':
        return `deploy · alias ${spec.deploy.alias}`;
    }
  }

  /**
   * A local run is one workflow task, which the server discards when a cancel arrives during it; the
   * run then replays with the cancel first, though the discarded task may have moved the alias after
   * the deploy's check: put the alias back (only if it is still on this run's version) before closing.
   */
  async function undoDiscardedMove(): Promise<void> {
    const { alias } = spec.deploy;
    try {
      const undo = localActivities({
        ...activityOptions('deploy', spec.deploy),
        summary: `deploy · undo alias ${alias} if this run moved it`,
      }).undoAliasMove;
      const result = await undo({ model: spec.deploy.model ?? spec.name, alias, runId: progress.runId });
      if (result.undone)
        progress.error += `; its deploy had moved alias ${alias}: put back on ${result.aliasVersion === null ? 'no version (withdrawn)' : `version ${result.aliasVersion}`}`;
    } catch (error) {
      progress.error += `; could not check alias ${alias} (${describeFailure(error)})`;
    }
  }

  /** What the run deployed, and where the alias stands: as the deploy reports it, or after the workflow's own move. */
  async function deployedModel(deploy: StepResult): Promise<DeployedModel> {
    if (deployMovesAlias || (deployMovesAliasIfLive && typeof deploy.summary.moved === 'boolean'))
      return movedByDeploy(deploy);
    // Runs from before the deploy split: the deploy activity moved the alias and reported no more.
    if (!workflowMovesAlias)
      return {
        name: String(deploy.summary.model),
        version: Number(deploy.summary.version),
        alias: String(deploy.summary.alias),
      };
    return settleDeployment(
      {
        ...activityOptions('deploy', spec.deploy),
        taskQueue: queues.cpu,
        summary: `deploy · alias ${spec.deploy.alias}`,
      },
      deploy,
      progress.steps.find((s) => s.name === 'deploy')!,
      { alias: spec.deploy.alias, runId: progress.runId, firedAt: fire.at },
      input.reuse?.deploy?.fromRun ?? null,
      lean,
    );
  }

  try {
    const ingest = await runStep('ingest', {});
    const data = ingest.outputs.data;
    attributes.defer({
      key: SEARCH_ATTRIBUTES.datasetSha,
      value: String(ingest.summary.datasetSha256 ?? data.sha256),
    });
    const sanity = await runStep('sanity', { data });
    // Training and validation read the cleaned rows when sanity dropped some.
    const cleanData = sanity.outputs.clean ?? data;
    // Runs started before the features stage existed replay without it.
    const features =
      lean || patched('quiver-features-stage') ? await runStep('features', { data: cleanData }) : null;
    const fitted = features?.outputs.transforms;
    const trainingData = features?.outputs.data ?? cleanData;
    const train = await runStep('train', { data: trainingData, ...(fitted ? { transforms: fitted } : {}) });
    const model = train.outputs.model;
    // Validation applies the model's fitted transforms to the raw rows, as serving does.
    const validate = await runStep('validate', { data: cleanData, model });
    if (spec.deploy.requireApproval && !input.reuse?.deploy)
      await approval.await(spec.deploy.approvalTimeout, setStatus, (d) => (progress.approval = d));
    const deploy = await runStep('deploy', {
      model,
      metrics: validate.outputs.metrics,
      profile: sanity.outputs.profile,
    });
    progress.model = await deployedModel(deploy);
    // A cancel that reached the run after its deploy moved the alias was too late: the run completes.
    if (progress.model.moved && CancellationScope.current().consideredCancelled)
      progress.model.cancelTooLate = true;
    attributes.defer({ key: SEARCH_ATTRIBUTES.modelVersion, value: progress.model.version });
    setStatus('COMPLETED');
    upsertMemo({ [PROGRESS_MEMO_KEY]: progress });
    // The memo carries the steps: the result is the outcome alone (the completion payload is not replayed).
    return {
      runId: progress.runId,
      pipeline: progress.pipeline,
      status: progress.status,
      model: progress.model,
    };
  } catch (error) {
    progress.error = describeFailure(error);
    if (isCancellation(error)) {
      // Cancelled: record why, keep every checkpoint written so far, and let Temporal mark it CANCELED.
      await CancellationScope.nonCancellable(async () => {
        if (local && deployMovesAliasIfLive) await undoDiscardedMove();
        setStatus('CANCELED');
        upsertMemo({ [PROGRESS_MEMO_KEY]: progress });
      });
      throw error;
    }
    setStatus('FAILED');
    upsertMemo({ [PROGRESS_MEMO_KEY]: progress });
    throw ApplicationFailure.create({ message: progress.error, type: 'PipelineFailed', nonRetryable: true });
  }
}

/**
 * Waits for the run's cancel that `step` found on the server before doing anything irreversible (the
 * deploy, before its alias move), and throws it as that step's cancellation ("cancelled during step
 * deploy"). The cancel reaches this workflow in a task of its own, at most moments after.
 */
function cancelReaching(step: StepName): Promise<never> {
  return CancellationScope.current().cancelRequested.catch((cancel: unknown) => {
    const cause = cancel instanceof Error ? cancel : undefined;
    throw new ActivityFailure('', step, undefined, RetryState.RETRY_STATE_UNSPECIFIED, undefined, cause);
  });
}

/** The deployed model as a deploy that moved the alias itself reports it (its summary). */
function movedByDeploy(deploy: StepResult): DeployedModel {
  const { summary } = deploy;
  return {
    name: String(summary.model),
    version: Number(summary.version),
    alias: String(summary.alias),
    moved: summary.moved === true,
    reusedFrom: null,
    aliasVersion: typeof summary.aliasVersion === 'number' ? summary.aliasVersion : null,
    note: typeof summary.note === 'string' ? summary.note : null,
  };
}

/** The features stage's retry and pause settings (the `features:` list has no section for them). */
/** How the features stage runs (its spec section holds transforms, not run settings). */
export const FEATURES_RUN_SETTINGS: StepRunSettings = {
  pauseTimeout: '7d',
  // The other CPU steps' default: the stage heartbeats every second, so a killed worker's attempt moves
  // on within 30 s instead of waiting out its 30 min start-to-close timeout.
  heartbeatTimeout: '30s',
  retry: { maximumAttempts: 3, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
};

/** The spec fields every step section carries that shape how it runs. */
export interface StepRunSettings {
  timeout?: string;
  pauseTimeout: string;
  heartbeatTimeout?: string;
  retry: RetrySpec;
}

export function completeStep(state: StepState, result: StepResult, durationMs: number | null): void {
  Object.assign(state, {
    status: 'completed',
    attempts: result.attempt,
    durationMs,
    checkpoint: result.outputs[result.primary] ?? null,
    outputs: result.outputs,
    summary: result.summary,
    stepCodeVersion: result.stepCodeVersion,
    params: result.params,
    paramsHash: result.paramsHash,
    primary: result.primary,
    cacheKey: result.cacheKey,
    error: null,
    ...(result.transforms ? { transforms: result.transforms } : {}),
  } satisfies Partial<StepState>);
}

function activityOptions(step: StepName, settings: StepRunSettings): ActivityOptions {
  const { retry } = settings;
  return {
    startToCloseTimeout: (settings.timeout ?? DEFAULT_TIMEOUTS[step]) as Duration,
    // Every step heartbeats (training every epoch, the others every second through the step wrapper):
    // a silent worker (crashed, killed) is noticed within this time, and a cancel reaches the attempt.
    heartbeatTimeout: settings.heartbeatTimeout as Duration | undefined,
    retry: {
      maximumAttempts: retry.maximumAttempts,
      initialInterval: retry.initialInterval as Duration,
      backoffCoefficient: retry.backoffCoefficient,
      maximumInterval: retry.maximumInterval as Duration,
      nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES],
    },
  };
}

export function emptyStep(name: StepName): StepState {
  return {
    name,
    status: 'pending',
    attempts: 0,
    durationMs: null,
    checkpoint: null,
    outputs: {},
    summary: {},
    stepCodeVersion: null,
    params: null,
    paramsHash: null,
    primary: null,
    cacheKey: null,
    reusedFrom: null,
    error: null,
  };
}

/** What the failing activity reported about itself (attempt, checkpoints written), if it got that far. */
function failureDetails(
  error: unknown,
): { attempt: number; outputs: Record<string, CheckpointRef> } | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : undefined;
  const detail = cause instanceof ApplicationFailure ? cause.details?.[0] : undefined;
  return detail && typeof (detail as { attempt?: unknown }).attempt === 'number'
    ? (detail as { attempt: number; outputs: Record<string, CheckpointRef> })
    : undefined;
}

/** Non-retryable by its flag or by its type: one classification (NON_RETRYABLE_ERROR_TYPES), wherever raised. */
function isNonRetryable(error: unknown): boolean {
  return (
    error instanceof ActivityFailure &&
    error.cause instanceof ApplicationFailure &&
    (error.cause.nonRetryable === true || isNonRetryableErrorType(error.cause.type))
  );
}

function describeFailure(error: unknown): string {
  // A cancel is no step failing: say so, and where (a cancelled activity carries an empty message).
  if (isCancellation(error))
    return error instanceof ActivityFailure ? `cancelled during step ${error.activityType}` : 'run cancelled';
  if (error instanceof ActivityFailure) {
    const cause = error.cause;
    const type = cause instanceof ApplicationFailure && cause.type ? `${cause.type}: ` : '';
    return `step ${error.activityType} failed: ${type}${cause?.message ?? error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}
