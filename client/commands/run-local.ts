import { QuiverError } from '../../core/errors';
import type { PipelineSpec } from '../../core/spec/schema';
import type { RunView } from '../api';
import { RunRecords } from '../run-records';
import { configFrom, withEnvironment, type GlobalFlags } from '../environment';
import { formatPlan, formatRun } from '../format';
import { runLocal } from '../local-run';
import { emit, info } from '../output';
import { progressReporter } from '../progress';
import { waitFor } from './runs';

/** `quiver run` flags. */
export interface RunFlags {
  set: string[];
  wait?: boolean;
  local?: boolean;
  reuseFrom?: string;
}

/** `quiver run SPEC --local`: every step in this process with no Temporal server; prints the run. */
export async function runLocalCommand(
  flags: GlobalFlags,
  spec: PipelineSpec,
  options: RunFlags,
): Promise<void> {
  const config = configFrom(flags);
  const progress = flags.json ? undefined : await progressReporter(spec.name);
  let view;
  try {
    view = await runLocal(spec, { config, overrides: options.set, onProgress: progress?.update });
  } finally {
    progress?.done();
  }
  emit(flags, view, formatRun);
  if (!flags.json && view.status !== 'FAILED')
    info(`promote it to a durable run, recomputing nothing: npx quiver run SPEC --reuse-from ${view.runId}`);
  process.exitCode = view.status === 'FAILED' ? 1 : 0;
}

/**
 * `quiver run SPEC --reuse-from RUN`: a durable run of SPEC that takes over every step of RUN
 * (durable or local) whose cache key still matches and whose checkpoints verify; prints the plan.
 */
export async function reuseAndStart(
  flags: GlobalFlags,
  spec: PipelineSpec,
  sourceRun: string,
  options: RunFlags,
): Promise<void> {
  await withEnvironment(flags, { embedded: false }, async (env) => {
    const plan = await env.client.plan(sourceRun, { spec, overrides: options.set });
    if (!flags.json)
      info(formatPlan({ sourceRun: plan.sourceRun, overrides: plan.overrides, steps: plan.steps }));
    const runId = await env.client.startPlanned(plan);
    if (options.wait) {
      const view = await waitFor(env, flags, runId, spec.name);
      process.exitCode = view.status === 'COMPLETED' ? 0 : 1;
    } else {
      emit(
        flags,
        { runId, resumedFrom: sourceRun, steps: plan.steps, uiUrl: env.client.uiUrl(runId) },
        (r) => `${r.runId}\nTemporal UI: ${r.uiUrl}`,
      );
    }
  });
}

/** `quiver status local-…`: a local run is read from its record, with no Temporal server. */
export async function localRunStatus(flags: GlobalFlags, runId: string): Promise<RunView> {
  const { home } = configFrom(flags);
  const view = await RunRecords.at(home).load(runId);
  if (!view) throw new QuiverError(`no local run ${runId} under ${home}`);
  return view;
}
