import type { ColumnView } from './column-views';

/**
 * Whole-data-set checks a model needs before it is trained: a constant target, classes too rare to
 * be validated, a feature that copies the target, numeric "no data" sentinels. Pure functions over
 * column views; sanity turns their findings into failed checks.
 */

/** A 1:1 mapping is judged from this many rows: two alternating values in a 30-row fixture are no data set. */
export const MAPPING_MIN_ROWS = 50;
/** How many first rows a finding names. */
const EXAMPLES = 3;

/** One value of a column with the rows holding it (0-based, first few only) and its count. */
export interface ValueRows {
  value: string;
  count: number;
  rows: number[];
}

/** The present values of a column as strings, one per row (null for a null), numbers printed as JS does. */
function valueAt(view: ColumnView): (row: number) => string | null {
  if (view.kind === 'numeric') {
    const { values, valid } = view;
    return (row) => (valid && !valid[row] ? null : String(values[row]));
  }
  return (row) => (view.codes[row] < 0 ? null : view.dictionary[view.codes[row]]);
}

/** Each present value of `view` with its count and first rows, in order of first appearance. */
export function valueCounts(view: ColumnView): ValueRows[] {
  const at = valueAt(view);
  const counts = new Map<string, ValueRows>();
  const rows = view.kind === 'numeric' ? view.values.length : view.codes.length;
  for (let row = 0; row < rows; row++) {
    const value = at(row);
    if (value === null) continue;
    let entry = counts.get(value);
    if (!entry) counts.set(value, (entry = { value, count: 0, rows: [] }));
    entry.count++;
    if (entry.rows.length < EXAMPLES) entry.rows.push(row);
  }
  return [...counts.values()];
}

/** The target's one value when every labeled row holds it (a wrong column, a filtered export), else null. */
export function constantTarget(target: ColumnView): ValueRows | null {
  const counts = valueCounts(target);
  return counts.length === 1 && counts[0].count > 1 ? counts[0] : null;
}

/**
 * Classes of a classification target with fewer than `minRows` rows: a stratified split keeps one
 * training row per class, so a class needs about 1 / holdout rows before one of them is held out
 * and its predictions are ever checked. Rarest first.
 */
export function rareClasses(target: ColumnView, minRows: number): ValueRows[] {
  if (minRows <= 1) return [];
  return valueCounts(target)
    .filter((c) => c.count < minRows)
    .sort((a, b) => a.count - b.count);
}

/** A feature that gives the target away: a 1:1 recoding of the classes, or a near-exact linear copy. */
export interface TargetLeak {
  column: string;
  /**
   * `mapping`: each feature value stands for exactly one class and back; `correlation`: |r| ≥ limit;
   * `presence`: whether the feature is filled gives the class away (a `Churn Reason` filled only for churners).
   */
  kind: 'mapping' | 'correlation' | 'presence';
  /** `'0' → 'setosa', '1' → 'versicolor'` or `r = 0.9991`. */
  detail: string;
}

/**
 * Features that determine the target exactly (deepchecks' "feature-label correlation" / target
 * leakage): for a classification target, a feature whose values map 1:1 onto the classes (a code
 * column `species_code` next to `species`); for a regression target, a numeric feature with
 * |Pearson r| ≥ `maxCorrelation`. Ids map 1:N, so they never match; at least 2 classes and
 * MAPPING_MIN_ROWS rows are needed before a mapping is judged.
 */
export function targetLeaks(
  features: ColumnView[],
  target: ColumnView,
  task: 'classification' | 'regression',
  maxCorrelation: number,
): TargetLeak[] {
  const leaks: TargetLeak[] = [];
  for (const feature of features) {
    if (feature.name === target.name) continue;
    if (task === 'classification' || feature.kind === 'categorical') {
      const mapping = oneToOne(feature, target);
      if (mapping) leaks.push({ column: feature.name, kind: 'mapping', detail: mapping });
      else if (task === 'classification') {
        const presence = presenceLeak(feature, target);
        if (presence) leaks.push({ column: feature.name, kind: 'presence', detail: presence });
      }
    } else if (target.kind === 'numeric') {
      const r = pearson(feature.values, feature.valid, target.values, target.valid);
      if (r !== null && Math.abs(r) >= maxCorrelation)
        leaks.push({ column: feature.name, kind: 'correlation', detail: `r = ${r.toFixed(4)}` });
    }
  }
  return leaks;
}

