import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../activities';
import type { CheckpointRef } from '../core/checkpoint/types';
import type { QuiverConfig } from '../core/config';
import { stepInputs, type StepOutputs } from '../core/pipeline-steps';
import { STEP_NAMES, type StepName, type StepResult, type StepState } from '../core/run-types';
import type { PipelineSpec } from '../core/spec/schema';
import { completeStep, emptyStep } from '../workflows/training-pipeline';
import type { RunView } from './api';
import { cancelOnSignal } from './local-run-cancel';
import { LOCAL_RUN_UI, newLocalRunId, RunRecords } from './run-records';

/** How a local run is made and where it reports. */
export interface LocalRunOptions {
  config: QuiverConfig;
  /** `--set` overrides as given, for the record. */
  overrides?: string[];
  /** Run id; default `local-<pipeline>-<stamp>-<rand>`. */
  runId?: string;
  /** Called whenever a step starts or ends (drives the same live display as `--wait`). */
  onProgress?: (view: RunView) => void;
  /**
   * The CLI's process: on SIGINT/SIGTERM/SIGHUP the record is marked `CANCELED`, this is called
   * (one line for the user), and the process exits; `quiver cancel` signals it through a pid file.
   */
  onSignal?: (view: RunView, signal: string) => void;
}

/** What the failing activity body reported: the checkpoints it wrote before failing (a sanity report). */
function failureOutputs(error: unknown): Record<string, CheckpointRef> {
  const detail = error instanceof ApplicationFailure ? error.details?.[0] : undefined;
  return (detail as { outputs?: Record<string, CheckpointRef> } | undefined)?.outputs ?? {};
}

function failureMessage(step: StepName, error: unknown): string {
  const type = error instanceof ApplicationFailure && error.type ? `${error.type}: ` : '';
  return `step ${step} failed: ${type}${(error as Error).message ?? String(error)}`;
}

/** The completed steps' outputs of a run, as the pipeline's wiring (core/pipeline-steps.ts) reads them. */
export function outputsOf(steps: StepState[]): StepOutputs {
  const outputs: StepOutputs = {};
  for (const step of steps) if (step.status === 'completed') outputs[step.name] = step.outputs;
  return outputs;
}

/** A fresh local run's view: every step pending, no Temporal anywhere. */
export function newLocalView(spec: PipelineSpec, runId: string, resumedFrom: string | null = null): RunView {
  return {
    runId,
    pipeline: spec.name,
    status: 'RUNNING',
    resumedFrom,
    spec,
    steps: STEP_NAMES.map(emptyStep),
    model: null,
    error: null,
    uiUrl: LOCAL_RUN_UI,
    startedAt: new Date().toISOString(),
    closedAt: null,
  };
}

/**
 * Runs one step's production code in this process: the activity function the worker registers
 * (same body, same checkpoints, same cache key), called directly, with no Temporal server. The
 * result lands in `state` the way the workflow records it; a failure is recorded and rethrown.
 */
export async function runStepInProcess(
  config: QuiverConfig,
  view: RunView,
  name: StepName,
  inputs: Record<string, CheckpointRef>,
  onProgress: (view: RunView) => void = () => undefined,
): Promise<StepResult> {
  const state = view.steps.find((s) => s.name === name)!;
  const activity = createActivities(config)[name];
  state.status = 'running';
  state.attempts = 1;
  onProgress(view);
  const started = Date.now();
  try {
    const result = await activity({
      run: { runId: view.runId, pipeline: view.pipeline },
      spec: view.spec,
      inputs,
    });
    completeStep(state, result, Date.now() - started);
    onProgress(view);
    return result;
  } catch (error) {
    Object.assign(state, {
      status: 'failed',
      durationMs: Date.now() - started,
      outputs: failureOutputs(error),
      error: failureMessage(name, error),
    } satisfies Partial<StepState>);
    onProgress(view);
    throw error;
  }
}

/**
 * `quiver run SPEC --local`: every step in this process, in pipeline order, each fed by the
 * outputs of the steps before it (core/pipeline-steps.ts). The run is recorded under
 * `<home>/runs/` as `local-…`, so `status`, `checkpoints ls`, `runs compare`, `resume` and
 * `run SPEC --reuse-from` find it. A spec that requires approval stops before deploy
 * (`WAITING_APPROVAL`): promote it with `--reuse-from`, where `quiver approve` works.
 * Resolves with the final view whatever happened; a failed run has status `FAILED` and `error`.
 */
export async function runLocal(spec: PipelineSpec, options: LocalRunOptions): Promise<RunView> {
  const view = newLocalView(spec, options.runId ?? newLocalRunId(spec.name));
  const records = RunRecords.at(options.config.home);
  // The record follows every step as it starts and ends, so `status` of a running run is current.
  let saved = Promise.resolve();
  const report = (v: RunView) => {
    options.onProgress?.(v);
    saved = saved.then(() => records.save(v)).catch(() => undefined);
  };
  await records.save(view);
  const stopHandling = options.onSignal ? cancelOnSignal(records, view, options.onSignal) : undefined;
  try {
    for (const name of STEP_NAMES) {
      if (name === 'deploy' && spec.deploy.requireApproval) {
        view.status = 'WAITING_APPROVAL';
        break;
      }
      await runStepInProcess(options.config, view, name, stepInputs(name, outputsOf(view.steps)), report);
    }
    if (view.status === 'RUNNING') view.status = 'COMPLETED';
    const deploy = view.steps.find((s) => s.name === 'deploy');
    if (deploy?.status === 'completed')
      view.model = {
        name: String(deploy.summary.model),
        version: Number(deploy.summary.version),
        alias: String(deploy.summary.alias),
      };
  } catch (error) {
    view.status = 'FAILED';
    view.error = view.steps.find((s) => s.status === 'failed')?.error ?? (error as Error).message;
  }
  view.closedAt = new Date().toISOString();
  await saved;
  await records.save(view);
  stopHandling?.();
  options.onProgress?.(view);
  return view;
}
