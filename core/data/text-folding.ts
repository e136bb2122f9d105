/**
 * Spellings of one value that Unicode normalisation does not join: mojibake (UTF-8 text decoded once
 * as Latin-1/cp1252 and re-encoded, `ZÃ¼rich` for `Zürich`), emoji variation selectors (`❤` and
 * `❤️`, U+2764 with U+FE0F: phone keyboards add it, desktop input does not), typographic quotes and
 * dashes (`Don’t`/`Don't`), stripped accents (`São Paulo`/`Sao Paulo`) and `ß` upper-cased to `SS`.
 */

/** cp1252's characters for bytes 0x80–0x9F (the rest of 0x00–0xFF is Latin-1, code point = byte). */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const VARIATION_SELECTORS = /[\ufe0e\ufe0f]/gu;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** `text`'s cp1252 (Latin-1 where cp1252 leaves a byte undefined) bytes; null when a character has none. */
function cp1252Bytes(text: string): Uint8Array | null {
  const bytes = new Uint8Array(text.length);
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    const high = c > 0xff ? CP1252_HIGH.indexOf(text[k]) : -1;
    if (c <= 0xff) bytes[k] = c;
    else if (high >= 0) bytes[k] = 0x80 + high;
    else return null;
  }
  return bytes;
}

/**
 * `text` with one layer of mojibake undone, as ftfy tests for it: its cp1252 bytes decoded as UTF-8
 * (`ZÃ¼rich` → `Zürich`, `CrÃ¨me` → `Crème`); `text` itself when it holds no such layer (pure
 * ASCII, a character cp1252 cannot write, or bytes that are no valid UTF-8, as in a real `Ã`).
 */
export function undoMojibake(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\u0000-\u007f]*$/.test(text)) return text;
  const bytes = cp1252Bytes(text);
  if (!bytes) return text;
  try {
    return UTF8.decode(bytes);
  } catch {
    return text;
  }
}

/** `text` without emoji/text variation selectors (U+FE0E, U+FE0F): `❤️` is `❤`. */
export function dropVariationSelectors(text: string): string {
  return text.replace(VARIATION_SELECTORS, '');
}

/** Whether `text` holds a variation selector (messages escape them: they print as nothing). */
export function hasVariationSelector(text: string): boolean {
  return /[\ufe0e\ufe0f]/u.test(text);
}

/**
 * Typographic quotes and dashes and the ASCII ones they stand for: Word's, macOS/iOS "smart
 * punctuation" and Google Forms' autocorrect write `Don’t` (U+2019) and `18–24` (U+2013) where
 * another export has `Don't` and `18-24` (BREAKER10 #18). NFKC keeps them apart.
 */
const TYPOGRAPHIC: Readonly<Record<string, string>> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201b': "'",
  '\u2032': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u201f': '"',
  '\u2033': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2015': '-',
  '\u2212': '-',
};
const TYPOGRAPHIC_RE = /[\u2018\u2019\u201a\u201b\u2032\u201c-\u201f\u2033\u2010-\u2015\u2212]/gu;

/** `text` with typographic quotes and dashes written as ASCII `'`, `"` and `-`. */
export function foldTypography(text: string): string {
  return text.replace(TYPOGRAPHIC_RE, (c) => TYPOGRAPHIC[c]);
}

/** Latin letters that carry a stroke rather than a combining accent, as ASCII exports write them. */
const STROKED: Readonly<Record<string, string>> = { ł: 'l', ø: 'o', đ: 'd' };
/**
 * A combining accent (U+0300–U+036F) on a Latin or Greek letter. Marks of other scripts are left:
 * Japanese dakuten (`が`/`か`), Devanagari and Thai vowel signs tell different words apart.
 */
const LATIN_ACCENT = /([\p{Script=Latin}\p{Script=Greek}])[\u0300-\u036f]+/gu;

/**
 * `text` (lower case) with accents removed, as a system that writes ASCII only does (`são paulo` →
 * `sao paulo`, `zürich` → `zurich`, `łódź` → `lodz`): NFD, then the Latin/Greek combining marks
 * dropped, then NFC again.
 */
export function stripAccents(text: string): string {
  return text
    .normalize('NFD')
    .replace(LATIN_ACCENT, '$1')
    .replace(/[łøđ]/gu, (c) => STROKED[c])
    .normalize('NFC');
}

/**
 * Full case folding as Python's `casefold()` and ICU's `foldCase` do it for the cases data holds:
 * upper then lower case, so `ß` is `ss` (`Hauptstraße` is `HAUPTSTRASSE`, as upper-casing systems
 * write it; BREAKER10 #14), where `toLowerCase` alone keeps `ß` and `SS` apart.
 */
export function foldCase(text: string): string {
  return text.toUpperCase().toLowerCase();
}

/** How spellings of one value differ beyond case and spacing, as a message names it. */
export type FoldedDifference = 'mojibake' | 'variation selector' | 'typography' | 'accents' | 'sharp s';

/** Whether `values` differ in what `part` keeps of each (its typographic quotes, its accents, …). */
const differIn = (values: string[], part: (v: string) => string): boolean => new Set(values.map(part)).size > 1;

/** How spellings of one value differ beyond case and spacing, for a message: empty when by neither. */
export function foldedDifferences(values: string[]): Set<FoldedDifference> {
  const kinds = new Set<FoldedDifference>();
  if (values.some((v) => undoMojibake(v) !== v)) kinds.add('mojibake');
  if (values.some(hasVariationSelector)) kinds.add('variation selector');
  const repaired = values.map((v) => undoMojibake(v).normalize('NFKC'));
  if (differIn(repaired, (v) => (v.match(TYPOGRAPHIC_RE) ?? []).join(''))) kinds.add('typography');
  const accents = (v: string) => foldCase(v).normalize('NFD').replace(/[^\u0300-\u036fłøđ]/gu, '');
  if (differIn(repaired, accents)) kinds.add('accents');
  if (differIn(repaired, (v) => (v.toLowerCase().match(/ß/gu) ?? []).join(''))) kinds.add('sharp s');
  return kinds;
}

/** `'\u2764\ufe0f'` shows its selector: quote() prints a combining mark as written, which shows nothing. */
export function escapeVariationSelectors(quoted: string): string {
  return quoted.replace(VARIATION_SELECTORS, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}
