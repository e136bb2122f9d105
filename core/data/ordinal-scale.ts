import type { ColumnView } from './column-views';

/**
 * The open end of a short count scale, as a category: `more`, `5more`, `5+`, `5 or more`, `less`,
 * `under 2`. (UCI Car Evaluation: doors `2, 3, 4, 5more`; persons `2, 4, more`.)
 */
const OPEN_END =
  /^(?:(?:\d+\s*)?(?:more|less|fewer|plus|many|few|or more|or less|and more|and up|and over)|\d+\s*\+|(?:over|under|above|below|more than|less than|at least|up to)\s*\d+)$/i;
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
