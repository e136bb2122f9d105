import os from 'node:os';

/** The most a wait is stretched: beyond it a test is stuck, not slow. */
const MAX_SLOWDOWN = 4;

/**
 * How many times slower than idle this machine runs right now: runnable processes per core (the
 * 1-minute load average over the core count), between 1 and {@link MAX_SLOWDOWN}. A process sharing
 * two cores with a CPU-bound neighbour gets about half of them, and its waits should stretch as much.
 */
export function slowdown(): number {
  const perCore = os.loadavg()[0] / os.availableParallelism();
  return Math.min(MAX_SLOWDOWN, Math.max(1, perCore));
}

/**
 * `ms` (what a wait needs on an idle machine, with margin) stretched by the current {@link slowdown}:
 * the deadline of an event wait, so that a busy machine is not mistaken for a hung run.
 */
export function patient(ms: number): number {
  return Math.round(ms * slowdown());
}
