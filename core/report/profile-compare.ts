import type { CategoricalProfile, FeatureProfile, NumericProfile } from '../data/profile';
import { psi } from '../data/drift';

/** How one feature's training distribution moved from one model version to the next. */
export interface ProfileShift {
  feature: string;
  metric: 'psi' | 'linf' | 'none';
  value: number | null;
  note: string;
}

/**
 * Compares two data profiles feature by feature (the drift section of a model card): PSI for numeric
 * features, the L-infinity distance of category shares for categorical ones, as sanity's drift check.
 * Numeric profiles carry their own quantile bins, so `previous`'s counts are first spread onto
 * `current`'s edges assuming values are uniform inside each bin (open end bins are taken as points at
 * their finite edge); the result approximates the PSI the raw data would give.
 */
export function compareProfiles(previous: FeatureProfile[], current: FeatureProfile[]): ProfileShift[] {
  const before = new Map(previous.map((p) => [p.name, p]));
  return current.map((now): ProfileShift => {
    const then = before.get(now.name);
    if (!then) return { feature: now.name, metric: 'none', value: null, note: 'new feature' };
    if (then.kind !== now.kind)
      return {
        feature: now.name,
        metric: 'none',
        value: null,
        note: `type changed: ${then.kind} → ${now.kind}`,
      };
    if (now.kind === 'numeric') {
      const value = psi(
        [...rebin(then as NumericProfile, now.edges), then.nulls],
        [...now.counts, now.nulls],
      );
      return { feature: now.name, metric: 'psi', value, note: meanNote(then as NumericProfile, now) };
    }
    return { feature: now.name, metric: 'linf', value: linf(then as CategoricalProfile, now), note: '' };
  });
}

/** `profile`'s bin counts spread onto other inner `edges` (uniform within each finite bin). */
export function rebin(profile: NumericProfile, edges: number[]): number[] {
  const out = new Array<number>(edges.length + 1).fill(0);
  const bounds = [
    profile.min ?? profile.edges[0] ?? 0,
    ...profile.edges,
    profile.max ?? profile.edges.at(-1) ?? 0,
  ];
  profile.counts.forEach((count, k) => {
    if (count === 0) return;
    const lo = bounds[k];
    const hi = bounds[k + 1];
    if (!(hi > lo)) {
      out[binOf(edges, lo)] += count;
      return;
    }
    // Split the bin's mass over the target bins it overlaps, in proportion to the overlap.
    const cuts = [lo, ...edges.filter((e) => e > lo && e < hi), hi];
    for (let i = 0; i + 1 < cuts.length; i++) {
      const share = (cuts[i + 1] - cuts[i]) / (hi - lo);
      out[binOf(edges, (cuts[i] + cuts[i + 1]) / 2)] += count * share;
    }
  });
  return out;
}

function binOf(edges: number[], value: number): number {
  let k = 0;
  while (k < edges.length && value >= edges[k]) k++;
  return k;
}

function linf(a: CategoricalProfile, b: CategoricalProfile): number {
  const share = (p: CategoricalProfile) => {
    const total = p.rows || 1;
    const m = new Map(p.categories.map((c, i) => [c, p.counts[i] / total]));
    m.set('\u0000null', p.nulls / total);
    return m;
  };
  const sa = share(a);
  const sb = share(b);
  let worst = 0;
  for (const key of new Set([...sa.keys(), ...sb.keys()]))
    worst = Math.max(worst, Math.abs((sa.get(key) ?? 0) - (sb.get(key) ?? 0)));
  return worst;
}

function meanNote(a: NumericProfile, b: NumericProfile): string {
  if (a.mean === null || b.mean === null) return '';
  return `mean ${round(a.mean)} → ${round(b.mean)}`;
}

function round(x: number): string {
  return Number(x.toPrecision(4)).toString();
}
