import type { CheckpointRef } from './checkpoint/types';
import type { PipelineSpec } from './spec/schema';
import type { TrainingLive, TrainRouting } from './training-progress';

/** The five steps, in pipeline order. */
export const STEP_NAMES = ['ingest', 'sanity', 'train', 'validate', 'deploy'] as const;
export type StepName = (typeof STEP_NAMES)[number];

/** Who a step's checkpoints belong to. */
export interface RunContext {
  runId: string;
  pipeline: string;
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
}

export type StepStatus = 'pending' | 'running' | 'completed' | 'failed' | 'paused';
export type RunStatus =
  | 'RUNNING'
  | 'PAUSED'
  | 'COMPLETED'
  | 'FAILED'
  | 'CANCELED'
  | 'TERMINATED'
  | 'TIMED_OUT'
  | 'WAITING_APPROVAL';

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
}

export interface DeployedModel {
  name: string;
  version: number;
  alias: string;
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
  /** The starting client's QUIVER_STORE (see RunContext.store). */
  store?: string;
}

/** A step taken over from an earlier run: its result, checkpoints included, and where it came from. */
export interface ReusedStep {
  fromRun: string;
  result: StepResult;
}

/** Memo key under which a closed run keeps its final progress, readable without a worker. */
export const PROGRESS_MEMO_KEY = 'quiverProgress';
