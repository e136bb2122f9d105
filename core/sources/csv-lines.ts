import { SpecError } from '../errors';
import { quote } from '../quote';

/** Lines of a CSV file that are not data (pandas' `comment`, `skiprows`, `skipfooter`). */
export interface SkipLines {
  /**
   * A line whose first non-blank characters are this prefix (`#`, `//`) is skipped, before and after
   * the header; a prefix inside a line is data. Lines are told apart outside quoted fields only.
   */
  comment?: string;
  /**
   * A number: that many lines at the top of the file (titles, notes above the header) are skipped.
   * A list: those file lines (1-based, as messages name them: a units row at line 2) are skipped.
   */
  skipRows?: number | readonly number[];
  /** That many non-blank lines at the end of the file (totals, notes) are skipped. */
  skipFooter?: number;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/**
 * The bytes with the skipped lines emptied: each skipped line's text is removed but its line breaks
 * kept, so the reader skips it as a blank line and every line number in messages stays the file's.
 * Returns `bytes` itself when nothing is to be skipped.
 */
export function skipLines(bytes: Buffer, options: SkipLines): Buffer {
  const { comment, skipRows, skipFooter = 0 } = options;
  if (comment === '') throw new SpecError('source.comment must be a non-empty prefix (`#`)');
  const top = typeof skipRows === 'number' ? skipRows : 0;
  const listed = new Set(typeof skipRows === 'number' ? [] : (skipRows ?? []));
  for (const n of [top, skipFooter, ...listed])
    if (!Number.isInteger(n) || n < 0)
      throw new SpecError(`source.skipRows/skipFooter take whole numbers ≥ 0 (lines), got ${n}`);
  if (!comment && top === 0 && listed.size === 0 && skipFooter === 0) return bytes;
  const prefix = comment ? Buffer.from(comment, 'utf8') : null;
  // Comment and listed lines are skipped whole: a stray quote in them (`# 27" monitor`) opens no field.
  const { starts: lines, skip } = records(
    bytes,
    (start, line) => line <= top || listed.has(line) || (prefix !== null && startsWith(bytes, start, prefix)),
  );
  for (let k = lines.length - 1, left = skipFooter; k >= 0 && left > 0; k--) {
    if (isBlank(bytes, lines[k])) continue;
    skip[k] = 1;
    left--;
  }
  // Runs of kept lines are copied whole: a few skipped lines cost a few slices, not one per line.
  const parts: Buffer[] = [];
  let kept = 0;
  lines.forEach((start, k) => {
    if (!skip[k]) return;
    const end = k + 1 < lines.length ? lines[k + 1] : bytes.length;
    parts.push(bytes.subarray(kept, start), onlyBreaks(bytes.subarray(start, end)));
    kept = end;
  });
  parts.push(bytes.subarray(kept));
  return Buffer.concat(parts);
}

/**
 * Starts of the file's records (byte offsets) and which are skipped: a line break inside a quoted
 * field does not start one, so a record spanning lines is never cut in two. `skipped(start, line)`
 * (line: 1-based physical line, as messages count) marks a record skipped whole, read to its line's
 * end without quote tracking.
 */
function records(
  bytes: Buffer,
  skipped: (start: number, line: number) => boolean,
): { starts: number[]; skip: number[] } {
  const starts: number[] = [];
  const skip: number[] = [];
  let line = 1;
  let i = 0;
  while (i < bytes.length) {
    starts.push(i);
    const whole = skipped(i, line);
    skip.push(whole ? 1 : 0);
    let quoted = false;
    for (; i < bytes.length; i++) {
      const c = bytes[i];
      if (c === QUOTE && !whole) quoted = !quoted;
      else if (c === LF || (c === CR && bytes[i + 1] !== LF)) {
        line++;
        if (!quoted) {
          i++;
          break;
        }
      }
    }
  }
  return { starts, skip };
}

/** Only the line breaks of a skipped record (one line, or a quoted record spanning several). */
function onlyBreaks(record: Buffer): Buffer {
  return Buffer.from(record.filter((c) => c === LF || c === CR));
}

function startsWith(bytes: Buffer, start: number, prefix: Buffer): boolean {
  let i = start;
  while (bytes[i] === 0x20 || bytes[i] === 0x09) i++;
  return i + prefix.length <= bytes.length && bytes.subarray(i, i + prefix.length).equals(prefix);
}

function isBlank(bytes: Buffer, start: number): boolean {
  return start >= bytes.length || bytes[start] === LF || bytes[start] === CR;
}

/**
 * A hint for a header read as one field while rows hold more: the header line is most likely a
 * title or comment above the real header. Null when the header has more than one column.
 */
export function preambleHint(names: readonly string[]): string | null {
  if (names.length !== 1) return null;
  const first = names[0].trim();
  const mark = /^(#|\/\/|%|;|--)/.exec(first)?.[1];
  return (
    `the header is one field, ${quote(first.length > 60 ? `${first.slice(0, 60)}…` : first)}: a title or ` +
    `comment line above the header? set source.skipRows: 1` +
    (mark ? ` or source.comment: '${mark}'` : '')
  );
}

/**
 * A hint for a row whose field count differs from the header's, from its shape: one extra empty
 * last field is a trailing delimiter (`…,setosa,`); fewer fields on the file's last line is a
 * footer or a truncated file. `last` bounds the row's last field (`pos`: where reading stopped).
 */
export function raggedRowHint(
  bytes: Buffer,
  last: { start: number; end: number; quoted: boolean; pos: number },
  width: number,
  fields: number,
  delimiter: number,
): string | null {
  if (fields === width + 1 && !last.quoted && last.start === last.end) {
    const shown = delimiter === 0x09 ? '"\\t"' : `'${String.fromCharCode(delimiter)}'`;
    return (
      `the row ends with an extra empty field (a trailing ${shown}): if every line does, re-export without ` +
      'it, or end the header with the same delimiter (an unnamed trailing column that is empty everywhere is dropped)'
    );
  }
  let i = last.pos;
  while (i < bytes.length && (bytes[i] === LF || bytes[i] === CR)) i++;
  if (fields < width && i >= bytes.length)
    return (
      'it is the last line: a footer or total line (set source.skipFooter: 1), or a truncated file ' +
      '(a transfer or export that stopped mid-row)?'
    );
  return null;
}
