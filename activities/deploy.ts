import type { QuiverConfig } from '../core/config';
import { float64, tableFromColumns, utf8 } from '../core/arrow-columns';
import { ModelRegistry } from '../core/registry';
import type { StepInput, StepResult } from '../core/run-types';
import { runStepActivity } from './step';

/** Registers the validated model as a new immutable version and moves the alias to it. */
export async function deploy(input: StepInput, config: QuiverConfig): Promise<StepResult> {
  const name = input.spec.deploy.model ?? input.spec.name;
  const { alias } = input.spec.deploy;
  return runStepActivity('deploy', input, config, async (ctx) => {
    const metricsTable = await ctx.read('metrics');
    const metrics: Record<string, number> = {};
    for (const row of metricsTable.toArray() as { metric: string; value: number }[])
      metrics[row.metric] = row.value;
    const registry = ModelRegistry.at(config);
    const version = await registry.register({
      name,
      model: ctx.input.inputs.model,
      metrics,
      runId: input.run.runId,
      pipeline: input.run.pipeline,
      reference: ctx.input.inputs.profile ?? null,
    });
    const move = await registry.setAlias(name, alias, version.version, `deployed by run ${input.run.runId}`);
    await ctx.write(
      'deployment',
      tableFromColumns({
        model: utf8([name]),
        version: float64([version.version]),
        alias: utf8([alias]),
        previous_version: float64([move.previous]),
        model_sha256: utf8([version.model.sha256]),
        run_id: utf8([input.run.runId]),
        deployed_at: utf8([move.at]),
      }),
    );
    return {
      primary: 'deployment',
      summary: { model: name, version: version.version, alias, previousVersion: move.previous },
    };
  });
}
