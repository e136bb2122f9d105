import { describe, expect, it } from 'vitest';
import { limitTrainings } from '../../../worker/training-slots';

/** A training that ends when told to, recording how many ran at once. */
function gatedTrainings() {
  let running = 0;
  let peak = 0;
  const gates: Array<() => void> = [];
  const train = async (n: number) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise<void>((resolve) => gates.push(resolve));
    running--;
    return n * 10;
  };
  return { train, peak: () => peak, openNext: () => gates.shift()?.() };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('limitTrainings', () => {
  it('runs at most `limit` trainings at once, the rest in arrival order, each with its own result', async () => {
    const gated = gatedTrainings();
    const limited = limitTrainings(gated.train, 1);
    const results = [1, 2, 3].map((n) => limited(n));
    await settle();
    expect(gated.peak()).toBe(1);
    for (let i = 0; i < 3; i++) {
      gated.openNext();
      await settle();
    }
    expect(await Promise.all(results)).toEqual([10, 20, 30]);
    expect(gated.peak()).toBe(1);
  });

  it('frees the slot when a training fails', async () => {
    const limited = limitTrainings(async (n: number) => {
      if (n === 1) throw new Error('diverged');
      return n;
    }, 1);
    const [first, second] = [limited(1), limited(2)];
    await expect(first).rejects.toThrow('diverged');
    expect(await second).toBe(2);
  });

  it('lets `limit` run together', async () => {
    const gated = gatedTrainings();
    const limited = limitTrainings(gated.train, 2);
    const results = [1, 2, 3].map((n) => limited(n));
    await settle();
    expect(gated.peak()).toBe(2);
    for (let i = 0; i < 3; i++) {
      gated.openNext();
      await settle();
    }
    expect(await Promise.all(results)).toEqual([10, 20, 30]);
  });
});
