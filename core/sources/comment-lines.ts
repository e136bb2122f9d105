import type * as arrow from 'apache-arrow';
import { DataError } from '../errors';
import { quote } from '../quote';
import type { SkipReport, SkippedLine } from './csv-lines';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/** Schema metadata key: what ingest's summary says about skipped lines (JSON of SkippedSummary). */
export const SKIPPED_LINES_KEY = 'quiver.skipped_lines';

/** Characters of a skipped line a message shows. */
const SHOWN = 40;
/** Line numbers a message lists before `…`. */
const LISTED = 12;
/** Lines a printed skipRows list holds in full. */
const PASTED = 200;

/** Where the header was read and how wide it is: what comment lines are compared with. */
export interface HeaderShape {
  /** Physical line of the header (1-based). */
  line: number;
  names: readonly string[];
  delimiter: number;
}

/**
 * Refuses `source.comment` lines that are data-shaped, so a comment prefix never eats data silently:
 * a line after the header that splits into the header's field count (`#a1b2c3,5.1,…`: a hex colour,
 * `#1001`: an order number), or the last comment line above the header when it has the header's
 * field count and the header holds a number (`#,Name,Type 1,…` eaten: the first data row became the
 * header). Comment-shaped lines (another field count: `# exported 2026-11-30`) pass.
 * @throws DataError naming the count, the first lines and the ways out (source.skipRows, no comment).
 */
export function checkCommentLines(report: SkipReport, header: HeaderShape, source?: string): void {
  const comments = report.skipped.filter((s) => s.why === 'comment');
  if (comments.length === 0) return;
  const width = header.names.length;
  const at = source ? `${source}: ` : '';
  const prefix = quote(firstText(report, comments[0]).trimStart().slice(0, 1));
  const above = comments.filter((s) => s.line < header.line).at(-1);
  if (above && fieldCount(report, above, header.delimiter) === width && header.names.some(isNumber)) {
    const rest = skipAdvice(comments, above.line, [above]);
    throw new DataError(
      `${at}line ${above.line} starts with ${prefix} yet has the ${width} fields of the line read as the header ` +
        `(line ${header.line}: ${header.names.slice(0, 3).map(quote).join(', ')}, …): ${shown(report, above)} is the ` +
        `header, skipped as a comment (source.comment), and the first data row was read as the header: ` +
        `drop source.comment` +
        (rest ? ` and set source.skipRows: ${rest}` : ''),
    );
  }
  const data = comments.filter(
    (s) => s.line > header.line && fieldCount(report, s, header.delimiter) === width,
  );
  if (data.length === 0) return;
  const examples = data.slice(0, 2).map((s) => `${shown(report, s)} line ${s.line}`);
  const rest = skipAdvice(comments, header.line, data);
  throw new DataError(
    `${at}${data.length} line${data.length > 1 ? 's' : ''} after the header start with ${prefix} yet ` +
      `${data.length > 1 ? 'have' : 'has'} the header's ${width} fields (${examples.join(', ')}` +
      `${data.length > 2 ? ', …' : ''}): data whose first field starts with ${prefix}? source.comment would skip ` +
      `${data.length > 1 ? 'them' : 'it'} as comments: drop source.comment` +
      (rest ? ` and skip the other comment lines with source.skipRows: ${rest}` : '') +
      `; if they are commented-out rows, list every comment line in source.skipRows instead: ` +
      lineList(comments.map((s) => s.line)),
  );
}

/**
 * What "no data rows after the header" adds when comment lines followed the header: they were all
 * removed as comments. Null when none did.
 */
export function noRowsHint(report: SkipReport, headerLine: number): string | null {
  const after = report.skipped.filter((s) => s.why === 'comment' && s.line > headerLine);
  if (after.length === 0) return null;
  const span = after.length > 1 ? `lines ${after[0].line}–${after.at(-1)!.line}` : `line ${after[0].line}`;
  return (
    `the ${after.length} line${after.length > 1 ? 's' : ''} after it (${span}, first ${shown(report, after[0])}) ` +
    `were all skipped as comments (source.comment): if they are data, drop source.comment` +
    (headerLine > 1 ? ` and set source.skipRows: ${headerLine - 1} for the lines above the header` : '')
  );
}

