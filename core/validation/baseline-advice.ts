import type * as arrow from 'apache-arrow';
import { quote } from '../quote';
import type { RowLocator } from '../sources/row-lines';
import type { NaiveBaseline } from './baseline';
import type { Metrics } from './gate';

/** A target value this many median absolute deviations from the median is an outlier worth naming. */
export const OUTLIER_MADS = 20;
/** An r2 below this is far worse than predicting the mean: a few huge errors, not a weak model. */
export const FAR_BELOW_ZERO_R2 = -1;
/** A majority class holding at least this share of the holdout makes accuracy a poor gate. */
export const IMBALANCED_MAJORITY = 0.7;
/** The AUC a hint proposes as a gate on ranking (the user chooses; the model's own is shown beside it). */
const SUGGESTED_AUC = 0.7;

/** The target value farthest from the rest, in median absolute deviations (MAD), when it is an outlier. */
export interface TargetOutlier {
  row: number;
  value: number;
  /** Its distance from the median in MADs. */
  mads: number;
}

/**
 * The rows' target value farthest from their median, when it lies at least OUTLIER_MADS MADs away
 * (a robust scale: the outlier itself does not widen it, unlike a standard deviation). Null when
 * none does, the target is not numeric, or the MAD is 0 (mostly one value).
 */
export function targetOutlier(table: arrow.Table, target: string, rows: Int32Array[]): TargetOutlier | null {
  const column = table.getChild(target);
  if (!column) return null;
  const picked: { row: number; y: number }[] = [];
  for (const set of rows)
    for (const row of set) {
      const raw = column.get(row) as unknown;
      if (typeof raw !== 'number' && typeof raw !== 'bigint') continue;
      const y = Number(raw);
      if (Number.isFinite(y)) picked.push({ row, y });
    }
  if (picked.length < 3) return null;
  const median = medianOf(picked.map((p) => p.y));
  const mad = medianOf(picked.map((p) => Math.abs(p.y - median)));
  if (mad === 0) return null;
  let far = picked[0];
  for (const p of picked) if (Math.abs(p.y - median) > Math.abs(far.y - median)) far = p;
  const mads = Math.abs(far.y - median) / mad;
  return mads >= OUTLIER_MADS ? { row: far.row, value: far.y, mads } : null;
}

function medianOf(xs: number[]): number {
  const sorted = Float64Array.from(xs).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * What to look at before switching the baseline gate off, or null when switching it off is the
 * only advice: for a regression whose r2 is far below 0 or whose target holds an outlier, the
 * outlier or total rows (named by line); for a binary task with an imbalanced majority judged by
 * accuracy and ranking better than chance, `validate.min.auc`, which gates on ranking (its baseline is AUC 0.5).
 */
export function baselineAdvice(
  candidate: Metrics,
  baseline: NaiveBaseline,
  target: string,
  outlier: TargetOutlier | null,
  locator: RowLocator,
): string | null {
  if (baseline.metric === 'rmse') {
    const r2 = candidate.r2;
    const farBelow = r2 !== undefined && r2 < FAR_BELOW_ZERO_R2;
    if (!farBelow && !outlier) return null;
    const where = outlier
      ? ` (${quote(target)} ${Number(outlier.value.toPrecision(10))} on ${locator.at(outlier.row)}, ${Math.round(outlier.mads)} median deviations from the median)`
      : '';
    return (
      `${farBelow ? `r2 ${r2.toFixed(4)} is far below 0 (a few huge errors): ` : ''}look for outliers or total rows in the target${where}` +
      ` and fix them in the data (sanity's summary_rows names totals; source.skipFooter: 1 / source.skipRows: [lines] skip rows)`
    );
  }
  // A model ranking no better than chance (AUC <= 0.5) has no better gate to be judged by.
  if (
    baseline.metric === 'accuracy' &&
    candidate.auc !== undefined &&
    candidate.auc > 0.5 &&
    baseline.value >= IMBALANCED_MAJORITY
  )
    return (
      `the classes are imbalanced (${baseline.prediction.replace(/^majority class /u, '')} is ${(baseline.value * 100).toFixed(1)}% of the holdout), ` +
      `so accuracy rewards always answering it: gate on ranking instead with validate.min.auc: ${SUGGESTED_AUC} ` +
      `(a level you choose; this model's auc is ${candidate.auc.toFixed(4)}; the baseline is then AUC 0.5)`
    );
  return null;
}
