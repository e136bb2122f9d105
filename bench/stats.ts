/** The `q`-quantile (0–1) of `values`, interpolated between the two nearest ranks (NIST method R7). */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (at - low);
}

/** The median of `values`: the middle one, or the mean of the two middle ones. */
export function median(values: number[]): number {
  return quantile(values, 0.5);
}