/** `'0' → 'setosa', …` when `feature` and `target` are one-to-one on the rows holding both, else null. */
function oneToOne(feature: ColumnView, target: ColumnView): string | null {
  const featureAt = valueAt(feature);
  const targetAt = valueAt(target);
  const forward = new Map<string, string>();
  const backward = new Map<string, string>();
  const rows = feature.kind === 'numeric' ? feature.values.length : feature.codes.length;
  let paired = 0;
  for (let row = 0; row < rows; row++) {
    const f = featureAt(row);
    const t = targetAt(row);
    if (f === null || t === null) continue;
    paired++;
    const seenT = forward.get(f);
    if (seenT === undefined) forward.set(f, t);
    else if (seenT !== t) return null;
    const seenF = backward.get(t);
    if (seenF === undefined) backward.set(t, f);
    else if (seenF !== f) return null;
  }
  if (paired < MAPPING_MIN_ROWS || forward.size < 2 || forward.size * 2 > paired) return null;
  const pairs = [...forward].slice(0, 5).map(([f, t]) => `'${f}' → '${t}'`);
  return pairs.join(', ') + (forward.size > 5 ? `, … (${forward.size} values)` : '');
}

/** Share of labeled rows a presence pattern must predict to be called a leak. */
export const PRESENCE_AGREEMENT = 0.99;

/**
 * `null on 420 of 420 'No' rows, filled on 180 of 180 'Yes' rows` when whether `feature` is null
 * predicts the class on ≥ PRESENCE_AGREEMENT of the labeled rows (each side's majority class, and
 * the two differ), else null. Each side needs 5 rows and 1% of the data, so a stray null is no leak.
 */
function presenceLeak(feature: ColumnView, target: ColumnView): string | null {
  const featureAt = valueAt(feature);
  const targetAt = valueAt(target);
  const sides = [new Map<string, number>(), new Map<string, number>()]; // [null, filled]
  const rows = feature.kind === 'numeric' ? feature.values.length : feature.codes.length;
  let labeled = 0;
  for (let row = 0; row < rows; row++) {
    const t = targetAt(row);
    if (t === null) continue;
    labeled++;
    const side = sides[featureAt(row) === null ? 0 : 1];
    side.set(t, (side.get(t) ?? 0) + 1);
  }
  if (labeled < MAPPING_MIN_ROWS) return null;
  const majority = sides.map((side) => {
    const total = [...side.values()].reduce((a, b) => a + b, 0);
    const [cls, hits] = [...side].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    return { cls, hits, total };
  });
  const small = Math.max(5, 0.01 * labeled);
  if (majority.some((m) => m.total < small) || majority[0].cls === majority[1].cls) return null;
  if ((majority[0].hits + majority[1].hits) / labeled < PRESENCE_AGREEMENT) return null;
  const [empty, filled] = majority;
  return (
    `null on ${empty.hits} of ${empty.total} rows, all but ${empty.total - empty.hits} of class '${empty.cls}'; ` +
    `filled on ${filled.total} rows, all but ${filled.total - filled.hits} of class '${filled.cls}'`
  );
}

/** Pearson's r over rows where both are present; null when either is constant or fewer than 10 rows. */
function pearson(x: Float64Array, xValid: Uint8Array | null, y: Float64Array, yValid: Uint8Array | null): number | null {
  let n = 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < x.length; i++) {
    if ((xValid && !xValid[i]) || (yValid && !yValid[i])) continue;
    n++;
    mx += x[i];
    my += y[i];
  }
  if (n < 10) return null;
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    if ((xValid && !xValid[i]) || (yValid && !yValid[i])) continue;
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (!(sxx > 0 && syy > 0)) return null;
  const r = sxy / Math.sqrt(sxx * syy);
  return Number.isFinite(r) ? r : null;
}

/** A numeric value standing for "no data": repeated, and far outside the column's other values. */
export interface Sentinel {
  column: string;
  value: number;
  count: number;
  rows: number[];
  /** The other values' quartiles, for the message. */
  q1: number;
  q3: number;
}

/**
 * Legacy "no data" codes in numeric columns (`-999`, `-9999`, `99999`): a value on at least
 * `minShare` of the rows (and at least 3 of them) that lies beyond `iqrs` interquartile ranges of
 * the other values' quartiles (Tukey's fences, widened from 1.5 to `iqrs` so real heavy tails pass).
 * Columns whose other values have no spread (IQR 0: flags, counts of mostly zero) are not judged.
 */
