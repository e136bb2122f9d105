import type { RunView } from './api';

/**
 * What a waiter's progress shows of a view, as one string: a new one means a redraw. The run's status
 * and pending cancel, and per step its status, attempts, live epoch and retry backoff: a step entering
 * its backoff, or a cancel the server holds, changes what `run --wait` prints as much as a new epoch.
 */
export function progressFingerprint(view: RunView): string {
  return JSON.stringify([
    view.status,
    view.cancelRequested === true,
    view.steps.map((s) => [s.status, s.attempts, s.live?.epoch ?? null, s.retry ?? null]),
  ]);
}

/** Whether a step of `view` waits out a retry's backoff (its countdown moves on with the clock). */
export function retryPending(view: RunView): boolean {
  return view.steps.some((s) => s.status === 'running' && s.retry !== undefined);
}

/**
 * Redraws the last view every `everyMs` while a step of it waits out a retry's backoff, so the
 * terminal's `retrying in Ns` counts down between polls. It draws the view it was last given and asks
 * the server nothing: polls stay the waiter's own.
 */
export class RetryCountdown {
  private timer: NodeJS.Timeout | undefined;
  private view: RunView | undefined;

  constructor(
    private readonly draw: (view: RunView) => void,
    private readonly everyMs = 1000,
  ) {}

  /** A poll's `view`, just drawn (`drawn`) or unchanged since the last draw. */
  polled(view: RunView, drawn: boolean): void {
    this.view = view;
    if (!retryPending(view)) return this.stop();
    // A second after the last draw, then each second: restarted by every draw of a new view.
    if (drawn || !this.timer) {
      this.stop();
      this.timer = setInterval(() => {
        if (this.view) this.draw(this.view);
      }, this.everyMs);
    }
  }

  /** No more redraws (the wait returns). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