/** What ingest's summary says: comment lines skipped, and each other skipped line with its first field. */
export interface SkippedSummary {
  /** Lines skipped by source.comment (present when it is set). */
  commentLines?: number;
  /** `line 2 'cm', line 77 'sepal_length'`: lines skipped by source.skipRows/skipFooter and their first field. */
  skippedLines?: string;
  /** Header names whose line breaks were read as spaces (`'Sepal Length (cm)'`). */
  headerNames?: string;
}

/** The summary of a SkipReport; `comment` says whether source.comment was set. */
export function skippedSummary(report: SkipReport, comment: boolean, delimiter: number): SkippedSummary {
  const summary: SkippedSummary = {};
  if (comment) summary.commentLines = report.skipped.filter((s) => s.why === 'comment').length;
  const other = report.skipped.filter((s) => s.why !== 'comment');
  if (other.length > 0)
    summary.skippedLines =
      other
        .slice(0, 6)
        .map((s) => `line ${s.line} ${quote(cut(firstField(report, s, delimiter), 30))}`)
        .join(', ') + (other.length > 6 ? `, … (${other.length} lines)` : '');
  return summary;
}

/** The SkippedSummary a parsed CSV table carries ({} for any other table): what ingest's summary adds. */
export function skippedLinesOf(table: arrow.Table): SkippedSummary {
  return JSON.parse(table.schema.metadata.get(SKIPPED_LINES_KEY) ?? '{}') as SkippedSummary;
}

/**
 * `source.skipRows` advice for the comment lines that are truly comments (all but `except`): a count
 * when they all lie above line `before`, a list otherwise; null when there are none.
 */
function skipAdvice(
  comments: readonly SkippedLine[],
  before: number,
  except: readonly SkippedLine[],
): string | null {
  const dropped = new Set(except.map((s) => s.line));
  const keep = comments.filter((s) => !dropped.has(s.line)).map((s) => s.line);
  if (keep.length === 0) return null;
  if (keep.every((l) => l < before)) return String(before - 1);
  return lineList(keep);
}

/** A skipRows list to paste: whole up to PASTED lines (a cut list would skip the wrong lines), else cut and said so. */
function lineList(lines: readonly number[]): string {
  if (lines.length <= PASTED) return `[${lines.join(', ')}]`;
  return `[${lines.slice(0, LISTED).join(', ')}, …] (${lines.length} lines: too many to list; remove them upstream)`;
}

/** The skipped line's text, line break dropped. */
function firstText(report: SkipReport, s: SkippedLine): string {
  let end = s.end;
  while (end > s.start && (report.text[end - 1] === LF || report.text[end - 1] === CR)) end--;
  return report.text.toString('utf8', s.start, Math.min(end, s.start + 4 * 200));
}

function shown(report: SkipReport, s: SkippedLine): string {
  return quote(cut(firstText(report, s), SHOWN));
}

function cut(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n)}…` : text;
}

/** Fields of a skipped line split on the delimiter, outside quotes. */
function fieldCount(report: SkipReport, s: SkippedLine, delimiter: number): number {
  return splitFields(report, s, delimiter, Infinity).length;
}

function firstField(report: SkipReport, s: SkippedLine, delimiter: number): string {
  return splitFields(report, s, delimiter, 1)[0].trim();
}

/** Up to `max` fields of a skipped line (quotes undone), read to its line's end. */
function splitFields(report: SkipReport, s: SkippedLine, delimiter: number, max: number): string[] {
  const bytes = report.text;
  const fields: string[] = [];
  let field: number[] = [];
  let quoted = false;
  for (let i = s.start; i < s.end && fields.length < max; i++) {
    const c = bytes[i];
    if (c === QUOTE) {
      if (quoted && bytes[i + 1] === QUOTE) field.push(bytes[++i]);
      else quoted = !quoted;
    } else if (!quoted && (c === LF || c === CR)) break;
    else if (!quoted && c === delimiter) {
      fields.push(Buffer.from(field).toString('utf8'));
      field = [];
    } else field.push(c);
  }
  if (fields.length < max) fields.push(Buffer.from(field).toString('utf8'));
  return fields;
}

function isNumber(name: string): boolean {
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(name.trim());
}
