import type { FeatureDrift } from '../data/drift';
import type { PipelineSpec } from '../spec/schema';

/** What a monitor does when served traffic drifts from the model's training data. */
export type OnDrift = 'alert' | 'retrain';

/**
 * One model monitor, as `quiver monitor create` validated it and its Temporal Schedule carries it.
 * Every field is small JSON: a retraining spec is the validated spec (already claim-checked by size
 * at create time, like a schedule's).
 */
export interface MonitorConfig {
  /** Id of the monitor (and of its schedule): `monitor-<model>-<alias>` unless named. */
  id: string;
  model: string;
  alias: string;
  onDrift: OnDrift;
  /** PSI above which a numeric feature has drifted (sanity's default: 0.2). */
  psi: number;
  /** L-infinity distance of category shares above which a categorical feature has drifted (0.1). */
  linf: number;
  /** Fewer new rows than this are too few to judge drift: the run reports and alerts nothing. */
  minRows: number;
  /** Retraining on drift: a run of this spec (its source replaced by `retrain.source` when given) … */
  retrainSpec?: PipelineSpec;
  /** … or a trigger of this existing Quiver schedule. */
  retrainSchedule?: string;
  /** Roll the alias back when a live metric falls below its bound, e.g. `{ accuracy: 0.8 }`. */
  rollbackBelow?: Record<string, number>;
  /** Live metrics are only judged once this many predictions have labels (default 20). */
  minFeedback: number;
  /** POSTed a JSON alert on drift and on rollback; failures are reported, never fatal. */
  webhook?: string;
}

/** Live quality from feedback labels joined to logged predictions, since the monitor was created. */
export interface LiveQuality {
  /** Predictions that received a label. */
  labelled: number;
  /** Classification: share of labelled predictions that were right. */
  accuracy?: number;
  /** Classification: unweighted mean F1 over the classes seen. */
  macroF1?: number;
  /** Regression: root mean squared error in the target's units. */
  rmse?: number;
  /** Per value of each categorical feature: labelled rows and accuracy (or rmse). */
  slices: { column: string; value: string; labelled: number; metric: string; score: number }[];
}

/** What one monitor run found and did; kept as the monitor workflow's result and memo. */
export interface MonitorResult {
  monitorId: string;
  model: string;
  alias: string;
  version: number | null;
  /** Prediction-log files and rows read for the first time by this run. */
  files: number;
  rows: number;
  /** Sanity's drift rows, measured on served traffic. */
  drift: FeatureDrift[];
  /** Features whose drift breached its threshold (empty when none or too few rows). */
  breached: string[];
  /** Why drift was not judged, when it was not. */
  skipped: string | null;
  quality: LiveQuality | null;
  /** The drift report checkpoint this run wrote. */
  report: { uri: string; sha256: string; rows: number; bytes: number } | null;
  rolledBack: { from: number; to: number; reason: string } | null;
  /** The retraining this run started: a run id, or the schedule it triggered. */
  retrain: string | null;
  webhook: string | null;
  at: string;
}

/** Search-attribute status of a monitor run: what `QuiverStatus = "DRIFT"` finds in the UI. */
export function monitorStatus(result: Pick<MonitorResult, 'breached' | 'rolledBack'>): string {
  if (result.rolledBack) return 'ROLLED_BACK';
  return result.breached.length > 0 ? 'DRIFT' : 'OK';
}
