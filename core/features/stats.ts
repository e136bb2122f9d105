/** Statistics the built-in transforms fit, over the non-missing (non-NaN) values at given rows. */

/** The values at `rows` that are not NaN. */
export function presentAt(values: Float64Array, rows: Int32Array): Float64Array {
  const out: number[] = [];
  for (const row of rows) if (!Number.isNaN(values[row])) out.push(values[row]);
  return Float64Array.from(out);
}

export function mean(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length ? sum / values.length : NaN;
}

/** Population standard deviation (ddof 0), as scikit-learn's StandardScaler uses. */
export function std(values: Float64Array): number {
  const m = mean(values);
  let squares = 0;
  for (const v of values) squares += (v - m) * (v - m);
  return values.length ? Math.sqrt(squares / values.length) : NaN;
}

/** The q-th quantile (0..1) with linear interpolation between order statistics (numpy's default). */
export function quantile(values: Float64Array, q: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

/**
 * One-way ANOVA F-value of one feature against class ids, as scikit-learn's `f_classif` (`f_oneway`):
 * F = (SS_between / (k − 1)) / (SS_within / (n − k)). NaN when undefined (one class, constant feature).
 */
export function fClassif(x: Float64Array, classes: Int32Array): number {
  const n = x.length;
  const sums = new Map<number, { sum: number; count: number }>();
  let total = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    total += x[i];
    squares += x[i] * x[i];
    const group = sums.get(classes[i]) ?? { sum: 0, count: 0 };
    group.sum += x[i];
    group.count++;
    sums.set(classes[i], group);
  }
  const k = sums.size;
  const correction = (total * total) / n;
  const ssTotal = squares - correction;
  let ssBetween = -correction;
  for (const { sum, count } of sums.values()) ssBetween += (sum * sum) / count;
  const ssWithin = ssTotal - ssBetween;
  return ssBetween / (k - 1) / (ssWithin / (n - k));
}

/**
 * Univariate linear-regression F-value, as scikit-learn's `f_regression` (center=True):
 * r = corr(x, y), F = r² / (1 − r²) · (n − 2).
 */
export function fRegression(x: Float64Array, y: Float64Array): number {
  const n = x.length;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  const r = sxy / Math.sqrt(sxx * syy);
  return ((r * r) / (1 - r * r)) * (n - 2);
}
