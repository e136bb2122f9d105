/**
 * A value as messages print it: single-quoted with `\`, `'` and line breaks escaped, so `'red '`
 * and `'red'` differ on screen and a value never breaks a message's line.
 */
export function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

/** Up to `limit` values quoted and comma-separated, with how many more there are. */
export function quoteList(values: readonly string[], limit = 5): string {
  const shown = values.slice(0, limit).map(quote).join(', ');
  return values.length > limit ? `${shown} and ${values.length - limit} more` : shown;
}
