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
  /** Why the figure could not be measured here (a peer not installed): printed instead of numbers. */
  skipped?: string;
}

/** Lets a bench module run alone (`npx tsx bench/x.ts`): prints its results, exits non-zero on error. */
export function runStandalone(run: () => Promise<BenchResult[]>): void {
  run().then(
    (results) => console.table(results),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
