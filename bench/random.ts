import type * as arrow from 'apache-arrow';

/**
 * A seeded generator of uniform doubles in [0, 1): xoshiro128** 1.1 by David Blackman and Sebastiano
 * Vigna (public domain; https://prng.di.unimi.it/xoshiro128starstar.c), period 2^128 − 1, its state
 * seeded by SplitMix32 as its authors advise. Every bench draws its data from this one helper: the
 * linear congruential formula used before (`seed * 1103515245`) lost precision in doubles and
 * repeated after a few thousand draws.
 */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  // SplitMix32 (https://github.com/skeeto/hash-prospector, the "lowbias32" finaliser) fills the state.
  const splitmix = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next32 = () => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  // 53 random bits per double, as `Math.random` gives: two 32-bit outputs, 26 and 27 bits of them.
  return () => ((next32() >>> 6) * 134217728 + (next32() >>> 5)) / 9007199254740992;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A 53-bit FNV-1a-style hash of a string (two 32-bit lanes): row identity for distinct counts. */
export function hashString(text: string): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 0x01000193);
    h2 = Math.imul(h2 ^ ch, 0x5bd1e995);
  }
  return (h1 >>> 0) * 2097152 + ((h2 >>> 0) & 0x1fffff);
}

/**
 * Distinct rows of an Arrow table, comparing every column's value: numbers by their bits, anything
 * else (strings, dictionary values, nulls) by its text. Two 32-bit hash lanes make a 53-bit row hash.
 */
export function distinctRows(table: arrow.Table): number {
  const rows = table.numRows;
  const lane1 = new Uint32Array(rows).fill(0x811c9dc5);
  const lane2 = new Uint32Array(rows).fill(0x01000193);
  const mix = (row: number, word: number) => {
    lane1[row] = Math.imul(lane1[row] ^ word, 0x01000193);
    lane2[row] = Math.imul(lane2[row] ^ word, 0x5bd1e995);
  };
  for (let c = 0; c < table.numCols; c++) {
    const column = table.getChildAt(c)!;
    const values = column.nullCount === 0 ? column.toArray() : null;
    if (values instanceof Float64Array) {
      const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
      for (let row = 0; row < rows; row++) {
        mix(row, words[2 * row]);
        mix(row, words[2 * row + 1]);
      }
    } else if (ArrayBuffer.isView(values) && !(values instanceof BigInt64Array)) {
      const numbers = values as unknown as ArrayLike<number>;
      for (let row = 0; row < rows; row++) mix(row, numbers[row] | 0);
    } else {
      for (let row = 0; row < rows; row++) mix(row, hashString(String(column.get(row))) >>> 0);
    }
  }
  const seen = new Set<number>();
  for (let row = 0; row < rows; row++) seen.add(lane1[row] * 2097152 + (lane2[row] & 0x1fffff));
  return seen.size;
}

/** `rows (distinct: N)`, and a warning on stderr when rows repeat: what each bench prints of its data. */
export function reportDistinct(name: string, rows: number, distinct: number): string {
  const line = `${name}: ${rows.toLocaleString('en')} rows, ${distinct.toLocaleString('en')} distinct`;
  process.stderr.write(`${line}${distinct < rows ? ' (some rows repeat)' : ''}\n`);
  return line;
}
