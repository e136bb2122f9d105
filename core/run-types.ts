import type { CheckpointRef } from './checkpoint/types';
import type { PipelineSpec } from './spec/schema';
import type { FireTime } from './spec-templates';
import type { TrainingLive, TrainRouting } from './training-progress';

/** The steps, in pipeline order (`features` passes data through when the spec has no `features:`). */
export const STEP_NAMES = ['ingest', 'sanity', 'features', 'train', 'validate', 'deploy'] as const;
export type StepName = (typeof STEP_NAMES)[number];

/** Who a step's checkpoints belong to. */
export interface RunContext {
  runId: string;
  pipeline: string;
  /** When the run fired (a schedule's fire time, else its start) and the zone `{{date}}` is read in. */
  fire?: FireTime | null;
  /** QUIVER_STORE of the client that started the run: a worker with another store refuses the step. */
  store?: string;
}

/** What every step activity receives: small JSON only (claim check). */
export interface StepInput {
  run: RunContext;
  spec: PipelineSpec;
  /** Upstream checkpoints by name (`data`, `model`, ...). */
  inputs: Record<string, CheckpointRef>;
  /** Train only: an epoch checkpoint to continue from (a cancelled run's, or the GPU attempt's before a fallback). */
  resumeTraining?: CheckpointRef | null;
  /** The full spec when it was too large to travel inline (claim check); `spec` is then a compact copy. */
  specRef?: CheckpointRef | null;
  /** Deploy only: register the version and leave the alias move to the workflow (it moves only while live). */
  deferAliasMove?: boolean;
  /**
   * Deploy only, with `deferAliasMove` (which a worker that predates this field obeys): move the
   * alias here after all, once the server says the run has no cancel request (activities/deploy.ts).
   */
  moveAliasUnlessCancelled?: boolean;
  /** Features only: the source run's transforms; each one whose cache key still matches is reused. */
  priorTransforms?: TransformRun[] | null;
}

/** One transform of the features stage as a run did it: shown by status, plans and compare. */
export interface TransformRun {
  index: number;
  /** `derive`, or the module's file name. */
  name: string;
  kind: string;
  codeVersion: string;
  cacheKey: string;
  /** The transform's output table (all rows), a checkpoint of its own. */
  output: CheckpointRef;
  /** Fitted state (JSON), so a later run reusing the transform need not refit it. */
  state: unknown;
  reused: boolean;
  durationMs: number;
  /** Feature columns after it (target excluded). */
  columns: number;
}

/** What every step activity returns: references and a small summary, never data. */
export interface StepResult {
  /** Checkpoints written, by output name; `primary` names the one `status` shows. */
  outputs: Record<string, CheckpointRef>;
  primary: string;
  summary: Record<string, string | number | boolean | null>;
  attempt: number;
  durationMs: number;
  stepCodeVersion: string;
  /** The resolved parameters the step read (see core/step-params.ts), for plans that explain themselves. */
  params: Record<string, unknown>;
  paramsHash: string;
  cacheKey: string;
  /** Features only: each transform's code version, cache key and checkpoint. */
  transforms?: TransformRun[];
}

export type StepStatus = 'pending' | 'running' | 'completed' | 'failed' | 'paused' | 'cancelled';
export type RunStatus =
  | 'RUNNING'
  | 'PAUSED'
  | 'COMPLETED'
  | 'FAILED'
  | 'CANCELED'
  | 'TERMINATED'
  | 'TIMED_OUT'
  | 'WAITING_APPROVAL';

/** Every run status, in the order `runs ls --status` lists them. */
export const RUN_STATUSES: readonly RunStatus[] = [
  'RUNNING',
  'PAUSED',
  'WAITING_APPROVAL',
  'COMPLETED',
  'FAILED',
  'CANCELED',
  'TERMINATED',
  'TIMED_OUT',
];

/** Spellings users type for a status the server spells otherwise (British `cancelled`). */
const STATUS_SPELLINGS: ReadonlyMap<string, RunStatus> = new Map([['CANCELLED', 'CANCELED']]);

/**
 * The run status a user's word names: any case, with `-`, `_` and spaces optional (`timed-out`,
 * `timed_out`, `timedout` are TIMED_OUT) and `cancelled` as well as `canceled`; undefined for a word
 * that names none.
 */
export function runStatusNamed(text: string): RunStatus | undefined {
  const word = text
    .trim()
    .toUpperCase()
    .replace(/[\s_-]/g, '');
  return STATUS_SPELLINGS.get(word) ?? RUN_STATUSES.find((status) => status.replace(/_/g, '') === word);
}

