import type * as arrow from 'apache-arrow';
import type { CheckpointRef } from '../core/checkpoint/types';
import type { QuiverConfig } from '../core/config';
import { columnNames } from '../core/features/columns';
import { fittedToArrow } from '../core/features/fitted-table';
import { fitFeatures, transformCodeVersions, type PriorTransform } from '../core/features/pipeline';
import { splitToArrow } from '../core/model/split';
import { assertSplitGrouping, withSplitGroups } from '../core/model/split-groups';
import { resolveTask } from '../core/model/task';
import { splitDataset } from '../core/model/train';
import type { StepInput, StepResult, TransformRun } from '../core/run-types';
import { heartbeat, runStepActivity } from './step';

/**
 * The features stage: fixes the train/holdout split (`split`), then fits each transform of the spec's
 * `features:` list on the training rows and applies it to all rows, one checkpoint per transform
 * (`transform-<i>`), reusing a prior run's transform whose cache key matches. Writes `data` (numeric
 * feature columns + the target: what training reads) and `transforms` (fitted state, for the model).
 * Without a `features:` section the input passes through as `data`.
 */
export async function features(input: StepInput, config: QuiverConfig): Promise<StepResult> {
  const { spec } = input;
  const specs = spec.features ?? [];
  const target = spec.target.column;
  // Custom modules' code versions are part of the step's cache key: editing one re-runs the stage.
  const extraParams = specs.length ? { transformCodeVersions: transformCodeVersions(specs) } : {};
  return runStepActivity(
    'features',
    input,
    config,
    async (ctx) => {
      const data = input.inputs.data;
      const table = await ctx.read('data');
      const task = resolveTask(table, target, spec.target.task);
      // Rows repeating per id (panel data) split row by row would leak: fail unless grouped or accepted.
      assertSplitGrouping(table, target, spec.split);
      const split = splitDataset(table, target, spec.split, task);
      await ctx.write('split', splitToArrow(split.trainRows, split.holdoutRows));
      const splitSummary = { task, trainRows: split.trainRows.length, holdoutRows: split.holdoutRows.length };
      if (specs.length === 0) {
        ctx.adopt('data', data);
        // Nothing written but the split: it is the step's own checkpoint (`data` is the input, passed on).
        return { primary: 'split', summary: { transforms: 0, ...splitSummary } };
      }
      const priorByIndex = new Map((input.priorTransforms ?? []).map((t) => [t.index, t]));
      const runs: TransformRun[] = [];
      const { fitted, output } = await fitFeatures({
        table,
        specs,
        target,
        task,
        trainRows: split.trainRows,
        inputSha256: data.sha256,
        keepList: spec.train.features,
        prior: specs.map((_, i) => priorByIndex.get(i) as PriorTransform | undefined),
        loadPrior: async (prior) => {
          const ref = (prior as unknown as TransformRun).output;
          return ctx.store.read(ref).catch(() => null);
        },
        onTransform: async ({ fitted: t, table: result, reused, durationMs }) => {
          const ref: CheckpointRef = reused
            ? priorByIndex.get(t.index)!.output
            : await ctx.write(`transform-${t.index}`, result);
          runs.push({
            index: t.index,
            name: t.name,
            kind: t.kind,
            codeVersion: t.codeVersion,
            cacheKey: t.cacheKey,
            output: ref,
            state: t.state,
            reused,
            durationMs: Math.round(durationMs),
            columns: featureCount(result, target),
          });
          heartbeat({ transform: t.index });
        },
      });
      await ctx.write('transforms', fittedToArrow(fitted));
      // The output holds numeric features only: it carries the split's groups for train and validate.
      const groupBy = spec.split.groupBy;
      await ctx.write('data', groupBy === undefined ? output : withSplitGroups(output, table, groupBy));
      const reused = runs.filter((r) => r.reused).length;
      return {
        primary: 'data',
        transforms: runs,
        summary: {
          transforms: runs.length,
          reused,
          features: fitted.features.length,
          columns: truncate(fitted.features.join(', ')),
          ...splitSummary,
        },
      };
    },
    extraParams,
  );
}

function featureCount(table: arrow.Table, target: string): number {
  return columnNames(table).filter((n) => n !== target).length;
}

function truncate(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
