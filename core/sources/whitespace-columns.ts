const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const SPACE = 0x20;
const TAB = 0x09;

/** `source.delimiter: whitespace`: fields are separated by runs of blanks (pandas' `sep=r'\s+'`). */
export const WHITESPACE_DELIMITER = 'whitespace';

/**
 * Whitespace-aligned text (SAS PROC PRINT, NOAA, R `write.table(sep=" ")`, fixed-width `.txt`) as
 * tab-separated bytes: on each line, outside quoted fields, blanks at the ends are dropped and each
 * run of spaces and tabs becomes one tab. Line breaks are kept, so line numbers stay the file's.
 */
export function whitespaceToTabs(bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  let o = 0;
  let quoted = false;
  let lineStart = true;
  let pendingGap = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (!quoted && (c === SPACE || c === TAB)) {
      if (!lineStart) pendingGap = true;
      continue;
    }
    if (!quoted && (c === LF || c === CR)) {
      pendingGap = false;
      lineStart = true;
      out[o++] = c;
      continue;
    }
    if (pendingGap) out[o++] = TAB;
    pendingGap = false;
    lineStart = false;
    if (c === QUOTE) quoted = !quoted;
    out[o++] = c;
  }
  return out.subarray(0, o);
}

/**
 * A hint for a header read as one column whose name holds runs of two or more blanks or a tab
 * (`sepal_length  sepal_width   species`): the columns are aligned with whitespace. Null otherwise.
 */
export function alignedColumnsHint(name: string): string | null {
  const parts = name.trim().split(/ {2,}|\t+/);
  if (parts.length < 2 || parts.some((p) => p.trim() === '')) return null;
  return (
    `whitespace-aligned columns (${parts.length} names separated by runs of blanks)? set source.delimiter: ` +
    `${WHITESPACE_DELIMITER} (runs of spaces and tabs separate fields, as pandas' sep=r'\\s+'), or convert the file to CSV`
  );
}
