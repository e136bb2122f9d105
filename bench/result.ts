/** One benchmark measurement, next to the baseline it was measured against in the same run. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline: number;
  /** value / baseline (or the ratio of throughputs the target is stated in). */
  ratio: number;
  /** The target in words, e.g. `ratio ≥ 0.8` or `≥ 100 MB/s`. */
  target: string;
  pass: boolean;
  note?: string;
}
