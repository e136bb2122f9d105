const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/** Lines after a short row that may still be a footer: a report's totals, title and notes. */
const FOOTER_LINES_MAX = 20;

/**
 * A report footer after a short row: when every non-blank line from `from` (where the short row's
 * reading stopped) to the end also has fewer than `width` fields, the short row starts a footer
 * (Salesforce's `"Grand Totals (300 records)"`, a blank line, the report title, a copyright, …).
 * Returns the physical lines from the short row to the end (`lines`, blank ones included) and the
 * non-blank ones (`skip`, as source.skipFooter counts them, the short row included); null when a
 * line below is as wide as the header, or there are none, or more than FOOTER_LINES_MAX.
 */
export function footerRun(
  bytes: Buffer,
  from: number,
  width: number,
  delimiter: number,
): { lines: number; skip: number } | null {
  let lines = 1;
  let skip = 1;
  for (let pos = from; pos < bytes.length;) {
    let fields = 1;
    let blank = true;
    let quoted = false;
    let i = pos;
    for (; i < bytes.length; i++) {
      const c = bytes[i];
      if (c === QUOTE) [quoted, blank] = [!quoted, false];
      else if (c === LF || c === CR) {
        if (!quoted) break;
        if (c === LF || bytes[i + 1] !== LF) lines++; // a line break inside a quoted field
      } else if (c !== 0x20 && c !== 0x09) {
        blank = false;
        if (c === delimiter && !quoted) fields++;
      }
    }
    pos = bytes[i] === CR && bytes[i + 1] === LF ? i + 2 : i + 1;
    lines++;
    if (blank) continue;
    if (fields >= width || ++skip > FOOTER_LINES_MAX) return null;
  }
  return skip > 1 ? { lines, skip } : null;
}
