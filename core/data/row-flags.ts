import * as arrow from 'apache-arrow';
import { isTimestampColumn } from './timestamp-columns';
import { categoryEditNote } from './category-edit';
import type { RowFlagCheck, RowFlagsSpec } from '../spec/data-checks-schema';
import { locatorFrom, type RowLocator } from '../sources/row-lines';
import { cellText, isPresent, type ColumnView } from './column-views';
import type { SchemaColumn } from './data-schema';
import { recordCopies } from './duplicates';
import { ownValue } from '../own-keys';
import { quote } from '../quote';
import { pinnedSpelling } from './respelt-categories';

/** The row-level checks, in report order, and the bit each sets in a row's flag mask. */
export const ROW_FLAG_CHECKS: readonly RowFlagCheck[] = [
  'missingLabel',
  'nullForbidden',
  'outOfRange',
  'unseenCategory',
  'duplicate',
];
const BIT: Record<RowFlagCheck, number> = {
  missingLabel: 1,
  nullForbidden: 2,
  outOfRange: 4,
  unseenCategory: 8,
  duplicate: 16,
};

/** Which rows each check flagged: one bit mask per row, and for duplicates the row each one repeats. */
export interface RowFlags {
  rows: number;
  mask: Uint8Array;
  counts: Record<RowFlagCheck, number>;
  /** Duplicate row → the first row it copies. */
  duplicateOf: Map<number, number>;
  /** Id-like columns the duplicate check compared rows without (`record_id`). */
  idColumns?: string[];
}

/** What the policy of one check decided. */
export interface FlagDecision {
  check: RowFlagCheck;
  policy: 'fail' | 'drop' | 'keep';
  flagged: number;
  fraction: number;
  maxFraction: number;
  /** False when the check fails the run: a flagged row under `fail`, or too many under `drop`. */
  passed: boolean;
}

/** The outcome of every policy: decisions, and the rows training keeps (null when none is dropped). */
export interface FlagOutcome {
  decisions: FlagDecision[];
  keep: Uint8Array | null;
  dropped: number;
}

/**
 * Flags suspicious rows against the schema: a null label, a null where the schema forbids it, a number
 * out of range, a category the schema has not seen, an exact copy of an earlier row. Columns whose
 * type differs from the schema are left to the column-level type check.
 */
export function flagRows(views: ColumnView[], columns: Record<string, SchemaColumn>, label: string): RowFlags {
  const rows = views[0]?.kind === 'numeric' ? views[0].values.length : (views[0]?.codes.length ?? 0);
  const mask = new Uint8Array(rows);
  for (const view of views) {
    const column = ownValue(columns, view.name);
    if (view.name === label) {
      markNulls(view, mask, BIT.missingLabel);
      if (view.kind === 'numeric') markNaN(view.values, mask, BIT.missingLabel);
    } else if (column && !column.ignore && column.type === view.type && !column.nullable) {
      markNulls(view, mask, BIT.nullForbidden);
    }
    if (!column || column.ignore || column.type !== view.type) continue;
    // Timestamps move forward with every new file: drift judges them, not the pinned range (#33).
    if (view.kind === 'numeric') {
      if (!isTimestampColumn(column)) markOutOfRange(view.values, view.valid, column, mask);
    } else if (Array.isArray(column.categories)) markUnseen(view, new Set(column.categories), mask);
  }
  // A record stored twice under two surrogate keys is a copy: ids are left out of the comparison.
  const { copyOf: duplicateOf, idColumns } = recordCopies(views, rows, new Set([label]));
  for (const row of duplicateOf.keys()) mask[row] |= BIT.duplicate;
  const counts = Object.fromEntries(ROW_FLAG_CHECKS.map((c) => [c, 0])) as Record<RowFlagCheck, number>;
  for (let i = 0; i < rows; i++) {
    const bits = mask[i];
    if (bits === 0) continue;
    for (const check of ROW_FLAG_CHECKS) if (bits & BIT[check]) counts[check]++;
  }
  return { rows, mask, counts, duplicateOf, idColumns };
}