export interface StepState {
  name: StepName;
  status: StepStatus;
  attempts: number;
  /** Wall time of the step as the workflow saw it (scheduling included). */
  durationMs: number | null;
  checkpoint: CheckpointRef | null;
  outputs: Record<string, CheckpointRef>;
  summary: StepResult['summary'];
  stepCodeVersion: string | null;
  /** Resolved params the step read, and the name of the output `checkpoint` points at. */
  params: Record<string, unknown> | null;
  paramsHash: string | null;
  primary: string | null;
  cacheKey: string | null;
  reusedFrom: string | null;
  error: string | null;
  /** Train only: epoch, loss, ETA and the latest epoch checkpoint while training runs (kept after it stops). */
  live?: TrainingLive | null;
  /** Train only: the queue training was sent to, and why it fell back to the CPU queue. */
  routing?: TrainRouting | null;
  /** Features only: each transform as the run did it. */
  transforms?: TransformRun[];
}

export interface DeployedModel {
  name: string;
  version: number;
  alias: string;
  /** Whether this run moved the alias to `version` (false: kept on a version from a later fire time). */
  moved?: boolean;
  /** Taken over from an earlier run by resume: nothing was registered or moved by this run. */
  reusedFrom?: string | null;
  /** The version the alias pointed at when the run recorded this (differs from `version` if not moved). */
  aliasVersion?: number | null;
  /** Why the alias was or was not moved, in words. */
  note?: string | null;
  /** A cancel reached the run after its deploy had moved the alias: too late, so the run completed. */
  cancelTooLate?: boolean;
}

/** The answer to the `progress` query and the workflow's result. */
export interface RunProgress {
  runId: string;
  pipeline: string;
  status: RunStatus;
  /** The run this one resumed or replayed, if any. */
  resumedFrom: string | null;
  /** The validated spec the run executes (what `resume` and `replay` start from). */
  spec: PipelineSpec;
  steps: StepState[];
  model: DeployedModel | null;
  error: string | null;
  /** The human decision on deployment, when the spec asks for one (`deploy.requireApproval`). */
  approval?: ApprovalDecision | null;
  /** The full spec's checkpoint when it was too large to travel inline; `spec` is then a compact copy. */
  specRef?: CheckpointRef | null;
  /** When the run fired: a schedule's fire time (backfills included), else its start time. */
  fire?: FireTime | null;
}

/** `quiver approve RUN` / `quiver reject RUN --reason …`, as the run recorded it. */
export interface ApprovalDecision {
  decision: 'approved' | 'rejected' | 'timed_out';
  by: string | null;
  reason: string | null;
  at: string;
}

/** Input of the `trainingPipeline` workflow. */
export interface PipelineInput {
  spec: PipelineSpec;
  /** `--set` overrides as given, for display. */
  overrides?: string[];
  /** Task queues to schedule steps on; default `quiver-cpu` / `quiver-gpu`. */
  taskQueues?: { cpu: string; gpu: string };
  /** Steps whose checkpoints an earlier run already made and the plan reuses, by step. */
  reuse?: Partial<Record<StepName, ReusedStep>>;
  resumedFrom?: string;
  /** Epoch checkpoint of the source run's unfinished training: `resume` continues training from it. */
  resumeTraining?: CheckpointRef;
  /** The full spec's checkpoint when it was too large to travel inline (claim check). */
  specRef?: CheckpointRef;
  /** The fire time of a backfilled run (scheduled runs read theirs from Temporal's search attribute). */
  fire?: FireTime;
  /** IANA zone of the schedule that starts the run: `{{date}}` is its fire time's date there. */
  timeZone?: string | null;
  /** The source run's transforms, for a features step that runs again (reused where keys match). */
  priorTransforms?: TransformRun[];
  /** The starting client's QUIVER_STORE (see RunContext.store). */
  store?: string;
}

/** A step taken over from an earlier run: its result, checkpoints included, and where it came from. */
export interface ReusedStep {
  fromRun: string;
  result: StepResult;
}

/**
 * What a completed run's workflow returns: its outcome in brief. Every step's detail is in the memo
 * ({@link PROGRESS_MEMO_KEY}) and the `progress` query, so the 15 KB progress is not written twice.
 */
export interface RunOutcome {
  runId: string;
  pipeline: string;
  status: RunStatus;
  model: DeployedModel | null;
}

/** Memo key under which a closed run keeps its final progress, readable without a worker. */
export const PROGRESS_MEMO_KEY = 'quiverProgress';
