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
import { yamlName } from '../yaml-name';
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

/** The data a failed decision's way out names: the rows' columns, their values, what is pinned. */
export interface FlagContext {
  views: ColumnView[];
  /** The effective schema: the pinned one with the spec's overrides (applyOverrides). */
  columns: Record<string, SchemaColumn>;
  label: string;
}

/**
 * The report row of one decision: "3 rows (2.0%)" against what its policy allows. With `context`,
 * a failure's way out names the columns and values to paste, not placeholders.
 */
export function describeDecision(d: FlagDecision, context?: FlagContext): { observed: string; expected: string } {
  const observed = `${d.flagged} row(s) (${(d.fraction * 100).toFixed(2)}%)`;
  const expected =
    d.policy === 'fail'
      ? 'none (policy fail)'
      : d.policy === 'drop'
        ? `<= ${(d.maxFraction * 100).toFixed(2)}% dropped (policy drop)`
        : 'any (policy keep)';
  return { observed, expected: d.passed ? expected : `${expected}; ${flagWayOut(d.check, d.fraction, context)}` };
}

/**
 * The `maxFraction` a way out suggests: the default 0.05, or the next hundredth strictly above the
 * observed share when that is more, so it never names the value that just failed nor one that a
 * file with one more such row would fail (#4, N5; BREAKER10 #20: 6.00% gets 0.07, not 0.06).
 */
export function suggestedMaxFraction(fraction: number): number {
  return Math.max(0.05, (Math.floor(fraction * 100 + 1e-9) + 1) / 100);
}

/**
 * Above this share of the file, flagged rows are not "a few bad rows": a drop exit would train on
 * what is left of a changed file (a replaced category list, an empty column), so none is offered.
 */
export const DROP_EXIT_MAX_SHARE = 0.5;

/** The settings that govern a failed row check, so the message names its way out (#13). */
function flagWayOut(check: RowFlagCheck, fraction: number, context?: FlagContext): string {
  const max = suggestedMaxFraction(fraction);
  const keep = `sanity.flags.${check}: { policy: keep }`;
  const policy =
    fraction > DROP_EXIT_MAX_SHARE
      ? `${keep} (no drop exit: ${(fraction * 100).toFixed(0)}% of the rows are flagged, a change of the file rather than bad rows)`
      : `sanity.flags.${check}: { policy: drop, maxFraction: ${max} } (or policy: keep)`;
  const named = context ? flaggedColumns(check, context) : [];
  switch (check) {
    case 'missingLabel':
      return `rows without a label cannot train or be scored: drop them (sanity.flags.missingLabel: { policy: drop, maxFraction: ${max} }) or fill the labels upstream`;
    case 'nullForbidden': {
      if (!context) return `the pinned schema says the column has no nulls: allow them (sanity.schema.columns.<column>.nullable: true) or set ${policy}`;
      const empty = named.filter((c) => c.empty).map((c) => yamlName(c.name));
      const allow = named.map((c) => `sanity.schema.columns.${yamlName(c.name)}.nullable: true`).join(', ');
      const emptyNote = empty.length
        ? `; ${empty.join(', ')} ${empty.length > 1 ? 'are' : 'is'} all null (empty on every row of this file): fill ${empty.length > 1 ? 'them' : 'it'} upstream or leave ${empty.length > 1 ? 'them' : 'it'} out of the model (train.features: a keep-list without ${empty.join(', ')})`
        : '';
      return `the pinned schema says the column has no nulls: allow them (${allow}) or set ${policy}${emptyNote}`;
    }
    case 'unseenCategory': {
      if (!context) return `values the pinned schema has not seen: add them (sanity.schema.columns.<column>.categories: [...] or any) or set ${policy}`;
      const add = named.map((c) => {
        const all = [...(c.pinned ?? []), ...(c.unseen ?? [])];
        const list =
          all.length <= MAX_LISTED_CATEGORIES
            ? `sanity.schema.columns.${yamlName(c.name)}.categories: [${all.map(yamlName).join(', ')}] or `
            : '';
        return `${list}sanity.schema.columns.${yamlName(c.name)}.categories: any`;
      });
      return `values the pinned schema has not seen: add them (${add.join('; ')}: a categories list replaces the pinned one, so it names the pinned values too) or set ${policy}`;
    }
    case 'outOfRange': {
      if (!context) return `numbers outside the pinned range: widen it (sanity.schema.columns.<column>.min / max) or set ${policy}`;
      const widen = named.map((c) => `sanity.schema.columns.${yamlName(c.name)}: { min: ${c.min}, max: ${c.max} }`);
      return `numbers outside the pinned range: widen it (${widen.join(', ')}) or set ${policy}`;
    }
    default:
      return `set ${policy}`;
  }
}

/** Above this many values, an unseenCategory way out offers `categories: any` alone. */
const MAX_LISTED_CATEGORIES = 30;

/** One column a row check flagged rows in, with what its way out names. */
interface FlaggedColumn {
  name: string;
  /** nullForbidden: every row null. */
  empty?: boolean;
  /** unseenCategory: the effective pinned list and the values not in it, in row order. */
  pinned?: string[];
  unseen?: string[];
  /** outOfRange: the pinned range widened to hold every value of this file. */
  min?: number;
  max?: number;
}

/** The columns behind a check's flags, as flagRows marks them. */
function flaggedColumns(check: RowFlagCheck, { views, columns, label }: FlagContext): FlaggedColumn[] {
  const found: FlaggedColumn[] = [];
  for (const view of views) {
    const column = ownValue(columns, view.name);
    if (view.name === label || !column || column.ignore || column.type !== view.type) continue;
    const rows = view.kind === 'numeric' ? view.values.length : view.codes.length;
    if (check === 'nullForbidden' && !column.nullable && view.nulls > 0)
      found.push({ name: view.name, empty: view.nulls === rows });
    else if (check === 'unseenCategory' && view.kind === 'categorical' && Array.isArray(column.categories)) {
      const allowed = new Set(column.categories);
      const unseen = new Set<string>();
      for (const code of view.codes) if (code >= 0 && !allowed.has(view.dictionary[code])) unseen.add(view.dictionary[code]);
      if (unseen.size) found.push({ name: view.name, pinned: column.categories, unseen: [...unseen] });
    } else if (check === 'outOfRange' && view.kind === 'numeric' && !isTimestampColumn(column)) {
      let lo = column.min ?? Infinity;
      let hi = column.max ?? -Infinity;
      let out = false;
      for (let i = 0; i < rows; i++) {
        if (view.valid !== null && view.valid[i] === 0) continue;
        const v = view.values[i];
        if (!Number.isFinite(v)) continue;
        if ((column.min !== undefined && v < column.min) || (column.max !== undefined && v > column.max)) out = true;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      if (out) found.push({ name: view.name, min: lo, max: hi });
    }
  }
  return found;
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
