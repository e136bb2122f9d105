import * as arrow from 'apache-arrow';
import { DataError } from '../errors';

/** Train and holdout row indices, each sorted ascending. */
export interface RowSplit {
  train: Int32Array;
  holdout: Int32Array;
}

/**
 * mulberry32: a tiny seeded PRNG returning floats in [0, 1). Deterministic across platforms, which
 * is all the split and the epoch shuffles need.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes a seed with a stream number (an epoch, a stratum) so each stream gets its own sequence. */
export function deriveSeed(seed: number, stream: number): number {
  let h = (seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Fisher–Yates shuffle of `values` in place with the given generator. */
export function shuffleInPlace(values: Int32Array, random: () => number): Int32Array {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = values[i];
    values[i] = values[j];
    values[j] = tmp;
  }
  return values;
}

/** A permutation of `0..n-1` drawn from `seed`. */
export function seededPermutation(n: number, seed: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return shuffleInPlace(order, mulberry32(seed));
}

/**
 * Splits `rowCount` rows into train and holdout sets, deterministically for a given seed.
 *
 * The holdout holds `round(rowCount * holdout)` rows, clamped so that both sides keep at least one.
 * With `strata` (one class id per row, e.g. encoded labels), each stratum is split in proportion
 * (largest remainders, so the total stays exact) and keeps at least one training row, so every
 * holdout class was seen in training.
 */
export function splitRows(rowCount: number, holdout: number, seed: number, strata?: Int32Array): RowSplit {
  if (!Number.isInteger(rowCount) || rowCount < 2) {
    throw new DataError(`cannot split ${rowCount} rows: need at least 2 (one to train on, one to hold out)`);
  }
  if (!(holdout > 0 && holdout < 1)) {
    throw new DataError(`holdout fraction must be between 0 and 1 (exclusive), got ${holdout}`);
  }
  const holdoutCount = Math.min(rowCount - 1, Math.max(1, Math.round(rowCount * holdout)));
  const isHoldout = new Uint8Array(rowCount);

  if (strata === undefined) {
    const order = seededPermutation(rowCount, seed);
    for (let i = 0; i < holdoutCount; i++) isHoldout[order[i]] = 1;
  } else {
    if (strata.length !== rowCount) {
      throw new DataError(`strata has ${strata.length} entries for ${rowCount} rows`);
    }
    splitStratified(strata, holdoutCount, seed, isHoldout);
  }

  const train = new Int32Array(rowCount - holdoutCount);
  const held = new Int32Array(holdoutCount);
  let t = 0;
  let h = 0;
  for (let i = 0; i < rowCount; i++) {
    if (isHoldout[i]) held[h++] = i;
    else train[t++] = i;
  }
  return { train, holdout: held };
}

function splitStratified(
  strata: Int32Array,
  holdoutCount: number,
  seed: number,
  isHoldout: Uint8Array,
): void {
  const groups = new Map<number, number[]>();
  strata.forEach((stratum, row) => {
    const rows = groups.get(stratum);
    if (rows) rows.push(row);
    else groups.set(stratum, [row]);
  });
  // Stable order of strata so the allocation does not depend on row order.
  const keys = [...groups.keys()].sort((a, b) => a - b);
  const fraction = holdoutCount / strata.length;
  const quota = keys.map((key) => {
    const size = groups.get(key)!.length;
    const exact = size * fraction;
    return { key, size, take: Math.min(Math.floor(exact), size - 1), remainder: exact - Math.floor(exact) };
  });
  let missing = holdoutCount - quota.reduce((sum, q) => sum + q.take, 0);
  // Hand out what flooring left over: largest remainder first, ties by stratum id.
  const byRemainder = [...quota].sort((a, b) => b.remainder - a.remainder || a.key - b.key);
  while (missing > 0) {
    let gave = false;
    for (const q of byRemainder) {
      if (missing === 0) break;
      if (q.take < q.size - 1) {
        q.take++;
        missing--;
        gave = true;
      }
    }
    // Every stratum is down to one training row (all singletons): take from the largest ones anyway.
    if (!gave) {
      for (const q of byRemainder) {
        if (missing === 0) break;
        if (q.take < q.size) {
          q.take++;
          missing--;
        }
      }
    }
  }
  for (const q of quota) {
    const rows = Int32Array.from(groups.get(q.key)!);
    shuffleInPlace(rows, mulberry32(deriveSeed(seed, q.key)));
    for (let i = 0; i < q.take; i++) isHoldout[rows[i]] = 1;
  }
}

/** The split as a checkpoint: `row` (Int32, ascending within each set) and `set` (`train` | `holdout`). */
export function splitToArrow(train: Int32Array, holdout: Int32Array): arrow.Table {
  const rows = new Int32Array(train.length + holdout.length);
  rows.set(train);
  rows.set(holdout, train.length);
  const sets = [...Array.from(train, () => 'train'), ...Array.from(holdout, () => 'holdout')];
  return new arrow.Table({
    row: arrow.vectorFromArray(rows),
    set: arrow.vectorFromArray(sets, new arrow.Utf8()),
  });
}