/** Applies each check's policy: `fail` on any flag, `drop` up to `maxFraction` of the rows, `keep`. */
export function applyPolicies(flags: RowFlags, policies: RowFlagsSpec): FlagOutcome {
  const decisions = ROW_FLAG_CHECKS.map((check): FlagDecision => {
    const { policy, maxFraction } = policies[check];
    const flagged = flags.counts[check];
    const fraction = flags.rows === 0 ? 0 : flagged / flags.rows;
    const passed = policy === 'keep' || (policy === 'fail' ? flagged === 0 : fraction <= maxFraction);
    return { check, policy, flagged, fraction, maxFraction, passed };
  });
  let dropBits = 0;
  for (const d of decisions) if (d.policy === 'drop' && d.flagged > 0) dropBits |= BIT[d.check];
  if (dropBits === 0) return { decisions, keep: null, dropped: 0 };
  const keep = new Uint8Array(flags.rows);
  let dropped = 0;
  for (let i = 0; i < flags.rows; i++) {
    if (flags.mask[i] & dropBits) dropped++;
    else keep[i] = 1;
  }
  return { decisions, keep, dropped };
}

/** The report row of one decision: "3 rows (2.0%)" against what its policy allows. */
export function describeDecision(d: FlagDecision): { observed: string; expected: string } {
  const observed = `${d.flagged} row(s) (${(d.fraction * 100).toFixed(2)}%)`;
  const expected =
    d.policy === 'fail'
      ? 'none (policy fail)'
      : d.policy === 'drop'
        ? `<= ${(d.maxFraction * 100).toFixed(2)}% dropped (policy drop)`
        : 'any (policy keep)';
  return { observed, expected: d.passed ? expected : `${expected}; ${flagWayOut(d.check, d.fraction)}` };
}

/**
 * The `maxFraction` a way out suggests: the default 0.05, or the observed share rounded up to a
 * hundredth when that is more, so it never names the value that just failed (#4, N5).
 */
export function suggestedMaxFraction(fraction: number): number {
  return Math.max(0.05, Math.ceil(fraction * 100 - 1e-9) / 100);
}

/** The settings that govern a failed row check, so the message names its way out (#13). */
function flagWayOut(check: RowFlagCheck, fraction: number): string {
  const max = suggestedMaxFraction(fraction);
  const policy = `sanity.flags.${check}: { policy: drop, maxFraction: ${max} } (or policy: keep)`;
  switch (check) {
    case 'missingLabel':
      return `rows without a label cannot train or be scored: drop them (sanity.flags.missingLabel: { policy: drop, maxFraction: ${max} }) or fill the labels upstream`;
    case 'nullForbidden':
      return `the pinned schema says the column has no nulls: allow them (sanity.schema.columns.<column>.nullable: true) or set ${policy}`;
    case 'unseenCategory':
      return `values the pinned schema has not seen: add them (sanity.schema.columns.<column>.categories: [...] or any) or set ${policy}`;
    case 'outOfRange':
      return `numbers outside the pinned range: widen it (sanity.schema.columns.<column>.min / max) or set ${policy}`;
    default:
      return `set ${policy}`;
  }
}

/**
 * The flags checkpoint: one row per flagged input row with its index (0-based, in the ingested
 * data), its file line (1-based, text sources only: column `line`), the checks that flagged it,
 * the reasons in words, and what became of it.
 */
export function flagsToArrow(
  flags: RowFlags,
  outcome: FlagOutcome,
  views: ColumnView[],
  columns: Record<string, SchemaColumn>,
  label: string,
  failed: boolean,
  locator: RowLocator = locatorFrom(undefined),
): arrow.Table {
  const rowIndex: number[] = [];
  const checks: string[] = [];
  const reasons: string[] = [];
  const actions: string[] = [];
  for (let i = 0; i < flags.rows; i++) {
    const bits = flags.mask[i];
    if (bits === 0) continue;
    rowIndex.push(i);
    checks.push(ROW_FLAG_CHECKS.filter((c) => bits & BIT[c]).join(','));
    reasons.push(rowReasons(i, bits, flags, views, columns, label, locator).join('; '));
    actions.push(failed ? 'run failed' : outcome.keep && outcome.keep[i] === 0 ? 'dropped' : 'kept');
  }
  const vectors: Record<string, arrow.Vector> = { row: arrow.makeVector(Int32Array.from(rowIndex)) };
  if (locator.lines) vectors.line = arrow.makeVector(Int32Array.from(rowIndex, (row) => locator.line(row)!));
  vectors.checks = arrow.vectorFromArray(checks, new arrow.Utf8());
  vectors.reason = arrow.vectorFromArray(reasons, new arrow.Utf8());
  vectors.action = arrow.vectorFromArray(actions, new arrow.Utf8());
  return new arrow.Table(vectors);
}

