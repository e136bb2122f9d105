import type * as arrow from 'apache-arrow';
import { quote } from '../quote';
import { lowerIsBetter, type ValidationReport } from './gate';

/**
 * How much worse than the champion, on the same holdout rows, a candidate may be on each metric
 * before the default champion guard keeps production on the champion (champion/challenger: a
 * challenger replaces the champion only when it is not clearly worse). Large on purpose: the guard
 * catches a broken retrain (a partial extract, shuffled labels), not noise; `validate.maxRegression`
 * sets a tighter bound per metric, and replaces the default for that metric.
 */
export const DEFAULT_CHAMPION_GUARD: Readonly<Record<string, number>> = {
  auc: 0.2,
  macroF1: 0.2,
  accuracy: 0.2,
  r2: 0.2,
};

/** Below this many holdout rows a metric cannot tell models apart (`validate.minHoldoutRows`). */
export const DEFAULT_MIN_HOLDOUT_ROWS = 30;
/** Below this many holdout rows of a class its recall/AUC is noise (`validate.minHoldoutClassRows`). */
export const DEFAULT_MIN_HOLDOUT_CLASS_ROWS = 10;

/** The spec's `validate` settings the guard and the holdout-size note read. */
export interface GuardSettings {
  maxRegression: Record<string, number>;
  championGuard?: boolean;
  minHoldoutRows?: number;
  minHoldoutClassRows?: number;
}

const fmt = (value: number) => value.toFixed(4);

/**
 * The default champion guard's miss, or none: the candidate is worse than the champion by more than
 * DEFAULT_CHAMPION_GUARD on a metric `maxRegression` does not already bound. Names both models'
 * scores on the same rows and the ways on. Off with `validate.championGuard: false`, or when the
 * champion could not be scored (gateMisses reports that where maxRegression asks for it).
 */
export function championGuardMisses(report: ValidationReport, settings: GuardSettings): string[] {
  const { candidate, champion } = report;
  if (settings.championGuard === false || !champion || report.championError !== null) return [];
  const worse: string[] = [];
  const names: string[] = [];
  for (const [metric, allowed] of Object.entries(DEFAULT_CHAMPION_GUARD)) {
    if (Object.prototype.hasOwnProperty.call(settings.maxRegression, metric)) continue;
    const value = candidate.overall[metric];
    const best = champion.overall[metric];
    if (value === undefined || best === undefined) continue;
    const regression = lowerIsBetter(metric) ? value - best : best - value;
    if (regression > allowed + 1e-12) {
      worse.push(`${metric} ${fmt(value)} vs ${fmt(best)}`);
      names.push(`${metric}: 1`);
    }
  }
  if (worse.length === 0) return [];
  const v = champion.version;
  return [
    `candidate clearly worse than champion v${v} on the same ${candidate.rows} holdout rows: ${worse.join(', ')} ` +
      `(more than 0.2 worse; the champion guard keeps production on v${v}): check the new data (a partial extract, ` +
      `a broken join, shifted labels) before replacing it; to accept it, bound the metric yourself ` +
      `(validate.maxRegression: { ${names.join(', ')} }) or set validate.championGuard: false`,
  ];
}

/**
 * What the naive-baseline gate's message adds when a champion was scored: its figures on the same
 * rows, so switching the baseline gate off is never the only exit shown; null without a champion.
 */
export function championOnSameRows(report: ValidationReport): string | null {
  const { champion, candidate } = report;
  if (!champion) return null;
  const figures = Object.entries(champion.overall)
    .map(([name, value]) => `${name} ${fmt(value)}`)
    .join(', ');
  return (
    `champion v${champion.version} on the same ${candidate.rows} holdout rows: ${figures}; rather than ` +
    `validate.beatBaseline: false, judge the candidate against it (validate.maxRegression) or by a metric that ` +
    `ranks (validate.min.auc)`
  );
}

/**
 * Says a holdout is too small to judge a model: fewer than `minHoldoutRows` rows (default 30), or,
 * for classification, a class with fewer than `minHoldoutClassRows` rows (default 10). Null when it
 * is large enough. The figures follow the usual rule of thumb that a proportion needs ~10 cases per
 * class and ~30 in all before its sampling error is below ~0.1.
 */
export function holdoutSizeNote(
  table: arrow.Table,
  target: string,
  rows: Int32Array,
  task: 'classification' | 'regression',
  settings: GuardSettings,
): string | null {
  const minRows = settings.minHoldoutRows ?? DEFAULT_MIN_HOLDOUT_ROWS;
  const minClass = settings.minHoldoutClassRows ?? DEFAULT_MIN_HOLDOUT_CLASS_ROWS;
  const reasons: string[] = [];
  if (rows.length < minRows) reasons.push(`${rows.length} rows (validate.minHoldoutRows: ${minRows})`);
  if (task === 'classification' && minClass > 0) {
    const labels = table.getChild(target);
    const counts = new Map<string, number>();
    if (labels)
      for (const row of rows) {
        const label = labels.get(row) as unknown;
        if (label !== null && label !== undefined)
          counts.set(String(label), (counts.get(String(label)) ?? 0) + 1);
      }
    const few = [...counts].filter(([, n]) => n < minClass).sort((a, b) => a[1] - b[1]);
    if (few.length > 0)
      reasons.push(
        `${few.map(([label, n]) => `class ${quote(label)} ${n} row(s)`).join(', ')} (validate.minHoldoutClassRows: ${minClass})`,
      );
  }
  if (reasons.length === 0) return null;
  return (
    `holdout too small to judge a model: ${reasons.join('; ')}; its metrics can swing by 0.1 or more ` +
    `on one row: score more rows (a larger file, or a larger split.holdout)`
  );
}
