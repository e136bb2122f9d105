import {
  ActivityFailure,
  ApplicationFailure,
  defineQuery,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { NON_RETRYABLE_ERROR_TYPES } from '../core/errors';
import { TASK_QUEUES } from '../core/queues';
import { SEARCH_ATTRIBUTES } from '../core/search-attributes';
import type { CheckpointRef } from '../core/checkpoint/types';
import type { RetrySpec } from '../core/spec/schema';
import {
  STEP_NAMES,
  type PipelineInput,
  type RunProgress,
  type StepInput,
  type StepName,
  type StepResult,
  type StepState,
} from '../core/run-types';

type Activities = ReturnType<typeof createActivities>;

/** Every step's status, answerable at any time (the CLI's `status` and `--wait` read it). */
export const progressQuery = defineQuery<RunProgress>('progress');

/** Default start-to-close timeouts; a spec's `timeout` overrides them. */
const DEFAULT_TIMEOUTS: Record<StepName, string> = {
  ingest: '10m',
  sanity: '10m',
  train: '2h',
  validate: '10m',
  deploy: '5m',
};

/** ingest → sanity → train → validate → deploy, passing checkpoint references only. */
export async function trainingPipeline(input: PipelineInput): Promise<RunProgress> {
  const { spec } = input;
  const queues = input.taskQueues ?? TASK_QUEUES;
  const progress: RunProgress = {
    runId: workflowInfo().workflowId,
    pipeline: spec.name,
    status: 'RUNNING',
    steps: STEP_NAMES.map(emptyStep),
    model: null,
    error: null,
  };
  setHandler(progressQuery, () => progress);
  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTES.pipeline, value: spec.name },
    { key: SEARCH_ATTRIBUTES.status, value: progress.status },
  ]);

  const stepSettings: Record<StepName, { timeout?: string; retry: RetrySpec }> = {
    ingest: spec.source,
    sanity: spec.sanity,
    train: spec.train,
    validate: spec.validate,
    deploy: spec.deploy,
  };

  async function runStep(name: StepName, inputs: Record<string, CheckpointRef>): Promise<StepResult> {
    const state = progress.steps.find((s) => s.name === name)!;
    const settings = stepSettings[name];
    const queue = name === 'train' ? queues.gpu : queues.cpu;
    const options = {
      ...activityOptions(name, settings.timeout, settings.retry),
      taskQueue: queue,
      summary: stepSummary(name),
    };
    const activity = proxyActivities<Activities>(options)[name];
    state.status = 'running';
    const startedAt = Date.now();
    try {
      const stepInput: StepInput = { run: { runId: progress.runId, pipeline: spec.name }, spec, inputs };
      const result = await activity(stepInput);
      Object.assign(state, {
        status: 'completed',
        attempts: result.attempt,
        durationMs: Date.now() - startedAt,
        checkpoint: result.outputs[result.primary] ?? null,
        outputs: result.outputs,
        summary: result.summary,
        stepCodeVersion: result.stepCodeVersion,
        cacheKey: result.cacheKey,
      } satisfies Partial<StepState>);
      return result;
    } catch (error) {
      state.status = 'failed';
      state.durationMs = Date.now() - startedAt;
      const details = failureDetails(error);
      state.attempts = details?.attempt ?? (isNonRetryable(error) ? 1 : settings.retry.maximumAttempts);
      state.outputs = details?.outputs ?? {};
      state.error = describeFailure(error);
      throw error;
    }
  }

  /** One line per activity for the Temporal UI, e.g. "train · 60 epochs · hidden 16-16". */
  function stepSummary(name: StepName): string {
    switch (name) {
      case 'ingest':
        return `ingest · ${spec.source.uri.split('/').pop()}`;
      case 'sanity':
        return `sanity · min ${spec.sanity.minRows} rows`;
      case 'train':
        return `train · ${spec.train.epochs} epochs · hidden ${spec.train.hiddenUnits.join('-')}`;
      case 'validate':
        return `validate · ${Object.keys(spec.validate.min).join(', ') || 'report only'}`;
      case 'deploy':
        return `deploy · alias ${spec.deploy.alias}`;
    }
  }

  try {
    const ingest = await runStep('ingest', {});
    const data = ingest.outputs.data;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.datasetSha, value: data.sha256 }]);
    await runStep('sanity', { data });
    const train = await runStep('train', { data });
    const model = train.outputs.model;
    const validate = await runStep('validate', { data, model });
    const deploy = await runStep('deploy', { model, metrics: validate.outputs.metrics });
    progress.model = {
      name: String(deploy.summary.model),
      version: Number(deploy.summary.version),
      alias: String(deploy.summary.alias),
    };
    progress.status = 'COMPLETED';
    upsertSearchAttributes([
      { key: SEARCH_ATTRIBUTES.modelVersion, value: progress.model.version },
      { key: SEARCH_ATTRIBUTES.status, value: progress.status },
    ]);
    return progress;
  } catch (error) {
    progress.status = 'FAILED';
    progress.error = describeFailure(error);
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.status, value: progress.status }]);
    // The final progress rides along as failure details so `status` works without a worker.
    throw ApplicationFailure.create({
      message: progress.error,
      type: 'PipelineFailed',
      nonRetryable: true,
      details: [progress],
    });
  }
}

function activityOptions(step: StepName, timeout: string | undefined, retry: RetrySpec): ActivityOptions {
  return {
    startToCloseTimeout: (timeout ?? DEFAULT_TIMEOUTS[step]) as ActivityOptions['startToCloseTimeout'],
    // Training heartbeats every epoch; a silent worker (crashed, killed) is noticed within a minute.
    heartbeatTimeout: step === 'train' ? '1m' : undefined,
    retry: {
      maximumAttempts: retry.maximumAttempts,
      initialInterval: retry.initialInterval as ActivityOptions['startToCloseTimeout'],
      backoffCoefficient: retry.backoffCoefficient,
      maximumInterval: retry.maximumInterval as ActivityOptions['startToCloseTimeout'],
      nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES],
    },
  };
}

function emptyStep(name: StepName): StepState {
  return {
    name,
    status: 'pending',
    attempts: 0,
    durationMs: null,
    checkpoint: null,
    outputs: {},
    summary: {},
    stepCodeVersion: null,
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

function isNonRetryable(error: unknown): boolean {
  return (
    error instanceof ActivityFailure &&
    error.cause instanceof ApplicationFailure &&
    error.cause.nonRetryable === true
  );
}

function describeFailure(error: unknown): string {
  if (error instanceof ActivityFailure) {
    const cause = error.cause;
    const type = cause instanceof ApplicationFailure && cause.type ? `${cause.type}: ` : '';
    return `step ${error.activityType} failed: ${type}${cause?.message ?? error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}
