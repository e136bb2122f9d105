/** Runs one model call for many rows: `features` row-major, returns `rows × outputs` values. */
export type BatchPredict = (features: Float32Array, rows: number) => Float32Array;

interface Pending {
  features: Float32Array;
  rows: number;
  resolve: (probabilities: Float32Array) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers the prediction requests that arrive in the same turn of the event loop and answers them
 * with one model call: under concurrent load the per-call overhead is paid once per batch, not per
 * request (how serving reaches thousands of single-row requests a second).
 */
export class PredictionBatcher {
  private queue: Pending[] = [];
  private scheduled = false;
  /** Sizes (in rows) of the batches run so far, for metrics; read and reset by the owner. */
  onBatch: (rows: number, requests: number) => void = () => undefined;

  constructor(
    private readonly predict: BatchPredict,
    private readonly width: number,
    /** Values per row the model gives (`outputWidth`: classes, or 1 for regression). */
    private readonly outputs: number,
    private readonly maxRows = 2048,
  ) {}

  /** Model outputs for `rows` rows of `features`, computed together with whatever else is queued. */
  run(features: Float32Array, rows: number): Promise<Float32Array> {
    return new Promise((resolve, reject) => {
      this.queue.push({ features, rows, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch: Pending[] = [];
      let rows = 0;
      while (this.queue.length > 0 && (batch.length === 0 || rows + this.queue[0].rows <= this.maxRows)) {
        const next = this.queue.shift()!;
        batch.push(next);
        rows += next.rows;
      }
      this.runBatch(batch, rows);
    }
  }

  private runBatch(batch: Pending[], rows: number): void {
    let output: Float32Array;
    try {
      const input = batch.length === 1 ? batch[0].features : new Float32Array(rows * this.width);
      if (batch.length > 1) {
        let offset = 0;
        for (const pending of batch) {
          input.set(pending.features, offset);
          offset += pending.features.length;
        }
      }
      output = this.predict(input, rows);
      this.onBatch(rows, batch.length);
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    let row = 0;
    for (const pending of batch) {
      pending.resolve(output.slice(row * this.outputs, (row + pending.rows) * this.outputs));
      row += pending.rows;
    }
  }
}
