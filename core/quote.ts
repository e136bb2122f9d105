/**
 * Characters a terminal shows as nothing (or as something else): control characters (NUL, ESC, C1),
 * format characters (zero-width, bidi marks U+200E/U+200F/U+061C/U+202A–U+202E/U+2066–U+2069, BOM,
 * soft hyphen) and every space but the plain one (tab, NBSP, U+2028).
 */
const INVISIBLE = /(?! )[\p{Cc}\p{Cf}\p{Zs}\p{Zl}\p{Zp}]/gu;

/** One UTF-16 unit as a JSON escape (`\u200f`). */
function jsonEscape(c: string): string {
  let out = '';
  for (let k = 0; k < c.length; k++) out += `\\u${c.charCodeAt(k).toString(16).padStart(4, '0')}`;
  return out;
}

/**
 * A value as messages print it: single-quoted with `\`, `'` and line breaks escaped, so `'red '`
 * and `'red'` differ on screen and a value never breaks a message's line; one longer than
 * QUOTED_MAX characters is cut: `'tempor et …'… (4,012 chars)`.
 */
export function quote(text: string): string {
  // A long value (a 4 KB product description) is cut as rows are: its start, then its length.
  if (text.length > QUOTED_MAX)
    return `${quote(cutValue(text))}… (${text.length.toLocaleString('en-US')} chars)`;
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
  // Invisible characters (NBSP, tab, zero-width, bidi marks, NUL) print as JSON escapes: `'\u200f5.0'`.
  return `'${escaped.replace(INVISIBLE, (c) => (c === '\t' ? '\\t' : jsonEscape(c)))}'`;
}

/** Up to `limit` values quoted and comma-separated, with how many more there are. */
export function quoteList(values: readonly string[], limit = 5): string {
  const shown = values.slice(0, limit).map(quote).join(', ');
  return values.length > limit ? `${shown} and ${values.length - limit} more` : shown;
}

/** Characters of a value messages show; a longer value is cut, with `…` and its length. */
export const QUOTED_MAX = 120;

/** The first QUOTED_MAX characters, a surrogate pair never cut in two. */
function cutValue(text: string): string {
  const end = /[\ud800-\udbff]/.test(text[QUOTED_MAX - 1]) ? QUOTED_MAX - 1 : QUOTED_MAX;
  return text.slice(0, end);
}
