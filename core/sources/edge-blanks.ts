/** Characters `source.trim` strips at a field's ends besides whitespace: zero-width ones, soft hyphen, bidi marks. */
const INVISIBLE_EDGE = '\\u200b-\\u200f\\u2060\\u00ad\\u061c\\u202a-\\u202e\\u2066-\\u2069';
const EDGE_BLANKS = new RegExp(`^[\\s${INVISIBLE_EDGE}]+|[\\s${INVISIBLE_EDGE}]+$`, 'g');

/**
 * `text` without what core/csv.ts's trim strips at a field's ends: Unicode whitespace (NBSP too,
 * as `String.prototype.trim`), zero-width characters (U+200B–U+200D, U+2060, soft hyphen U+00AD)
 * and bidi marks (U+200E, U+200F, U+061C, U+202A–U+202E, U+2066–U+2069). For header names and
 * serving's strings; the CSV reader strips the same set byte by byte.
 */
export function trimEdgeBlanks(text: string): string {
  return text.replace(EDGE_BLANKS, '');
}
