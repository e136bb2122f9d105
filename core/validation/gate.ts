import type { SliceSpec } from '../spec/schema';

/** Metric values by name, as the report holds them (classification today; any name works). */
export type Metrics = Record<string, number>;

/** One slice of the holdout: the rows where `column` equals `value`. */
export interface SliceMetrics {
  column: string;
  value: string;
  rows: number;
  metrics: Metrics;
}

/** One model scored on the holdout: overall and per declared slice. */
export interface ModelEvaluation {
  role: 'candidate' | 'champion';
  /** Registry version (the champion's); null for the candidate, which has none yet. */
  version: number | null;
  rows: number;
  overall: Metrics;
  slices: SliceMetrics[];
}

/** What validate compares: the candidate and, when one is in production, the champion. */
export interface ValidationReport {
  candidate: ModelEvaluation;
  champion: ModelEvaluation | null;
  /** Why the champion could not be scored on this holdout, if it could not. */
  championError: string | null;
}

/** The gate's rules, as the spec's `validate` section declares them. */
export interface GateRules {
  min: Record<string, number | undefined>;
  max: Record<string, number | undefined>;
  maxRegression: Record<string, number>;
  slices: SliceSpec[];
}

/** Metrics where lower is better; every other metric is taken as higher-is-better. */
const LOWER_IS_BETTER = new Set(['logLoss', 'loss', 'mse', 'rmse', 'mae', 'mape']);

export function lowerIsBetter(metric: string): boolean {
  return LOWER_IS_BETTER.has(metric);
}

const fmt = (value: number) => value.toFixed(4);

/**
 * Every rule the candidate breaks, as "accuracy 0.81 < min 0.9": absolute minimums and maximums,
 * regression against the champion, and per-slice minimums. Empty means the candidate is blessed.
 */
export function gateMisses(report: ValidationReport, rules: GateRules): string[] {
  const { candidate, champion } = report;
  const misses: string[] = [];
  for (const [name, threshold] of Object.entries(rules.min)) {
    if (threshold === undefined) continue;
    const value = candidate.overall[name];
    if (value === undefined) misses.push(`${name} not computed (threshold min ${threshold})`);
    else if (value < threshold) misses.push(`${name} ${fmt(value)} < min ${threshold}`);
  }
  for (const [name, threshold] of Object.entries(rules.max)) {
    if (threshold === undefined) continue;
    const value = candidate.overall[name];
    // A bound on a metric this task does not compute fails like a min does: it was never checked.
    if (value === undefined) misses.push(`${name} not computed (threshold max ${threshold})`);
    else if (value > threshold) misses.push(`${name} ${fmt(value)} > max ${threshold}`);
  }
  const regressionRules = Object.entries(rules.maxRegression);
  if (regressionRules.length > 0 && report.championError !== null) {
    misses.push(`champion could not be scored for the regression check: ${report.championError}`);
  } else if (champion) {
    for (const [name, allowed] of regressionRules) {
      const value = candidate.overall[name];
      const best = champion.overall[name];
      if (value === undefined || best === undefined) {
        misses.push(`${name} not computed for both models (maxRegression ${allowed})`);
        continue;
      }
      // How much worse the candidate is, in the metric's own direction.
      const regression = lowerIsBetter(name) ? value - best : best - value;
      if (regression > allowed + 1e-12) {
        misses.push(
          `${name} ${fmt(value)} is ${fmt(regression)} worse than champion v${champion.version} (${fmt(best)}); maxRegression ${allowed}`,
        );
      }
    }
  }
  rules.slices.forEach((slice) => {
    for (const scored of candidate.slices.filter((s) => s.column === slice.column)) {
      if (scored.rows < slice.minRows) continue;
      for (const [name, threshold] of Object.entries(slice.min)) {
        const value = scored.metrics[name];
        const where = `slice ${scored.column}=${scored.value} (${scored.rows} rows)`;
        if (value === undefined) misses.push(`${where}: ${name} not computed (threshold min ${threshold})`);
        else if (value < threshold) misses.push(`${where}: ${name} ${fmt(value)} < min ${threshold}`);
      }
    }
  });
  return misses;
}
