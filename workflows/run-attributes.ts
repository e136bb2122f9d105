import { sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { Duration, SearchAttributeUpdatePair } from '@temporalio/common';
import { SEARCH_ATTRIBUTES } from '../core/search-attributes';
import type { StepName } from '../core/run-types';

/**
 * How a run keeps `QuiverStep` current, fixed by the patches it was started under (its replay must
 * send the same upserts):
 * - `none`: runs from before QuiverStep followed the run; every other attribute is sent at once.
 * - `each`: one upsert as each step starts (runs started under quiver-lean-run or quiver-light-run).
 * - `debounced`: one timer of {@link STEP_SHOW_DELAY} starts at the first step not yet shown, and the
 *   step running when it fires is sent: at most that late, and short steps cost no write of their own
 *   (runs started under quiver-brisk-run).
 * - `atStatus`: the step rides with the next status change (`execution: local`, whose steps share one
 *   workflow task, so per-step upserts would all land with its end).
 */
export type StepDisplay = 'none' | 'each' | 'debounced' | 'atStatus';

/**
 * How late `QuiverStep` may be. Every upsert is a visibility write on the server (about 4 ms of its
 * CPU on `quiver up`'s SQLite store, bench/orchestration.ts), and nobody acts on a step that ends
 * within two seconds: a run of short steps writes its step once, at its end.
 */
export const STEP_SHOW_DELAY: Duration = '2s';

/**
 * A run's search attributes as the workflow keeps them: updates wait in a queue and leave together
 * in one upsert (one visibility write) at a step start, a status change or the debounce timer.
 */
export class RunAttributes {
  private readonly pending: SearchAttributeUpdatePair[] = [];
  /** The step last sent or queued; the starter set `ingest`. */
  private shownStep: StepName = 'ingest';
  private timerRunning = false;

  constructor(private readonly display: StepDisplay) {}

  /** Sends every queued update together with `pairs`, as one upsert (none when there is nothing to send). */
  show(pairs: SearchAttributeUpdatePair[] = []): void {
    const all = [...this.pending.splice(0), ...pairs];
    if (all.length) upsertSearchAttributes(all);
  }

  /** Queues `pair` for the next upsert; runs from before the queue existed send it at once. */
  defer(pair: SearchAttributeUpdatePair): void {
    if (this.display === 'none') upsertSearchAttributes([pair]);
    else this.pending.push(pair);
  }

  /** Step `name` starts: shown now, at the next status change or after the debounce, per the display. */
  step(name: StepName): void {
    if (this.display === 'none') return;
    if (name === this.shownStep) return this.display === 'each' ? this.show() : undefined;
    this.shownStep = name;
    const pair = { key: SEARCH_ATTRIBUTES.step, value: name };
    if (this.display === 'each') return this.show([pair]);
    // Only the latest step is worth a write.
    const at = this.pending.findIndex((p) => p.key === SEARCH_ATTRIBUTES.step);
    if (at >= 0) this.pending.splice(at, 1);
    this.pending.push(pair);
    if (this.display === 'debounced' && !this.timerRunning) this.showStepLater();
  }

  /** One timer for every step queued meanwhile: when it fires, the step running then is sent (if still queued). */
  private showStepLater(): void {
    this.timerRunning = true;
    void sleep(STEP_SHOW_DELAY).then(
      () => {
        this.timerRunning = false;
        if (this.pending.some((p) => p.key === SEARCH_ATTRIBUTES.step)) this.show();
      },
      // Cancelled with the run: its closing upsert sends the step.
      () => {
        this.timerRunning = false;
      },
    );
  }
}
