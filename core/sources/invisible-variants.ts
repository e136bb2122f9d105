import { DataError } from '../errors';
import { quote } from '../quote';

/**
 * Characters that never tell two category values apart, yet make them different strings: zero-width
 * space U+200B, word joiner U+2060, a BOM inside a file U+FEFF, soft hyphen U+00AD. (The joiners
 * U+200C/U+200D are left alone: they change how Persian or emoji text renders.)
 */
const INVISIBLE = /[\u200b\u2060\ufeff\u00ad]/g;
const HAS_INVISIBLE = /[\u200b\u2060\ufeff\u00ad]/;
const INVISIBLE_BYTES = ['\u200b', '\u2060', '\ufeff', '\u00ad'].map((c) => Buffer.from(c, 'utf8'));

/** Whether the (UTF-8) bytes hold any such character: most files do not, and skip the check. */
export function mayHoldInvisibles(bytes: Buffer): boolean {
  return INVISIBLE_BYTES.some((b) => bytes.includes(b));
}

/**
 * Fails when two distinct values of a text column are equal once invisible characters are removed
 * (`'red'` and `'r\u200bed'`): each would be its own category, looking identical in every tool.
 * Ingest strips them at a value's ends (source.trim); inside a value they are the file's to fix.
 * `words` are the column's distinct values.
 */
export function checkInvisibleVariants(column: string, words: readonly string[], source?: string): void {
  const seen = new Map<string, string>();
  for (const word of words) {
    if (!HAS_INVISIBLE.test(word) && !seen.has(word)) {
      seen.set(word, word);
      continue;
    }
    const bare = word.replace(INVISIBLE, '');
    const other = seen.get(bare);
    if (other !== undefined && other !== word)
      throw new DataError(
        `${source ? `${source}: ` : ''}column ${quote(column)}: ${quote(other)} and ${quote(word)} differ only by ` +
          'invisible characters (zero-width space, word joiner, BOM, soft hyphen): remove them upstream',
      );
    seen.set(bare, word);
  }
}
