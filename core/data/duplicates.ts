import { idLikeColumns } from './cardinality';
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
  // Slot k holds [row, hash] at 2k, 2k+1: one cache line answers most probes.
  const slots = new Int32Array(capacity * 2).fill(-1);
  const mask = capacity - 1;
  const duplicates = new Map<number, number>();
  for (let row = 0; row < rows; row++) {
    const hash = hashes[row];
    let slot = hash & mask;
    for (;;) {
      const other = slots[2 * slot];
      if (other === -1) {
        slots[2 * slot] = row;
        slots[2 * slot + 1] = hash;
        break;
      }
      if (slots[2 * slot + 1] === hash && rowsEqual(views, other, row)) {
        duplicates.set(row, other);
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  return duplicates;
}

/** Rows that repeat an earlier record, and the id-like columns left out of the comparison. */
export interface RecordCopies {
  copyOf: Map<number, number>;
  /** Id-like columns (idLikeColumns) the rows were compared without: `record_id`. */
  idColumns: string[];
}

/**
 * Rows that repeat an earlier record: every column equal except id-like ones (idLikeColumns), so
 * a record inserted twice under two auto-increment keys is still a copy. Columns in `skip` (the
 * target) are never taken for ids. With no other column left, rows are compared whole.
 */
export function recordCopies(views: ColumnView[], rows: number, skip: ReadonlySet<string>): RecordCopies {
  const ids = idLikeColumns(views, skip);
  const content = views.filter((v) => !ids.has(v.name));
  if (ids.size === 0 || content.length === 0) return { copyOf: duplicateRows(views, rows), idColumns: [] };
  return { copyOf: duplicateRows(content, rows), idColumns: [...ids] };
}

function rowHashes(views: ColumnView[], rows: number): Int32Array {
  const hashes = new Int32Array(rows);
  for (const view of views) {
    if (view.kind === 'numeric') {
      const { values, valid } = view;
      // The doubles' own bits, two 32-bit words per value (Arrow buffers are 8-byte aligned).
      const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
      for (let i = 0; i < rows; i++) {
        const lo = words[2 * i];
        let hi = words[2 * i + 1];
        if (lo === 0 && hi === -0x80000000) hi = 0; // -0 hashes as 0, as they compare equal
        const present = valid === null || valid[i] === 1;
        const h = present ? Math.imul(lo, 0x85ebca6b) ^ Math.imul(hi, 0xc2b2ae35) : NULL_HASH;
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

/** Value combinations up to which expectedDuplicates sums over every one; beyond, it uses pairs. */
const COMBINATIONS_SUMMED = 200_000;

/**
 * How many of `rows` rows would repeat an earlier row by chance if the columns were independent,
 * each drawn from its own observed value shares (a null is one more value): `rows − E[distinct]`,
 * with E[distinct] = Σ over value combinations of 1 − (1 − q)^rows, q the product of the shares
 * (the occupancy formula). With more than COMBINATIONS_SUMMED combinations it is approximated by
 * the expected number of equal pairs, C(rows, 2) · Π Σ p² (a slight over-estimate, tight when small).
 * Five 5-point Likert answers in 300 rows expect ~45% repeats; eleven wine measurements expect ~0.
 */
export function expectedDuplicates(views: ColumnView[], rows: number): number {
  if (rows < 2 || views.length === 0) return 0;
  const shares = views.map((view) => valueShares(view, rows));
  let combinations = 1;
  for (const s of shares) combinations *= s.length;
  if (combinations <= COMBINATIONS_SUMMED) {
    let distinct = 0;
    const visit = (column: number, q: number) => {
      if (column === shares.length) {
        distinct += 1 - Math.pow(1 - q, rows);
        return;
      }
      for (const p of shares[column]) visit(column + 1, q * p);
    };
    visit(0, 1);
    return Math.max(0, rows - distinct);
  }
  let collision = 1;
  for (const s of shares) collision *= s.reduce((sum, p) => sum + p * p, 0);
  return Math.min(rows - 1, ((rows * (rows - 1)) / 2) * collision);
}

/** Row `i`'s value in `view` as a map key: the number, the text's code, or `'null'`. */
function valueKey(view: ColumnView, i: number): number | string {
  if (view.kind !== 'numeric') return view.codes[i];
  return view.valid === null || view.valid[i] === 1 ? view.values[i] : 'null';
}

/** Each distinct value's share of the rows (nulls as one value). */
function valueShares(view: ColumnView, rows: number): number[] {
  const counts = new Map<number | string, number>();
  for (let i = 0; i < rows; i++) {
    const key = valueKey(view, i);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.values()].map((c) => c / rows);
}

/** Consecutive rows that must each repeat the row a fixed distance earlier to count as a copied block. */
export const COPIED_BLOCK_MIN_ROWS = 4;

/**
 * Of the rows that repeat an earlier record (`copyOf`, id-like columns aside), those that carry the
 * mark of an export or append done twice rather than of two genuine records that happen to agree
 * (two customers buying one cable on the web; two respondents ticking "Agree" five times):
 * - the id columns repeat too (the same record written twice, keys and all);
 * - the row sits in a copied block: COPIED_BLOCK_MIN_ROWS or more consecutive rows each equal to
 *   the row the same distance earlier, no more rows than that distance (a file appended to itself,
 *   even under regenerated keys; a longer run is a pattern that repeats, such as rows cycling
 *   through three channels).
 * Genuine repeats are scattered and, under a unique id, carry distinct ids; a copy is neither.
 */
export function exportCopies(
  views: ColumnView[],
  rows: number,
  copyOf: ReadonlyMap<number, number>,
  idColumns: readonly string[],
): number {
  const ids = new Set(idColumns);
  const content = views.filter((v) => !ids.has(v.name));
  const marked = new Set<number>();
  if (ids.size > 0) for (const row of duplicateRows(views, rows).keys()) marked.add(row);
  let offset = 0;
  let start = -1;
  // Rows in the run that differ from the row before: a run of one repeated row (a file sorted with
  // many equal records) copies itself at every distance and is no block.
  let changes = 0;
  const close = (end: number) => {
    // A run longer than its distance copies itself: a repeating pattern (card, transfer, atm, …), not a copy.
    const length = end - start;
    if (start >= 0 && length >= COPIED_BLOCK_MIN_ROWS && length <= offset && changes >= COPIED_BLOCK_MIN_ROWS - 1)
      for (let r = start; r < end; r++) marked.add(r);
    start = -1;
  };
  for (let row = 0; row < rows; row++) {
    if (start >= 0 && rowsEqual(content, row - offset, row)) {
      if (!rowsEqual(content, row - 1, row)) changes++;
      continue;
    }
    close(row);
    const first = copyOf.get(row);
    if (first === undefined) continue;
    // A block's first row copies the first row of the original block: its own first occurrence.
    offset = row - first;
    start = row;
    changes = 0;
  }
  close(rows);
  return marked.size;
}

/** A determinant must average at least this many rows per value (combination) to be believed. */
const DETERMINANT_ROWS_PER_KEY = 10;
/** Work (rows × columns³) above which determinants are single columns only, and then none. */
const DETERMINANT_WORK = 50_000_000;

/**
 * The columns left once those determined by others are taken out: a unit price fixed by its
 * product, a line total fixed by product and quantity, a text's length by the text. Such a column
 * adds no combinations of its own, yet expectedDuplicates, taking columns as independent, would
 * multiply its values in and expect almost no repeats of genuine records (BREAKER10 #1). A
 * determinant is one column, or a pair, with few enough values (DETERMINANT_ROWS_PER_KEY rows per
 * value on average) that the rule is seen many times, not met once by chance: a measurement whose
 * every value is distinct determines everything and is no determinant.
 */
export function independentColumns(views: ColumnView[], rows: number): ColumnView[] {
  const n = views.length;
  const pairs = rows * n * n * n <= DETERMINANT_WORK;
  if (!pairs && rows * n * n > DETERMINANT_WORK) return views;
  const codes = views.map((view) => columnCodes(view, rows));
  const kept = views.map(() => true);
  const maxKeys = rows / DETERMINANT_ROWS_PER_KEY;
  const determines = (key: (row: number) => number, target: Int32Array): boolean => {
    const seen = new Map<number, number>();
    for (let row = 0; row < rows; row++) {
      const k = key(row);
      const value = seen.get(k);
      if (value === undefined) {
        if (seen.size >= maxKeys) return false;
        seen.set(k, target[row]);
      } else if (value !== target[row]) return false;
    }
    return true;
  };
  for (let c = 0; c < n; c++) {
    const target = codes[c].codes;
    if (codes[c].distinct <= 1) continue;
    let determined = false;
    for (let a = 0; a < n && !determined; a++) {
      if (a === c || !kept[a] || codes[a].distinct > maxKeys) continue;
      const ca = codes[a].codes;
      determined = determines((row) => ca[row], target);
      for (let b = a + 1; b < n && pairs && !determined; b++) {
        if (b === c || !kept[b] || codes[b].distinct > maxKeys) continue;
        const cb = codes[b].codes;
        const width = codes[b].distinct;
        determined = determines((row) => ca[row] * width + cb[row], target);
      }
    }
    if (determined) kept[c] = false;
  }
  return views.filter((_, i) => kept[i]);
}

/**
 * Whether a numeric column is a fine-grained measurement (a reading, an amount to the cent): at least
 * `share` of the rows hold distinct values, so two genuine records almost never agree on it.
 */
export function isMeasurement(view: ColumnView, rows: number, share = 0.3): boolean {
  return view.kind === 'numeric' && rows > 0 && columnCodes(view, rows).distinct >= share * rows;
}

/** Dense integer codes of a column's values (nulls one more value), and how many there are. */
function columnCodes(view: ColumnView, rows: number): { codes: Int32Array; distinct: number } {
  const codes = new Int32Array(rows);
  const index = new Map<number | string, number>();
  for (let i = 0; i < rows; i++) {
    const key = valueKey(view, i);
    let code = index.get(key);
    if (code === undefined) index.set(key, (code = index.size));
    codes[i] = code;
  }
  return { codes, distinct: index.size };
}
