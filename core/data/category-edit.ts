import { quote } from '../quote';

/** Known values shorter than this are not compared: `red` inside `reddish` is no edit. */
const KNOWN_MIN = 20;

/**
 * How an unseen value differs from a long known category it extends: `: the known value '…' +
 * ' (updated)'` when the value is a known category (of KNOWN_MIN characters or more) with text
 * added at its end (or its start); '' when none is. Long values are cut in messages, so the edit
 * (a suffix at the end of a 4 KB description) would otherwise be invisible.
 */
export function categoryEditNote(value: string, categories: readonly string[]): string {
  let best: string | null = null;
  for (const known of categories)
    if (
      known.length >= KNOWN_MIN &&
      known.length < value.length &&
      (value.startsWith(known) || value.endsWith(known)) &&
      (best === null || known.length > best.length)
    )
      best = known;
  if (best === null) return '';
  return value.startsWith(best)
    ? `: the known value ${quote(best)} + ${quote(value.slice(best.length))}`
    : `: ${quote(value.slice(0, value.length - best.length))} + the known value ${quote(best)}`;
}
