import { tableFromColumns, utf8, bool } from '../core/arrow-columns';
import type { CheckpointStore } from '../core/checkpoint/store';
import type { QuiverConfig } from '../core/config';
import { profileFromArrow } from '../core/data/profile';
import { pinSchema, readPinnedSchema } from '../core/data/schema-store';
import { CheckpointNotFoundError, ModelNotFoundError, SanityCheckError } from '../core/errors';
import { ModelRegistry } from '../core/registry';
import type { PipelineSpec } from '../core/spec/schema';
import type { StepInput, StepResult } from '../core/run-types';
import { runDataChecks, type DataCheckInput } from './data-checks';
import type { CheckResult } from './sanity-checks';
import { runStepActivity } from './step';

/**
 * Checks the ingested data: against the pinned schema (pinned by the first passing run), row by row
 * (flags, with drop/fail policies), against the spec's column checks, and for drift against the
 * production model's training data. Writes `report`, `flags` and `drift` first, then fails if a
 * check failed; otherwise writes `profile` (the drift reference deploy records) and, when rows were
 * dropped, `clean` (what training reads).
 */
export async function sanity(input: StepInput, config: QuiverConfig): Promise<StepResult> {
  return runStepActivity('sanity', input, config, async (ctx) => {
    const { spec, run } = input;
    const data = input.inputs.data;
    const [table, pinned, reference] = await Promise.all([
      ctx.read('data'),
      readPinnedSchema(config, spec.name),
      productionReference(config, ctx.store, spec),
    ]);
    const outcome = runDataChecks({
      table,
      spec,
      pinned,
      reference,
      origin: { runId: run.runId, dataSha256: data.sha256, rows: data.rows },
    });
    await ctx.writeAll([
      ['report', reportTable(outcome.report)],
      ['flags', outcome.flags],
      ['drift', outcome.drift],
    ]);
    if (outcome.failed.length > 0) {
      const list = outcome.failed
        .map((r) => `${r.check}(${r.column}): observed ${r.observed}, expected ${r.expected}`)
        .join('; ');
      throw new SanityCheckError(`${outcome.failed.length} sanity check(s) failed: ${list}`);
    }
    await ctx.writeAll([
      ['profile', outcome.profile],
      ...(outcome.clean ? [['clean', outcome.clean] as const] : []),
    ]);
    const summary = { ...outcome.summary };
    if (outcome.inferred) {
      const { pinned: pinnedNow } = await pinSchema(config, outcome.inferred);
      summary.schema = pinnedNow ? 'inferred and pinned' : 'inferred (pinned meanwhile by another run)';
    }
    return { primary: 'report', summary };
  });
}

function reportTable(results: CheckResult[]) {
  return tableFromColumns({
    check: utf8(results.map((r) => r.check)),
    column: utf8(results.map((r) => r.column)),
    passed: bool(results.map((r) => r.passed)),
    observed: utf8(results.map((r) => r.observed)),
    expected: utf8(results.map((r) => r.expected)),
  });
}

/** The training-data profile of the model the spec's drift alias points at, or why there is none. */
async function productionReference(
  config: QuiverConfig,
  store: CheckpointStore,
  spec: PipelineSpec,
): Promise<DataCheckInput['reference']> {
  const model = spec.deploy.model ?? spec.name;
  const { alias } = spec.sanity.drift;
  let version;
  try {
    version = await ModelRegistry.at(config).resolve(model, alias);
  } catch (error) {
    if (error instanceof ModelNotFoundError) return { skipped: `no ${alias} model ${model}` };
    throw error;
  }
  if (!version.reference)
    return { skipped: `${model} version ${version.version} has no training-data profile` };
  try {
    return { profile: profileFromArrow(await store.read(version.reference)), version: version.version };
  } catch (error) {
    if (error instanceof CheckpointNotFoundError)
      return {
        skipped: `profile of ${model} version ${version.version} is gone (${version.reference.sha256.slice(0, 12)})`,
      };
    throw error;
  }
}
