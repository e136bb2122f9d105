import type { PipelineSpec } from '../spec/schema';
import type { SpecIssue } from '../spec/preflight';

/** The overall metrics validate computes for each task (see core/validation/evaluate). */
export const TASK_METRICS = {
  classification: ['accuracy', 'macroF1', 'auc', 'logLoss'],
  regression: ['r2', 'rmse', 'mae'],
} as const;

/**
 * Gate thresholds (`validate.min.*`, `validate.max.*`) on a metric the declared `target.task` never
 * computes: found before the run starts, as a gate that can never be judged is a spec error. With
 * `target.task: auto` the task is known only from the data, and validate's gate reports them.
 */
export function taskMetricIssues(spec: PipelineSpec): SpecIssue[] {
  const task = spec.target.task;
  if (task === 'auto') return [];
  const computed: readonly string[] = TASK_METRICS[task];
  const issues: SpecIssue[] = [];
  for (const bound of ['min', 'max'] as const)
    for (const [metric, value] of Object.entries(spec.validate[bound]))
      if (value !== undefined && !computed.includes(metric))
        issues.push({
          path: `validate.${bound}.${metric}`,
          message: `${metric} is not computed for target.task: ${task} (it computes ${computed.join(', ')})`,
        });
  return issues;
}

/**
 * What a gate with thresholds on metrics the model's task does not compute adds to its misses:
 * which task the model is and what it does compute (an `auto` task may have chosen regression for
 * class codes; the train step's `taskReason` says why). Empty when every threshold was computed.
 */
export function notComputedNote(
  misses: readonly string[],
  task: keyof typeof TASK_METRICS,
  computed: readonly string[],
): string[] {
  if (!misses.some((m) => / not computed \(threshold (min|max) /.test(m))) return [];
  return [
    `the candidate is a ${task} model, which computed ${computed.join(', ')} ` +
      `(see the train step's taskReason; set target.task to choose)`,
  ];
}
