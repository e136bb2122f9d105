import { describe, expect, it } from 'vitest';
import { untilClosedOr } from '../../../client/until-closed';

const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('untilClosedOr', () => {
  it('returns when the run closes and leaves no timer to keep the process alive', async () => {
    const before = timers();
    await untilClosedOr(Promise.resolve(), 60_000);
    expect(timers()).toBe(before);
  });

  it('returns after its interval while the run is open, and leaves no timer either', async () => {
    const before = timers();
    await untilClosedOr(new Promise(() => undefined), 5);
    expect(timers()).toBe(before);
  });
});
