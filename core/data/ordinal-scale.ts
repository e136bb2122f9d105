import type { ColumnView } from './column-views';

/**
 * The open end of a short count scale, as a category: `more`, `5more`, `5+`, `5 or more`, `less`,
 * `under 2`, `>4`, `never` (UCI Car Evaluation: doors `2, 3, 4, 5more`; persons `2, 4, more`; Kaggle's
 * HR job-change `last_new_job`: `never, 1, 2, 3, 4, >4`).
 */
const OPEN_END =
  /^(?:(?:\d+\s*)?(?:more|less|fewer|plus|many|few|or more|or less|and more|and up|and over)|\d+\s*\+|(?:over|under|above|below|more than|less than|at least|up to|[<>]=?)\s*\d+|never)$/i;
/** A scale has at most this many distinct plain integers (a Likert or count scale, not a measurement). */
const SCALE_NUMBERS = 10;
/** …and at most this many open-end words (`less` and `more`). */
const SCALE_ENDS = 2;

/**
 * Whether a text column is an ordinal scale written with numbers (`2, 3, 4, 5more`): at most
 * SCALE_NUMBERS distinct small integers plus one or two open-end words (OPEN_END). Such a column is
 * a category, not a number with a unit (`5more` is no `5 kg`) nor numbers spoilt by a token, so the
 * numeric_text and numeric_tokens checks leave it alone; `86 kg` / `154 lb` and free-text answers
 * (`about 20`, `40+` among dozens of numbers) still fail there.
 */
export function isOrdinalScale(view: ColumnView): boolean {
  if (view.kind !== 'categorical' || view.type !== 'string') return false;
  const used = new Set<number>();
  for (const code of view.codes) if (code >= 0) used.add(code);
  const words = [...used].map((code) => view.dictionary[code].trim());
  const numbers = words.filter((w) => /^\d{1,3}$/.test(w));
  const ends = words.filter((w) => !/^\d{1,3}$/.test(w));
  return (
    numbers.length >= 2 &&
    numbers.length <= SCALE_NUMBERS &&
    ends.length >= 1 &&
    ends.length <= SCALE_ENDS &&
    ends.every((w) => OPEN_END.test(w))
  );
}

/**
 * An open-ended bound written with words, as survey exports write a scale's ends beside plain
 * numbers: `Less than 1 year`, `More than 50 years` (Stack Overflow's `YearsCode`), `Under 18`,
 * `65 years or older`, `10 or more`. A unit word after the number is allowed.
 */
const BOUND_BEFORE =
  /^(less than|fewer than|under|below|up to|at most|more than|over|above|at least|greater than)\s+(\d+(?:\.\d+)?)(?:\s+\p{L}+)?$/iu;
const BOUND_AFTER = /^(\d+(?:\.\d+)?)(?:\s+\p{L}+)?\s*(\+|or more|or older|or over|and over|and above|and up|or less|or fewer|or younger|or under)$/iu;
const LOW_WORDS = /^(?:less than|fewer than|under|below|up to|at most|or less|or fewer|or younger|or under)$/i;

/** The side and number of an open-ended bound (`Less than 1 year` → below 1), or null. */
export function openBoundOf(word: string): { below: boolean; bound: number } | null {
  const w = word.trim().replace(/\s+/g, ' ');
  const before = BOUND_BEFORE.exec(w);
  if (before) return { below: LOW_WORDS.test(before[1]), bound: Number(before[2]) };
  const after = BOUND_AFTER.exec(w);
  if (after) return { below: LOW_WORDS.test(after[2]), bound: Number(after[1]) };
  return null;
}

/**
 * The way out for a number column whose only non-numbers are open-ended bounds with a unit word
 * (`Less than 1 year`, `More than 50 years`): the scale's ends, not "missing" and not text
 * categories. Each is named with a number to write it as (half a lower bound; an upper bound as
 * itself), or the column declared text (one category per value, order lost). Null when some token
 * is no such bound, or none carries a word besides its number (`over 10`: a loosely typed number).
 */
export function openBoundsHint(tokens: readonly string[], declareText: string, targetHint: string | null): string | null {
  const bounds = tokens.map(openBoundOf);
  if (tokens.length === 0 || bounds.some((b) => b === null)) return null;
  if (!tokens.some((t) => /\d\s+\p{L}/u.test(t.trim()))) return null;
  const mapped = tokens
    .slice(0, 4)
    .map((t, i) => `'${t.trim()}' as ${bounds[i]!.below ? bounds[i]!.bound / 2 : bounds[i]!.bound}`);
  return (
    `open-ended bounds of an ordinal scale beside numbers: write them as numbers upstream ` +
    `(an open end as a value at or inside it: ${mapped.join(', ')}), so the column stays a quantity with its order; ` +
    (targetHint ??
      `or, to keep every answer as a category (order lost), declare it text: ${declareText}`) +
    '; they are not "missing" (source.nullValues would blank real answers)'
  );
}
