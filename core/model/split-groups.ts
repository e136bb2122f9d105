import * as arrow from 'apache-arrow';
import { looksLikeIdName } from '../data/cardinality';
import { columnViews } from '../data/column-views';
import { recordCopies } from '../data/duplicates';
import { DataError } from '../errors';
import { quote } from '../quote';
import { yamlName } from '../yaml-name';

/** An id-named column needs at least this many values that repeat before the split calls it a group. */
export const MIN_REPEATED_GROUPS = 10;
/** …and at least this share of its rows must sit in a repeated value (one-off repeats are typos). */
export const MIN_REPEATED_ROW_SHARE = 0.5;

/** A column whose values repeat over rows of one entity (`customer_id` on 10 monthly rows). */
export interface RepeatedId {
  column: string;
  /** Distinct non-null values. */
  groups: number;
  /** Values that occur on two rows or more. */
  repeatedGroups: number;
  /** Non-null rows. */
  rows: number;
  /** Median rows per value. */
  medianRows: number;
}

/**
 * Row → the first row of its group, for every row whose `column` value occurred on an earlier row
 * (scikit-learn GroupShuffleSplit's groups).
 * @throws DataError when the column does not exist (naming the columns that do), or holds nulls: a
 * row whose entity is unknown cannot be kept with its entity's other rows (it would be split alone).
 */
export function groupFirstRows(table: arrow.Table, column: string): Map<number, number> {
  const carried = carriedGroups(table, column);
  if (carried) return carried;
  const vector = table.getChild(column);
  if (!vector) {
    const names = table.schema.fields.map((f) => quote(f.name)).join(', ');
    throw new DataError(
      `split.groupBy: column ${quote(column)} is not in the data; the columns are ${names}`,
    );
  }
  const first = new Map<string, number>();
  const firstOf = new Map<number, number>();
  const nulls: number[] = [];
  for (let row = 0; row < table.numRows; row++) {
    const value = vector.get(row) as unknown;
    if (value === null || value === undefined) {
      nulls.push(row);
      continue;
    }
    const key = String(value);
    const seen = first.get(key);
    if (seen === undefined) first.set(key, row);
    else firstOf.set(row, seen);
  }
  if (nulls.length > 0)
    throw new DataError(
      `split.groupBy: column ${quote(column)} is empty on ${nulls.length} of ${table.numRows} rows ` +
        `(data rows ${nulls
          .slice(0, 5)
          .map((r) => r + 1)
          .join(
            ', ',
          )}${nulls.length > 5 ? ', …' : ''}): their entity is unknown, so they cannot stay with its other rows ` +
        `and would leak across the split; fill the ids upstream or remove those rows`,
    );
  return firstOf;
}

/**
 * Schema-metadata key of a features stage's output carrying the `split.groupBy` groups of its input
 * (`{"column": "customer_id", "codes": [0, 0, 1, …]}`, one group number per row, -1 for a null):
 * the stage's output holds numeric features only, and train and validate must split it as the
 * features stage split its input.
 */
export const SPLIT_GROUPS_KEY = 'quiver.split_groups';

/** `output` with `from`'s groups by `column` in its metadata (same rows, in the same order). */
export function withSplitGroups(output: arrow.Table, from: arrow.Table, column: string): arrow.Table {
  const codes = new Array<number>(from.numRows);
  const first = new Map<number, number>();
  for (const [row, lead] of groupFirstRows(from, column)) first.set(row, lead);
  const code = new Map<number, number>();
  const vector = from.getChild(column);
  for (let row = 0; row < from.numRows; row++) {
    const lead = first.get(row) ?? row;
    const value = vector?.get(row) as unknown;
    if (value === null || value === undefined) {
      codes[row] = -1;
      continue;
    }
    let c = code.get(lead);
    if (c === undefined) code.set(lead, (c = code.size));
    codes[row] = c;
  }
  const metadata = new Map([
    ...output.schema.metadata,
    [SPLIT_GROUPS_KEY, JSON.stringify({ column, codes })],
  ]);
  return new arrow.Table(new arrow.Schema(output.schema.fields, metadata), output.batches);
}

/** The groups a features stage carried for `column` (withSplitGroups), or null when none were. */
function carriedGroups(table: arrow.Table, column: string): Map<number, number> | null {
  const text = table.schema.metadata.get(SPLIT_GROUPS_KEY);
  if (text === undefined) return null;
  const carried = JSON.parse(text) as { column: string; codes: number[] };
  if (carried.column !== column || carried.codes.length !== table.numRows) return null;
  const first = new Map<number, number>();
  const firstOf = new Map<number, number>();
  carried.codes.forEach((code, row) => {
    if (code < 0) return;
    const seen = first.get(code);
    if (seen === undefined) first.set(code, row);
    else firstOf.set(row, seen);
  });
  return firstOf;
}