export function findSentinels(views: ColumnView[], minShare: number, iqrs: number): Sentinel[] {
  const found: Sentinel[] = [];
  for (const view of views) {
    if (view.kind !== 'numeric') continue;
    const { values, valid } = view;
    const present = valid ? values.filter((_, i) => valid[i] === 1) : Float64Array.from(values);
    const n = present.length;
    const minCount = Math.max(3, Math.ceil(minShare * n));
    if (n < 20) continue;
    const sorted = present.sort();
    // Runs of one value, checked from both ends: a sentinel sits at the minimum or the maximum.
    for (const fromLow of [true, false]) {
      const value = fromLow ? sorted[0] : sorted[n - 1];
      let start = fromLow ? 0 : n - 1;
      let end = start;
      if (fromLow) while (end < n && sorted[end] === value) end++;
      else {
        while (start > 0 && sorted[start - 1] === value) start--;
        end = n;
      }
      const count = end - start;
      if (count < minCount || count === n) continue;
      const rest = n - count;
      const at = (q: number) => {
        const i = Math.round(q * (rest - 1));
        return sorted[i < start ? i : i + count];
      };
      const q1 = at(0.25);
      const q3 = at(0.75);
      const iqr = q3 - q1;
      if (!(iqr > 0)) continue;
      const far = fromLow ? value < q1 - iqrs * iqr : value > q3 + iqrs * iqr;
      if (!far) continue;
      if (fromLow && zeroInflated(view.name, value, count, sorted, end)) continue;
      const rows: number[] = [];
      for (let i = 0; i < values.length && rows.length < EXAMPLES; i++)
        if ((!valid || valid[i]) && values[i] === value) rows.push(i);
      found.push({ column: view.name, value, count, rows, q1, q3 });
    }
  }
  return found;
}

/** Integer values in this range, all of them, read as calendar years. */
const YEARS = { min: 1800, max: 2100 };
/** Names of year columns (`yr_renovated`, `YearBuilt`, `renovation_year`). */
const YEAR_NAME = /(^|[^a-z])(yr|year)|year($|[^a-z])/i;

/**
 * A zero-inflated amount, not a code: 0 on most rows (half or more) of a column whose other values
 * are all positive: capital loss, a fee not charged, rainfall, days absent. 0 is where such an amount
 * naturally starts and the commonest answer, however narrow the band of the others. A year column
 * (`yr_renovated`: 0 beside 1934 … 2015) is the exception: no year is 0, so there 0 means "never".
 * `others[from …]` are the column's other present values, ascending.
 */
export function zeroInflated(
  column: string,
  value: number,
  count: number,
  others: ArrayLike<number>,
  from = 0,
): boolean {
  const rest = others.length - from;
  if (value !== 0 || rest <= 0 || count < rest || !(others[from] > 0)) return false;
  let years = true;
  for (let i = from; i < others.length && years; i++)
    years = Number.isInteger(others[i]) && others[i] >= YEARS.min && others[i] <= YEARS.max;
  return !years && !YEAR_NAME.test(column);
}

/** A column holding a sentinel's value, and whether it lies far outside that column's other values too. */
export interface SentinelHolder {
  column: string;
  count: number;
  /** Beyond `iqrs` interquartile ranges of the column's other values (a code there too, not a value). */
  far: boolean;
}

/**
 * The numeric columns other than `column` that hold `value`, each judged far from its other values
 * when beyond findSentinels' fences (`iqrs` IQRs) or more than one IQR clear of their whole range
 * (a column where the value is rarer than a sentinel still shows it as a code): a file-wide "no data" code (UCI AirQuality's -200) is
 * far outside every column holding it; a real 0 (garage places) sits inside its column's range.
 * A column whose other values have no spread counts as holding the value legitimately.
 */
export function sentinelHolders(views: ColumnView[], column: string, value: number, iqrs: number): SentinelHolder[] {
  const found: SentinelHolder[] = [];
  for (const view of views) {
    if (view.name === column || view.kind !== 'numeric') continue;
    const rest: number[] = [];
    let count = 0;
    for (let i = 0; i < view.values.length; i++) {
      if (view.valid && !view.valid[i]) continue;
      if (view.values[i] === value) count++;
      else rest.push(view.values[i]);
    }
    if (count === 0) continue;
    rest.sort((a, b) => a - b);
    const at = (q: number) => rest[Math.round(q * (rest.length - 1))];
    const q1 = at(0.25);
    const q3 = at(0.75);
    const iqr = q3 - q1;
    // Beyond the fences, or clear of the other values' whole range by more than one IQR (a -200
    // under readings of 650 … 2040 is no reading, whatever the spread; a 0 beside 1 … 3 garage places is).
    // A zero-inflated amount's 0 (fees not charged) is its commonest real value, never a code.
    const far =
      !zeroInflated(view.name, value, count, rest) &&
      rest.length > 0 &&
      iqr > 0 &&
      (value < q1 - iqrs * iqr || value > q3 + iqrs * iqr || value < rest[0] - iqr || value > rest[rest.length - 1] + iqr);
    found.push({ column: view.name, count, far });
  }
  return found;
}
