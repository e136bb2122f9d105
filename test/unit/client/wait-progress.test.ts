import { afterEach, describe, expect, it, vi } from 'vitest';
import { QuiverClient, type RunView } from '../../../client/api';
import { plainProgress } from '../../../client/progress';
import { STEP_NAMES, type RunStatus } from '../../../core/run-types';
import { emptyStep } from '../../../workflows/training-pipeline';

/** A view of an open run whose ingest runs, with `extra` applied to ingest and the run. */
function view(
  ingest: Partial<RunView['steps'][number]> = {},
  run: Partial<RunView> = {},
  status: RunStatus = 'RUNNING',
): RunView {
  const steps = STEP_NAMES.map(emptyStep);
  Object.assign(steps[0], { status: 'running', attempts: 0 }, ingest);
  return {
    runId: 'quiver-iris-1',
    pipeline: 'iris',
    status,
    resumedFrom: null,
    spec: {} as RunView['spec'],
    steps,
    model: null,
    error: null,
    uiUrl: 'http://ui',
    startedAt: null,
    closedAt: null,
    ...run,
  };
}
const retry = {
  attempt: 2,
  maximumAttempts: 3,
  at: new Date(Date.now() + 30_000).toISOString(),
  lastFailure: 'boom',
};

/**
 * A client whose `status` answers `views` in turn (the last one again), whose run closes when the
 * views run out, and which never finds the run paused: `wait` as the CLI drives it, with no server.
 */
function clientAnswering(views: RunView[]): { client: QuiverClient; polls: () => number } {
  let polls = 0;
  let close: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (close = resolve));
  const client = Object.create(QuiverClient.prototype) as QuiverClient;
  Object.assign(client, {
    client: { workflow: { getHandle: () => ({ result: () => closed }) } },
    connection: { withAbortSignal: (_signal: AbortSignal, fn: () => Promise<unknown>) => fn() },
    untilPaused: () => new Promise(() => undefined),
    status: async () => {
      const answer = views[Math.min(polls++, views.length - 1)];
      if (polls >= views.length) close();
      return answer;
    },
  });
  return { client, polls: () => polls };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('run --wait: what a waiter redraws', () => {
  it('a step entering its retry backoff and a cancel the server holds are shown, not skipped', async () => {
    const done = view({ status: 'completed', attempts: 2 }, {}, 'COMPLETED');
    const { client } = clientAnswering([
      view(),
      view({ retry }),
      view({ retry }, { cancelRequested: true }),
      done,
    ]);
    const shown: RunView[] = [];
    await client.wait('quiver-iris-1', (v) => shown.push(v), 1);
    expect(shown.some((v) => v.steps[0].retry?.attempt === 2)).toBe(true);
    expect(shown.some((v) => v.cancelRequested === true)).toBe(true);
  });

  it('piped, the retry gets its line', async () => {
    const lines: string[] = [];
    const progress = plainProgress('quiver-iris-1', (line) => lines.push(line));
    const { client } = clientAnswering([
      view(),
      view({ retry }),
      view({ status: 'completed', attempts: 2 }, {}, 'COMPLETED'),
    ]);
    await client.wait('quiver-iris-1', progress.update, 1);
    expect(lines.some((line) => /↻ ingest\s+retrying in \d+s \(attempt 2 of 3\)/.test(line))).toBe(true);
  });

  it('on a terminal, a pending retry is redrawn each second between polls, with no extra status call', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const { client, polls } = clientAnswering([
      view({ retry }),
      view({ retry }),
      view({ status: 'completed', attempts: 2 }, {}, 'COMPLETED'),
    ]);
    let draws = 0;
    const waiting = client.wait('quiver-iris-1', () => draws++, 5_000);
    await vi.advanceTimersByTimeAsync(4_500);
    // One draw at the first poll, then one each second; one poll only so far.
    expect(polls()).toBe(1);
    expect(draws).toBeGreaterThanOrEqual(5);
    await vi.advanceTimersByTimeAsync(20_000);
    await waiting;
    const after = draws;
    await vi.advanceTimersByTimeAsync(5_000);
    // Nothing redraws once the wait has returned.
    expect(draws).toBe(after);
  });
});