/**
 * Merges two row → first-row maps (exact copies, rows of one group) into one: rows linked by either
 * are one group, led by its smallest row (union-find), so a copy that bridges two ids joins them.
 */
export function mergeGroups(a: Map<number, number>, b: Map<number, number>): Map<number, number> {
  const parent = new Map<number, number>();
  const find = (row: number): number => {
    let root = row;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root)!;
    // Path compression keeps later finds short.
    let cur = row;
    while (cur !== root) {
      const next = parent.get(cur)!;
      parent.set(cur, root);
      cur = next;
    }
    return root;
  };
  const link = (x: number, y: number) => {
    const rx = find(x);
    const ry = find(y);
    if (rx === ry) return;
    if (rx < ry) parent.set(ry, rx);
    else parent.set(rx, ry);
  };
  for (const [row, first] of a) link(row, first);
  for (const [row, first] of b) link(row, first);
  const merged = new Map<number, number>();
  for (const row of parent.keys()) {
    const root = find(row);
    if (root !== row) merged.set(row, root);
  }
  return merged;
}

/**
 * Id-named columns (looksLikeIdName) other than `skip` whose values repeat: at least
 * MIN_REPEATED_GROUPS values on two rows or more, holding at least MIN_REPEATED_ROW_SHARE of the
 * rows, exact copies of an earlier row (`copies`, row → first) aside. Such data (monthly snapshots
 * per customer, visits per patient) split row by row puts one entity's rows on both sides, and the
 * holdout scores entities the model has seen.
 */
export function repeatedIdColumns(
  table: arrow.Table,
  skip: ReadonlySet<string>,
  copies: ReadonlyMap<number, number> = new Map(),
): RepeatedId[] {
  const found: RepeatedId[] = [];
  for (const field of table.schema.fields) {
    if (skip.has(field.name) || !looksLikeIdName(field.name)) continue;
    const vector = table.getChild(field.name)!;
    const counts = new Map<string, number>();
    let rows = 0;
    for (let row = 0; row < table.numRows; row++) {
      // An exact copy of an earlier row repeats its id too: the split already keeps copies together.
      if (copies.has(row)) continue;
      const value = vector.get(row) as unknown;
      if (value === null || value === undefined) continue;
      rows++;
      const key = String(value);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    let repeatedGroups = 0;
    let repeatedRows = 0;
    for (const n of counts.values()) {
      if (n < 2) continue;
      repeatedGroups++;
      repeatedRows += n;
    }
    if (repeatedGroups < MIN_REPEATED_GROUPS || repeatedRows < MIN_REPEATED_ROW_SHARE * rows) continue;
    const sizes = [...counts.values()].sort((x, y) => x - y);
    const medianRows = sizes[Math.floor(sizes.length / 2)];
    found.push({ column: field.name, groups: counts.size, repeatedGroups, rows, medianRows });
  }
  return found;
}

/**
 * Fails a row-wise split of data whose rows repeat per entity (repeatedIdColumns), naming the
 * column, its group count and rows per group, and the ways out: `split.groupBy: <column>` or
 * `split.rowWise: true`. Passes when either is set.
 * @throws DataError on the first such column.
 */
export function assertSplitGrouping(
  table: arrow.Table,
  target: string,
  split: { groupBy?: string; rowWise?: boolean },
): void {
  if (split.groupBy !== undefined || split.rowWise === true) return;
  // Most tables have no id-named column: skip the copy search then.
  if (!table.schema.fields.some((f) => f.name !== target && looksLikeIdName(f.name))) return;
  const copies = recordCopies(columnViews(table), table.numRows, new Set([target])).copyOf;
  const [repeated] = repeatedIdColumns(table, new Set([target]), copies);
  if (!repeated) return;
  const { column, groups, repeatedGroups, rows, medianRows } = repeated;
  throw new DataError(
    `split(${quote(column)}): observed rows that repeat per ${quote(column)} ` +
      `(${groups} values on ${rows} rows, ${repeatedGroups} of them on 2 rows or more, ${medianRows} rows per value at the median), ` +
      `expected one row per entity for a row-wise split: split row by row, the rows of one ${quote(column)} value land on both sides ` +
      `and the holdout scores entities the model has seen (validation overstated); ` +
      `set split.groupBy: ${yamlName(column)} (rows of one value stay on one side), or split.rowWise: true if the rows are independent`,
  );
}
