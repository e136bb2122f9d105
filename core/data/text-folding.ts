/**
 * Spellings of one value that Unicode normalisation does not join: mojibake (UTF-8 text decoded once
 * as Latin-1/cp1252 and re-encoded, `ZÃ¼rich` for `Zürich`) and emoji variation selectors (`❤` and
 * `❤️`, U+2764 with U+FE0F: phone keyboards add it, desktop input does not).
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

/** How two spellings of one value differ beyond case and spacing, for a message: null when by neither. */
export function foldedDifference(values: string[]): 'mojibake' | 'variation selector' | null {
  if (values.some((v) => undoMojibake(v) !== v)) return 'mojibake';
  if (values.some(hasVariationSelector)) return 'variation selector';
  return null;
}

/** `'\u2764\ufe0f'` shows its selector: quote() prints a combining mark as written, which shows nothing. */
export function escapeVariationSelectors(quoted: string): string {
  return quoted.replace(VARIATION_SELECTORS, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}
