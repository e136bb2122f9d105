import * as arrow from 'apache-arrow';
import type { DriftSpec } from '../spec/data-checks-schema';
import type { ColumnView } from './column-views';
import { binCounts, type CategoricalProfile, type FeatureProfile, type NumericProfile } from './profile';

/** Drift of one feature against the reference profile. */
export interface FeatureDrift {
  feature: string;
  kind: 'numeric' | 'categorical';
  /** `psi` for numeric features, `linf` (largest change of a category's share) for categorical ones. */
  metric: 'psi' | 'linf' | 'none';
  value: number | null;
  threshold: number | null;
  breached: boolean;
  note: string;
}

/** Shares below this count as this much, so an empty bin does not make PSI infinite. */
const MIN_SHARE = 1e-4;

/**
 * Per-feature drift of the current data (rows `keep` marks) against a reference profile: the
 * population stability index over the reference's quantile bins (plus a null bin) for numeric
 * features, the L-infinity distance of category shares (null as a category) for categorical ones.
 */
export function computeDrift(
  reference: FeatureProfile[],
  views: ColumnView[],
  keep: Uint8Array | null,
  spec: Pick<DriftSpec, 'psi' | 'linf'>,
): FeatureDrift[] {
  const current = new Map(views.map((v) => [v.name, v]));
  return reference.map((ref): FeatureDrift => {
    const view = current.get(ref.name);
    const metric = ref.kind === 'numeric' ? 'psi' : 'linf';
    const threshold = ref.kind === 'numeric' ? spec.psi : spec.linf;
    if (!view)
      return { feature: ref.name, kind: ref.kind, metric: 'none', value: null, threshold, breached: false, note: 'missing in the current data' };
    if (view.kind !== ref.kind)
      return {
        feature: ref.name,
        kind: ref.kind,
        metric: 'none',
        value: null,
        threshold,
        breached: true,
        note: `was ${ref.kind}, now ${view.kind}`,
      };
    const value =
      ref.kind === 'numeric'
        ? numericPsi(ref, view as Extract<ColumnView, { kind: 'numeric' }>, keep)
        : categoricalLinf(ref, view as Extract<ColumnView, { kind: 'categorical' }>, keep);
    const breached = value > threshold;
    return {
      feature: ref.name,
      kind: ref.kind,
      metric,
      value,
      threshold,
      breached,
      note: breached ? `${metric} ${value.toFixed(4)} > ${threshold}` : '',
    };
  });
}

/** Population stability index: Σ (cur − ref) · ln(cur / ref) over the reference's bins and nulls. */
export function psi(reference: number[], current: number[]): number {
  const refTotal = reference.reduce((a, b) => a + b, 0) || 1;
  const curTotal = current.reduce((a, b) => a + b, 0) || 1;
  let sum = 0;
  for (let k = 0; k < reference.length; k++) {
    const e = Math.max(reference[k] / refTotal, MIN_SHARE);
    const a = Math.max(current[k] / curTotal, MIN_SHARE);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

function numericPsi(ref: NumericProfile, view: Extract<ColumnView, { kind: 'numeric' }>, keep: Uint8Array | null): number {
  const counts = binCounts(view, ref.edges, keep);
  let rows = 0;
  if (keep === null) rows = view.values.length;
  else for (let i = 0; i < keep.length; i++) rows += keep[i];
  const present = counts.reduce((a, b) => a + b, 0);
  return psi([...ref.counts, ref.nulls], [...counts, rows - present]);
}

function categoricalLinf(
  ref: CategoricalProfile,
  view: Extract<ColumnView, { kind: 'categorical' }>,
  keep: Uint8Array | null,
): number {
  const byCode = new Float64Array(view.dictionary.length);
  let rows = 0;
  let nulls = 0;
  for (let i = 0; i < view.codes.length; i++) {
    if (keep !== null && keep[i] === 0) continue;
    rows++;
    if (view.codes[i] < 0) nulls++;
    else byCode[view.codes[i]]++;
  }
  const currentShare = new Map<string, number>();
  view.dictionary.forEach((category, id) => currentShare.set(category, byCode[id] / (rows || 1)));
  const refShare = new Map(ref.categories.map((c, k) => [c, ref.counts[k] / (ref.rows || 1)]));
  let distance = Math.abs(nulls / (rows || 1) - ref.nulls / (ref.rows || 1));
  for (const category of new Set([...currentShare.keys(), ...refShare.keys()]))
    distance = Math.max(distance, Math.abs((currentShare.get(category) ?? 0) - (refShare.get(category) ?? 0)));
  return distance;
}

/** The drift checkpoint: one row per feature; a single `skipped` row when there was no reference. */
export function driftToArrow(drift: FeatureDrift[] | { skipped: string }): arrow.Table {
  const rows: FeatureDrift[] =
    'skipped' in drift
      ? [{ feature: '*', kind: 'numeric', metric: 'none', value: null, threshold: null, breached: false, note: `skipped: ${drift.skipped}` }]
      : drift;
  const text = (values: string[]) => arrow.vectorFromArray(values, new arrow.Utf8());
  const f64 = (values: (number | null)[]) => arrow.vectorFromArray(values, new arrow.Float64());
  return new arrow.Table({
    feature: text(rows.map((r) => r.feature)),
    kind: text(rows.map((r) => ('skipped' in drift ? '' : r.kind))),
    metric: text(rows.map((r) => ('skipped' in drift ? 'skipped' : r.metric))),
    value: f64(rows.map((r) => r.value)),
    threshold: f64(rows.map((r) => r.threshold)),
    breached: arrow.vectorFromArray(rows.map((r) => r.breached), new arrow.Bool()),
    note: text(rows.map((r) => r.note)),
  });
}
