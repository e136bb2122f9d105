import type { Table } from 'apache-arrow';
import type { QuiverConfig } from '../core/config';
import { ValidationGateError } from '../core/errors';
import { applyFeatures } from '../core/features/pipeline';
import { modelFeatures, modelFromArrow, readModelTable } from '../core/model/codec';
import { metricsToArrow } from '../core/model/metrics';
import { splitDataset } from '../core/model/train';
import { ModelRegistry } from '../core/registry';
import type { StepInput, StepResult } from '../core/run-types';
import { baselineMetric, baselineMiss, naiveBaseline } from '../core/validation/baseline';
import { baselineAdvice, targetOutlier } from '../core/validation/baseline-advice';
import { rowLocator } from '../core/sources/row-lines';
import { evaluateModel, sliceRows, type SliceRows } from '../core/validation/evaluate';
import { predictionsToArrow, type HoldoutPredictions } from '../core/validation/predictions';
import { gateMisses, type ModelEvaluation, type ValidationReport } from '../core/validation/gate';
import { reportToArrow } from '../core/validation/report-table';
import type { StepContext } from './step';
import { runStepActivity } from './step';
import { classMisses } from './validate-classes';
import { notComputedNote } from '../core/validation/task-metrics';
import { championGuardMisses, championOnSameRows, holdoutSizeNote } from '../core/validation/champion-guard';

/**
 * Champion/challenger validation: scores the candidate and the model the deploy alias points at on
 * the same holdout rows, overall and per slice; writes `metrics` (the candidate's), `report` (both
 * models, every slice) and `predictions` (the candidate's answer per holdout row), then fails if the
 * gate is not passed.
 */
export async function validate(input: StepInput, config: QuiverConfig): Promise<StepResult> {
  const { spec } = input;
  return runStepActivity('validate', input, config, async (ctx) => {
    const table = await ctx.read('data');
    const candidateModel = await ctx.read('model');
    // The task the candidate was trained for decides which rows form the holdout (stratified or not).
    const { task } = readModelTable(candidateModel).preprocessing;
    const { trainRows, holdoutRows: rows } = splitDataset(
      table,
      spec.target.column,
      spec.split,
      task ?? 'classification',
    );
    const slices = sliceRows(table, rows, spec.validate.slices);
    const scored: { predictions?: HoldoutPredictions } = {};
    const candidate = await scoreCheckpoint('candidate', null, candidateModel, table, rows, slices, (p) => {
      scored.predictions = p;
    });
    const { champion, championError } = await scoreChampion(ctx, config, table, rows, slices);
    const report: ValidationReport = { candidate, champion, championError };

    // The naive model on the same rows: a model that does not beat it has learnt nothing worth deploying.
    // Judged by the metric the gate names (min.auc, min.macroF1), not always by accuracy (#14).
    const metric = baselineMetric(spec.validate.min, candidate.overall);
    const baseline = naiveBaseline(
      table,
      spec.target.column,
      trainRows,
      rows,
      task ?? 'classification',
      metric,
    );
    const baselineFigure: Record<string, number> = baseline
      ? { [`baseline.${baseline.metric}`]: baseline.value }
      : {};
    // The predictions: what the card's confusion matrix or residual plot is drawn from; all written
    // before the gate decides.
    await ctx.writeAll([
      ['metrics', metricsToArrow(candidate.overall, baselineFigure)],
      ['report', reportToArrow(report)],
      ...(scored.predictions ? [['predictions', predictionsToArrow(scored.predictions)] as const] : []),
    ]);
    const misses = gateMisses(report, spec.validate);
    const beaten =
      baseline && spec.validate.beatBaseline && baselineMiss(candidate.overall, baseline)
        ? baselineMiss(
            candidate.overall,
            baseline,
            baselineAdvice(
              candidate.overall,
              baseline,
              spec.target.column,
              baseline.metric === 'rmse' ? targetOutlier(table, spec.target.column, [trainRows, rows]) : null,
              rowLocator(table),
            ),
          )
        : null;
    if (beaten) misses.push(beaten);
    misses.push(...(await classMisses(ctx, config, table, rows, candidateModel)));
    misses.push(...notComputedNote(misses, task ?? 'classification', Object.keys(candidate.overall)));
    // Champion/challenger: a clearly worse candidate never replaces the champion by default (#23).
    const guarded = championGuardMisses(report, spec.validate);
    misses.push(...guarded);
    // The guard's message already names the champion's scores; else the baseline miss gets them.
    const championFigures = beaten && guarded.length === 0 ? championOnSameRows(report) : null;
    if (championFigures) misses.push(championFigures);
    const smallHoldout = holdoutSizeNote(
      table,
      spec.target.column,
      rows,
      task ?? 'classification',
      spec.validate,
    );
    if (smallHoldout && misses.length > 0) misses.push(smallHoldout);
    if (misses.length > 0) throw new ValidationGateError(`validation gate failed: ${misses.join('; ')}`);
    const summary: StepResult['summary'] = { ...candidate.overall, ...baselineFigure };
    if (champion) {
      summary.championVersion = champion.version;
      for (const [name, value] of Object.entries(champion.overall)) summary[`champion.${name}`] = value;
    }
    if (championError) summary.championError = championError;
    if (smallHoldout) summary.holdoutWarning = smallHoldout;
    if (slices.length > 0) summary.slices = slices.length;
    return { primary: 'metrics', summary };
  });
}

async function scoreCheckpoint(
  role: ModelEvaluation['role'],
  version: number | null,
  checkpoint: Table,
  table: Table,
  rows: Int32Array,
  slices: SliceRows[],
  onPredictions?: (predictions: HoldoutPredictions) => void,
): Promise<ModelEvaluation> {
  const decoded = await modelFromArrow(checkpoint);
  const { model, preprocessing } = decoded;
  try {
    // Raw rows in, the model's own fitted transforms applied: exactly what serving will do.
    const fitted = modelFeatures(decoded);
    const inputs = fitted ? await applyFeatures(table, fitted) : table;
    return evaluateModel(role, version, model, preprocessing, inputs, rows, slices, onPredictions);
  } finally {
    model.dispose();
  }
}

/** The production model scored on the same rows; a champion that cannot be scored is reported, not fatal. */
async function scoreChampion(
  ctx: StepContext,
  config: QuiverConfig,
  table: Table,
  rows: Int32Array,
  slices: SliceRows[],
): Promise<{ champion: ModelEvaluation | null; championError: string | null }> {
  const { spec } = ctx.input;
  const current = await ModelRegistry.at(config).lookup(spec.deploy.model ?? spec.name, spec.deploy.alias);
  if (!current) return { champion: null, championError: null };
  try {
    const checkpoint = await ctx.store.read(current.model);
    const champion = await scoreCheckpoint('champion', current.version, checkpoint, table, rows, slices);
    return { champion, championError: null };
  } catch (error) {
    return { champion: null, championError: `v${current.version}: ${(error as Error).message}` };
  }
}
