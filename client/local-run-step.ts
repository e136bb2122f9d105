import { openStore } from '../core/checkpoint/store';
import type { QuiverConfig } from '../core/config';
import { SpecError } from '../core/errors';
import { stepInputs, stepsBefore } from '../core/pipeline-steps';
import { diffParams } from '../core/plan';
import { STEP_NAMES, type StepName, type StepResult, type StepState } from '../core/run-types';
import { applyOverrides, loadSpecFile, validateSpec } from '../core/spec/load';
import type { RunView } from './api';
import { newLocalView, outputsOf, runStepInProcess } from './local-run';
import { compareRuns, type RunComparison } from './run-compare';
import { newLocalRunId, RunRecords } from './run-records';

/** What `quiver step run STEP --from RUN` is asked. */
export interface StepRunOptions {
  config: QuiverConfig;
  step: StepName;
  /** The run whose input checkpoints the step reads (and whose own output it is compared with). */
  source: RunView;
  /** `--set k=v` over the spec (RUN's, or `specFile`'s). */
  overrides?: string[];
  /** `--spec FILE`: run the step under this spec instead of RUN's (e.g. after editing it). */
  specFile?: string;
  /**
   * Deploy registers a new model version and moves its alias (`production`) like a real deploy: it
   * runs only when this is true (`--allow-deploy`); otherwise runStepFrom refuses, saying what it would do.
   */
  allowDeploy?: boolean;
}

/** A step run in-process: the local run it was recorded as, its result, and what changed against RUN. */
export interface StepRunResult {
  /** The recorded local run: RUN's upstream steps (reused), this step, later steps pending. */
  run: RunView;
  step: StepState;
  result: StepResult;
  source: RunView;
  /** `train.epochs 60 → 5`: the step's resolved params against RUN's. */
  paramChanges: string[];
  /** RUN against this run, restricted to this step (metrics, duration, checkpoints). */
  comparison: RunComparison;
}

/** Why `step` cannot run from `source`: it must be a known step whose upstream steps completed there. */
function checkRunnable(step: string, source: RunView): asserts step is StepName {
  if (!STEP_NAMES.includes(step as StepName))
    throw new SpecError(`STEP must be one of ${STEP_NAMES.join(', ')}, not '${step}'`, [
      { path: 'STEP', message: `unknown step '${step}'` },
    ]);
  const missing = stepsBefore(step as StepName).filter(
    (name) => source.steps.find((s) => s.name === name)?.status !== 'completed',
  );
  if (missing.length > 0)
    throw new SpecError(
      `run ${source.runId} has not completed ${missing.join(', ')}, which ${step} reads: ` +
        'pick a run that got that far',
    );
}

/**
 * Runs one step's production code (the activity function) in this process on RUN's input
 * checkpoints, with no Temporal server. Its outputs go to the store with lineage run id
 * `local-…`; the run is recorded like `quiver run --local`, with RUN's upstream steps reused, so
 * `resume local-…` can carry on from it durably.
 */
export async function runStepFrom(options: StepRunOptions): Promise<StepRunResult> {
  const { config, source, step, overrides = [] } = options;
  checkRunnable(step, source);
  const spec = options.specFile
    ? loadSpecFile(options.specFile, overrides).spec
    : overrides.length
      ? validateSpec(applyOverrides(source.spec, overrides))
      : source.spec;
  if (step === 'deploy' && !options.allowDeploy)
    throw new SpecError(
      `step run deploy would register a new version of model '${spec.name}' from ${source.runId}'s ` +
        `trained model and move its alias '${spec.deploy.alias}' to it, as a deploy does: pass ` +
        `--allow-deploy to do that, or move an alias to an existing version with \`quiver models promote\``,
      [{ path: '--allow-deploy', message: 'required to run deploy outside a workflow' }],
    );
  const view = newLocalView(spec, newLocalRunId(spec.name), source.runId);
  for (const name of stepsBefore(step)) {
    const index = view.steps.findIndex((s) => s.name === name);
    const upstream = source.steps.find((s) => s.name === name)!;
    view.steps[index] = { ...upstream, attempts: 0, reusedFrom: upstream.reusedFrom ?? source.runId };
  }
  const records = RunRecords.at(config.home);
  const inputs = stepInputs(step, outputsOf(source.steps));
  let result: StepResult;
  try {
    result = await runStepInProcess(config, view, step, inputs);
    view.status = 'COMPLETED';
  } catch (error) {
    view.status = 'FAILED';
    view.error = view.steps.find((s) => s.name === step)?.error ?? (error as Error).message;
    throw error;
  } finally {
    view.closedAt = new Date().toISOString();
    await records.save(view);
  }
  const state = view.steps.find((s) => s.name === step)!;
  const before = source.steps.find((s) => s.name === step);
  const full = await compareRuns(
    [source, { ...view, steps: view.steps.filter((s) => s.name === step) }],
    openStore(config.store),
  );
  return {
    run: view,
    step: state,
    result,
    source,
    paramChanges: before?.params ? diffParams(before.params, result.params) : [],
    comparison: {
      ...full,
      metrics: full.metrics.filter((m) => m.name.startsWith(`${step}.`)),
      durations: full.durations.filter((d) => d.step === step),
      checkpoints: full.checkpoints.filter((c) => c.step === step),
    },
  };
}
