import { SpecError } from '../errors';
import { quote } from '../quote';
import { footerRun } from './csv-footer';

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

/** Why a line was skipped: `source.comment`, `source.skipRows` (a count or a list), `source.skipFooter`. */
export type SkipReason = 'comment' | 'skipRows' | 'skipFooter';

/** One skipped record: its first physical line (1-based) and its bytes in the text given to skipLinesReport. */
export interface SkippedLine {
  line: number;
  start: number;
  end: number;
  why: SkipReason;
}

/** What skipLinesReport did: the text with the skipped lines emptied, and which lines those were. */
export interface SkipReport {
  bytes: Buffer;
  /** The text the offsets in `skipped` index (the input of skipLinesReport). */
  text: Buffer;
  /** In file order. */
  skipped: SkippedLine[];
}

/**
 * The bytes with the skipped lines emptied, and which lines those were and why: each skipped line's
 * text is removed but its line breaks kept, so the reader skips it as a blank line and every line
 * number in messages stays the file's. `source` names the file in errors.
 * @throws SpecError for an empty comment prefix, counts that are not whole numbers, or a
 * `source.skipRows` line (or count) beyond the file's last line: a list copied from another export.
 */
export function skipLinesReport(bytes: Buffer, options: SkipLines, source?: string): SkipReport {
  const { comment, skipRows, skipFooter = 0 } = options;
  if (comment === '') throw new SpecError('source.comment must be a non-empty prefix (`#`)');
  const top = typeof skipRows === 'number' ? skipRows : 0;
  const listed = new Set(typeof skipRows === 'number' ? [] : (skipRows ?? []));
  for (const n of [top, skipFooter, ...listed])
    if (!Number.isInteger(n) || n < 0)
      throw new SpecError(`source.skipRows/skipFooter take whole numbers ≥ 0 (lines), got ${n}`);
  if (!comment && top === 0 && listed.size === 0 && skipFooter === 0)
    return { bytes, text: bytes, skipped: [] };
  const prefix = comment ? Buffer.from(comment, 'utf8') : null;
  const why: (SkipReason | null)[] = [];
  // Comment and listed lines are skipped whole: a stray quote in them (`# 27" monitor`) opens no field.
  const {
    starts: lines,
    skip,
    lineOf,
    count,
  } = records(bytes, (start, line) => {
    const reason =
      line <= top || listed.has(line)
        ? 'skipRows'
        : prefix !== null && startsWith(bytes, start, prefix)
          ? 'comment'
          : null;
    why.push(reason);
    return reason !== null;
  });
  refuseBeyondEnd(top, listed, count, source);
  for (let k = lines.length - 1, left = skipFooter; k >= 0 && left > 0; k--) {
    if (isBlank(bytes, lines[k])) continue;
    skip[k] = 1;
    why[k] = 'skipFooter';
    left--;
  }
  // Runs of kept lines are copied whole: a few skipped lines cost a few slices, not one per line.
  const parts: Buffer[] = [];
  const skipped: SkippedLine[] = [];
  let kept = 0;
  lines.forEach((start, k) => {
    if (!skip[k]) return;
    const end = k + 1 < lines.length ? lines[k + 1] : bytes.length;
    if (!isBlank(bytes, start)) skipped.push({ line: lineOf[k], start, end, why: why[k] ?? 'skipFooter' });
    parts.push(bytes.subarray(kept, start), onlyBreaks(bytes.subarray(start, end)));
    kept = end;
  });
  parts.push(bytes.subarray(kept));
  return { bytes: Buffer.concat(parts), text: bytes, skipped };
}

/** A skipRows count or listed line past the file's `count` lines skips nothing the user meant. */
function refuseBeyondEnd(top: number, listed: ReadonlySet<number>, count: number, source?: string): void {
  const file = source ?? 'the file';
  const beyond = [...listed].filter((n) => n > count).sort((a, b) => a - b);
  if (beyond.length > 0)
    throw new SpecError(
      `source.skipRows lists line${beyond.length > 1 ? 's' : ''} ${beyond.join(', ')}, but ${file} has ` +
        `${count} line${count === 1 ? '' : 's'}: a line list from another export? list the lines of this file ` +
        '(messages name them; a repeated header moves when rows are added)',
    );
  if (top > 0 && top >= count)
    throw new SpecError(
      `source.skipRows: ${top} skips every line of ${file} (${count} line${count === 1 ? '' : 's'}), the header too: ` +
        'set it to the number of lines above the header',
    );
}

