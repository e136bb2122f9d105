const INVISIBLE = /[\t\v\f\u00a0\u00ad\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]/g;

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
  // Invisible blanks (NBSP, tab, zero-width) print as JSON escapes, so `'4.6\u00a0'` shows its NBSP.
  return `'${escaped.replace(INVISIBLE, (c) => (c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`))}'`;
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