function rowReasons(
  row: number,
  bits: number,
  flags: RowFlags,
  views: ColumnView[],
  columns: Record<string, SchemaColumn>,
  label: string,
  locator: RowLocator,
): string[] {
  const reasons: string[] = [];
  for (const view of views) {
    const column = ownValue(columns, view.name);
    const present = isPresent(view, row);
    const text = cellText(view, row);
    if (view.name === label && bits & BIT.missingLabel && !present)
      reasons.push(`${locator.cell(row, label, null)} (the label)`);
    else if (view.name === label && bits & BIT.missingLabel && view.kind === 'numeric' && Number.isNaN(view.values[row]))
      reasons.push(`${locator.cell(row, label)}: NaN (the label; a NaN label counts as missing)`);
    if (!column || column.ignore || column.type !== view.type) continue;
    if (!present) {
      if (view.name !== label && !column.nullable && bits & BIT.nullForbidden)
        reasons.push(`${locator.cell(row, view.name, null)} (not nullable)`);
      continue;
    }
    if (view.kind === 'numeric' && bits & BIT.outOfRange && !isTimestampColumn(column)) {
      const v = view.values[row];
      if (column.min !== undefined && v < column.min)
        reasons.push(`${locator.cell(row, view.name, v)} < min ${column.min}`);
      if (column.max !== undefined && v > column.max)
        reasons.push(`${locator.cell(row, view.name, v)} > max ${column.max}`);
    } else if (view.kind === 'categorical' && bits & BIT.unseenCategory && Array.isArray(column.categories)) {
      if (!column.categories.includes(text)) {
        // `'yes'` for a pinned `'Yes'`: say so, the fix differs from a truly new category's.
        const pinned = pinnedSpelling(column.categories, text);
        const note =
          pinned === null ? categoryEditNote(text, column.categories) : ` (pinned ${quote(pinned)}: respelt)`;
        reasons.push(`${locator.cell(row, view.name, text)} is not a known category${note}`);
      }
    }
  }
  if (bits & BIT.duplicate)
    reasons.push(`${locator.at(row)}: duplicate of ${locator.at(flags.duplicateOf.get(row)!)}`);
  return reasons;
}

function markNulls(view: ColumnView, mask: Uint8Array, bit: number): void {
  if (view.nulls === 0) return;
  if (view.kind === 'numeric') {
    const valid = view.valid!;
    for (let i = 0; i < valid.length; i++) if (valid[i] === 0) mask[i] |= bit;
  } else {
    const codes = view.codes;
    for (let i = 0; i < codes.length; i++) if (codes[i] < 0) mask[i] |= bit;
  }
}

/** A NaN label (what numpy/pandas/Polars writers store for "missing" in a float column) is a missing label. */
function markNaN(values: Float64Array, mask: Uint8Array, bit: number): void {
  for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i])) mask[i] |= bit;
}

function markOutOfRange(values: Float64Array, valid: Uint8Array | null, column: SchemaColumn, mask: Uint8Array) {
  const min = column.min ?? -Infinity;
  const max = column.max ?? Infinity;
  if (min === -Infinity && max === Infinity) return;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if ((v < min || v > max) && (valid === null || valid[i] === 1)) mask[i] |= BIT.outOfRange;
  }
}

function markUnseen(view: Extract<ColumnView, { kind: 'categorical' }>, allowed: Set<string>, mask: Uint8Array) {
  const unseen = view.dictionary.map((text) => !allowed.has(text));
  if (!unseen.includes(true)) return;
  const codes = view.codes;
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i];
    if (code >= 0 && unseen[code]) mask[i] |= BIT.unseenCategory;
  }
}

/**
 * The first rows one check flagged, with their reasons (`line 8, column 'color': 'gren' is not a
 * known category`), so a failed check shows the data, not only a count.
 */
export function flagExamples(
  check: RowFlagCheck,
  flags: RowFlags,
  views: ColumnView[],
  columns: Record<string, SchemaColumn>,
  label: string,
  limit = 3,
  locator: RowLocator = locatorFrom(undefined),
): string[] {
  const examples: string[] = [];
  const bit = BIT[check];
  for (let i = 0; i < flags.rows && examples.length < limit; i++) {
    if ((flags.mask[i] & bit) === 0) continue;
    const reasons = rowReasons(i, bit, flags, views, columns, label, locator);
    if (reasons.length) examples.push(reasons.join('; '));
  }
  return examples;
}
