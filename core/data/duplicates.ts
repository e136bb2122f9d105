import type { ColumnView } from './column-views';

const NULL_HASH = 0x9e3779b9;

/**
 * Rows that exactly repeat an earlier row (every column equal, nulls equal to nulls), mapped to the
 * first row they copy. One hash per row, then an open-addressing table of row indices: no strings,
 * no Map per row, so 1M rows take tens of milliseconds.
 */
export function duplicateRows(views: ColumnView[], rows: number): Map<number, number> {
  const hashes = rowHashes(views, rows);
  let capacity = 16;
  while (capacity < rows * 2) capacity *= 2;
  const slots = new Int32Array(capacity).fill(-1);
  const mask = capacity - 1;
  const duplicates = new Map<number, number>();
  for (let row = 0; row < rows; row++) {
    const hash = hashes[row];
    let slot = hash & mask;
    for (;;) {
      const other = slots[slot];
      if (other === -1) {
        slots[slot] = row;
        break;
      }
      if (hashes[other] === hash && rowsEqual(views, other, row)) {
        duplicates.set(row, other);
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  return duplicates;
}

function rowHashes(views: ColumnView[], rows: number): Int32Array {
  const hashes = new Int32Array(rows);
  const scratch = new Float64Array(1);
  const bits = new Int32Array(scratch.buffer);
  for (const view of views) {
    if (view.kind === 'numeric') {
      const { values, valid } = view;
      for (let i = 0; i < rows; i++) {
        let h = NULL_HASH;
        if (valid === null || valid[i] === 1) {
          scratch[0] = values[i] + 0; // -0 and 0 hash alike, as they compare equal
          h = Math.imul(bits[0], 0x85ebca6b) ^ Math.imul(bits[1], 0xc2b2ae35);
        }
        hashes[i] = mix(hashes[i], h);
      }
    } else {
      const codes = view.codes;
      for (let i = 0; i < rows; i++) hashes[i] = mix(hashes[i], Math.imul(codes[i] + 1, 0xcc9e2d51));
    }
  }
  for (let i = 0; i < rows; i++) hashes[i] = finish(hashes[i]);
  return hashes;
}

function rowsEqual(views: ColumnView[], a: number, b: number): boolean {
  for (const view of views) {
    if (view.kind === 'numeric') {
      const va = view.valid === null || view.valid[a] === 1;
      const vb = view.valid === null || view.valid[b] === 1;
      if (va !== vb || (va && view.values[a] !== view.values[b])) return false;
    } else if (view.codes[a] !== view.codes[b]) return false;
  }
  return true;
}

/** One MurmurHash3 round: folds `value` into `hash`. */
function mix(hash: number, value: number): number {
  let k = Math.imul(value, 0x1b873593);
  k = (k << 15) | (k >>> 17);
  const h = hash ^ k;
  return (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's finaliser: spreads the bits so the low ones index the table well. */
function finish(hash: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
