import { quote } from '../quote';
import { spellingKey } from './case-variants';
import type { ColumnView } from './column-views';
import type { SchemaColumn } from './data-schema';
import { ownValue } from '../own-keys';
import { foldedDifferences } from './text-folding';

/** One pinned value written another way now (`'Yes'` → `'yes'`), equal under the case_variants folding. */
export interface Respelling {
  /** The pinned spelling. */
  from: string;
  /** The spelling the data holds now. */
  to: string;
}

/** A pinned text column whose unseen values are (partly) pinned ones respelt: case, spacing, Unicode form. */
export interface RespeltColumn {
  column: string;
  /** The target: its respelt values are the model's classes. */
  isLabel: boolean;
  /** Each unseen value that folds to a pinned one, in first-row order (empty: only new values). */
  respellings: Respelling[];
  /** Unseen values that fold to no pinned one (truly new categories); 0 for a pure respelling. */
  newValues: number;
}

/** Pinned values by their spellingKey, built once per categories list (row reasons ask per row). */
const keyed = new WeakMap<readonly string[], Map<string, string>>();

/**
 * The pinned spelling `value` is a respelling of (same spellingKey, not the same text), or null: the
 * lookup behind "'yes' is not a known category (pinned 'Yes')".
 */
export function pinnedSpelling(pinned: readonly string[], value: string): string | null {
  let byKey = keyed.get(pinned);
  if (!byKey) {
    byKey = new Map(pinned.map((p) => [spellingKey(p), p]));
    keyed.set(pinned, byKey);
  }
  const match = byKey.get(spellingKey(value));
  return match !== undefined && match !== value ? match : null;
}

/**
 * `now`'s values that are `pinned` ones respelt, each pinned value paired once: what a class-set or
 * category comparison across months reports instead of "missing X, new x".
 */
export function pairRespellings(pinned: readonly string[], now: readonly string[]): Respelling[] {
  const exact = new Set(pinned);
  const pairs: Respelling[] = [];
  const used = new Set<string>();
  for (const to of now) {
    if (exact.has(to)) continue;
    const from = pinnedSpelling(pinned, to);
    if (from !== null && !used.has(from)) {
      used.add(from);
      pairs.push({ from, to });
    }
  }
  return pairs;
}

/**
 * Pinned text columns (the target included) holding values the schema has not seen, with those that
 * fold, as case_variants folds within one file (NFKC, case, spacing), to pinned ones: next month's
 * export wrote `yes` for `Yes`. Only values present in some row count; columns holding no unseen
 * value are left out.
 */
export function findRespeltCategories(
  views: ColumnView[],
  columns: Record<string, SchemaColumn>,
  label: string,
): RespeltColumn[] {
  const found: RespeltColumn[] = [];
  for (const view of views) {
    const column = ownValue(columns, view.name);
    if (view.kind !== 'categorical' || !column || column.ignore || column.type !== view.type) continue;
    const categories = column.categories;
    if (!Array.isArray(categories)) continue;
    const pinned = new Set(categories);
    const seen = new Uint8Array(view.dictionary.length);
    const order = new Set<string>();
    for (let i = 0; i < view.codes.length; i++) {
      const code = view.codes[i];
      if (code < 0 || seen[code] === 1) continue;
      seen[code] = 1;
      const value = view.dictionary[code];
      if (!pinned.has(value)) order.add(value);
    }
    if (order.size === 0) continue;
    const respellings = pairRespellings(categories, [...order]);
    // A second respelling of one pinned value (`YES` beside `yes`) is no new value either.
    const newValues = [...order].filter((v) => pinnedSpelling(categories, v) === null).length;
    found.push({ column: view.name, isLabel: view.name === label, respellings, newValues });
  }
  return found;
}

/** The fold beyond case and spacing that joins `from` and `to` (`Don't` → `Don’t`: typographic quotes). */
function foldedKind(from: string, to: string): string {
  const kinds = foldedDifferences([from, to]);
  if (kinds.has('typography')) return 'typographic quotes or dashes';
  if (kinds.has('accents')) return 'accents';
  if (kinds.has('sharp s')) return 'ß written as SS';
  return 'Unicode form (NFKC)';
}

/** `case`, `spacing`, `Unicode form (NFKC)`: how the respellings differ from the pinned spellings. */
export function respellingKind(respellings: readonly Respelling[]): string {
  const kinds = new Set(
    respellings.map(({ from, to }) =>
      from.toLowerCase() === to.toLowerCase()
        ? 'case'
        : from.replace(/\s+/gu, ' ').trim().toLowerCase() === to.replace(/\s+/gu, ' ').trim().toLowerCase()
          ? 'spacing'
          : foldedKind(from, to),
    ),
  );
  return [...kinds].join(' / ');
}

/** `'Yes' → 'yes', 'No' → 'no'`: the first few respellings. */
export function describeRespellings(respellings: readonly Respelling[], limit = 4): string {
  const shown = respellings.slice(0, limit).map(({ from, to }) => `${quote(from)} → ${quote(to)}`);
  const more = respellings.length - shown.length;
  return `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/**
 * What a respelt column's unseenCategory failure says: which spelling changed, and the way on that
 * keeps the model's inputs and answers as its callers know them. Adding the new spellings (or
 * `categories: any`) would make them second categories; accepting them as the target's classes would
 * change the model's answers (`yes` where callers test `Yes`).
 */
export function respeltWayOut(r: RespeltColumn): string {
  const what = r.isLabel ? `the labels of ${quote(r.column)}` : `the values of ${quote(r.column)}`;
  const change = `${what} changed ${respellingKind(r.respellings)} (${describeRespellings(r.respellings)})`;
  const why = r.isLabel
    ? 'a model trained on them would answer the new spelling where callers test the pinned one'
    : 'the pinned spelling is what the model and its callers use';
  const rest =
    r.newValues > 0 ? `; ${r.newValues} other unseen value(s) there are new, not respelt` : '';
  return `${change}: map them back upstream (${why})${rest}`;
}

/**
 * The unseenCategory failure when some unseen values are respellings: each respelt column named with
 * its way on. When every unseen value is a respelling, the per-row exits (new categories, drop, keep)
 * are left out, as they would accept the respelling; else they stay, for the truly new values.
 * `failed` is the decision as describeDecision words it, `policy` its expectation alone.
 */
export function respeltOutcome(
  failed: { observed: string; expected: string },
  policy: string,
  columns: readonly RespeltColumn[],
): { observed: string; expected: string } {
  const respelt = columns.filter((c) => c.respellings.length > 0);
  if (respelt.length === 0) return failed;
  const pure = columns.every((c) => c.newValues === 0);
  return {
    observed: failed.observed,
    expected: `${pure ? policy : failed.expected}; ${respelt.map(respeltWayOut).join('; ')}`,
  };
}