/**
 * Starts of the file's records (byte offsets) and which are skipped: a line break inside a quoted
 * field does not start one, so a record spanning lines is never cut in two. `skipped(start, line)`
 * (line: 1-based physical line, as messages count) marks a record skipped whole, read to its line's
 * end without quote tracking. `lineOf`: each record's first line; `count`: the file's physical lines.
 */
function records(
  bytes: Buffer,
  skipped: (start: number, line: number) => boolean,
): { starts: number[]; skip: number[]; lineOf: number[]; count: number } {
  const starts: number[] = [];
  const skip: number[] = [];
  const lineOf: number[] = [];
  let line = 1;
  let i = 0;
  while (i < bytes.length) {
    starts.push(i);
    lineOf.push(line);
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
  // A final line break ends the last line; it starts none.
  const last = bytes[bytes.length - 1];
  const count = bytes.length === 0 ? 0 : last === LF || last === CR ? line - 1 : line;
  return { starts, skip, lineOf, count };
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
 * footer or a truncated file, and so are fewer fields on every line from it to the end (a report's
 * footer block, see footerRun). `last` bounds the row's last field (`pos`: where reading stopped);
 * `line` is the row's physical line.
 */
export function raggedRowHint(
  bytes: Buffer,
  last: { start: number; end: number; quoted: boolean; pos: number },
  width: number,
  fields: number,
  delimiter: number,
  line?: number,
): string | null {
  if (fields === width + 1 && !last.quoted && last.start === last.end) {
    const shown = delimiter === 0x09 ? '"\\t"' : `'${String.fromCharCode(delimiter)}'`;
    return (
      `the row ends with an extra empty field (a trailing ${shown}): if every line does, re-export without ` +
      'it, or end the header with the same delimiter (an unnamed trailing column that is empty everywhere is dropped)'
    );
  }
  const footer = fields < width ? footerRun(bytes, last.pos, width, delimiter) : null;
  if (footer)
    return (
      `the ${footer.lines} lines from ${line === undefined ? 'here' : `line ${line}`} to the end are all short: a report ` +
      `footer (totals, title, notes)? set source.skipFooter: ${footer.skip} (it counts non-blank lines)`
    );
  let i = last.pos;
  while (i < bytes.length && (bytes[i] === LF || bytes[i] === CR)) i++;
  if (fields < width && i >= bytes.length)
    return (
      'it is the last line: a footer or total line (set source.skipFooter: 1), or a truncated file ' +
      '(a transfer or export that stopped mid-row)?'
    );
  return null;
}

/** Lines below the header whose field counts shortHeaderHint compares. */
const LINES_SAMPLED = 20;

/**
 * A hint for a header with fewer fields than most lines below it (a title with commas above the
 * real header: `# Pokemon stats, gen 1-6` then `#,Name,Type 1,…`): the header line is a title, and
 * skipping up to it (`source.skipRows: <header line>`) reads the real header. `from`: the byte
 * offset after the header; null when most of the next lines are not wider than the header.
 */
export function shortHeaderHint(
  bytes: Buffer,
  from: number,
  header: { line: number; width: number },
  delimiter: number,
): string | null {
  const counts = new Map<number, number>();
  let sampled = 0;
  let fields = 1;
  let quoted = false;
  let blank = true;
  for (let i = from; i <= bytes.length && sampled < LINES_SAMPLED; i++) {
    const c = i < bytes.length ? bytes[i] : LF;
    if (c === QUOTE) quoted = !quoted;
    if (quoted) continue;
    if (c === LF || c === CR) {
      if (!blank) {
        counts.set(fields, (counts.get(fields) ?? 0) + 1);
        sampled++;
      }
      [fields, blank] = [1, true];
    } else {
      blank = false;
      if (c === delimiter) fields++;
    }
  }
  const [most, times] = [...counts].reduce((a, b) => (b[1] > a[1] ? b : a), [0, 0]);
  // Three lines at least: one wide row in a two-row file is a ragged row, not a pattern.
  if (most <= header.width || sampled < 3 || times * 2 <= sampled) return null;
  return (
    `the header (line ${header.line}) has ${header.width} field${header.width > 1 ? 's' : ''} but most lines below ` +
    `it have ${most}: a title line above the header? set source.skipRows: ${header.line}`
  );
}
