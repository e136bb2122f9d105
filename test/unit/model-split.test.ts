import { describe, expect, it } from 'vitest';
import { DataError } from '../../core/errors';
import { mulberry32, seededPermutation, splitRows } from '../../core/model/split';

function union(a: Int32Array, b: Int32Array): number[] {
  return [...a, ...b].sort((x, y) => x - y);
}

describe('splitRows', () => {
  it('is deterministic for the same inputs and changes with the seed', () => {
    const a = splitRows(150, 0.2, 42);
    const b = splitRows(150, 0.2, 42);
    expect(Array.from(a.train)).toEqual(Array.from(b.train));
    expect(Array.from(a.holdout)).toEqual(Array.from(b.holdout));
    const c = splitRows(150, 0.2, 43);
    expect(Array.from(c.holdout)).not.toEqual(Array.from(a.holdout));
  });

  it('gives disjoint, sorted sides that cover every row, with round(n * holdout) held out', () => {
    for (const [n, fraction] of [
      [150, 0.2],
      [10, 0.25],
      [7, 0.5],
      [1000, 0.1],
    ] as const) {
      const { train, holdout } = splitRows(n, fraction, 7);
      expect(holdout.length).toBe(Math.round(n * fraction));
      expect(train.length).toBe(n - holdout.length);
      expect(union(train, holdout)).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(new Set([...train, ...holdout]).size).toBe(n);
      expect(Array.from(train)).toEqual([...train].sort((x, y) => x - y));
      expect(Array.from(holdout)).toEqual([...holdout].sort((x, y) => x - y));
    }
  });

  it('keeps at least one row on each side', () => {
    expect(splitRows(2, 0.01, 1).holdout.length).toBe(1);
    expect(splitRows(2, 0.99, 1).train.length).toBe(1);
    expect(splitRows(3, 0.9, 1).train.length).toBe(1);
  });

  it('rejects fewer than two rows and holdout fractions outside (0, 1)', () => {
    expect(() => splitRows(1, 0.2, 1)).toThrow(DataError);
    expect(() => splitRows(10, 0, 1)).toThrow(DataError);
    expect(() => splitRows(10, 1, 1)).toThrow(DataError);
  });

  it('stratifies: each class is held out in proportion and keeps a training row', () => {
    // 100 of class 0, 40 of class 1, 10 of class 2, 1 of class 3, interleaved.
    const strata = new Int32Array(151);
    for (let i = 0; i < 151; i++) strata[i] = i < 100 ? 0 : i < 140 ? 1 : i < 150 ? 2 : 3;
    const { train, holdout } = splitRows(151, 0.2, 42, strata);
    expect(holdout.length).toBe(Math.round(151 * 0.2));
    const count = (rows: Int32Array, k: number) => Array.from(rows).filter((r) => strata[r] === k).length;
    expect(count(holdout, 0)).toBe(20);
    expect(count(holdout, 1)).toBe(8);
    expect(count(holdout, 2)).toBe(2);
    expect(count(holdout, 3)).toBe(0);
    expect(count(train, 3)).toBe(1);
    const again = splitRows(151, 0.2, 42, strata);
    expect(Array.from(again.holdout)).toEqual(Array.from(holdout));
  });
});

describe('seeded helpers', () => {
  it('mulberry32 repeats its sequence for a seed and stays in [0, 1)', () => {
    const a = mulberry32(123);
    const b = mulberry32(123);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });

  it('seededPermutation is a permutation', () => {
    const p = seededPermutation(50, 9);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(p)).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
