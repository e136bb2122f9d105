import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as arrow from 'apache-arrow';
import { DataError, SpecError } from './errors';
import { readSourceBytes } from './source';
import { quote } from './quote';
import { DECLARED_TEXT, type ColumnType } from './sources/column-types';
import { checkCommentLines, noRowsHint, SKIPPED_LINES_KEY, skippedSummary } from './sources/comment-lines';
import {
  preambleHint,
  raggedRowHint,
  shortHeaderHint,
  skipLinesReport,
  type SkipLines,
} from './sources/csv-lines';
import { isUnnamed, namedWidth, trailingUnnamed, unnamedColumn } from './sources/csv-trailing';
import { describeQuoteError } from './sources/csv-quotes';
import { excelSepDirective } from './sources/excel-sep';
import { alignedColumnsHint, WHITESPACE_DELIMITER, whitespaceToTabs } from './sources/whitespace-columns';
import {
  checkHeaderIsNotData,
  namesCountError,
  oneLineName,
  suppliedNames,
  type HeaderOptions,
} from './sources/header-names';
import { checkInvisibleVariants, mayHoldInvisibles } from './sources/invisible-variants';
import { asciiDigits } from './sources/unicode-digits';
import { trimEdgeBlanks } from './sources/edge-blanks';
import { NullTokenTally } from './sources/null-tokens';
import { decodeToUtf8, type TextEncoding } from './sources/encoding';
import { locatorFrom, ROW_LINES_KEY, RowLineRecorder } from './sources/row-lines';
import { inferTextColumn, TEXT_REASON_KEY } from './sources/text-types';
import { ownValue } from './own-keys';

/**
 * CSV (RFC 4180) to Arrow with per-column type inference: a column whose non-null values all read
 * as finite decimal numbers becomes Float64; one of `true`/`false` only, Bool; one of ISO-8601 dates
 * only, Float64 milliseconds since the epoch (field metadata `quiver.logical_type = timestamp`);
 * any other column dictionary-encoded Utf8. Integer-shaped codes with leading zeros (`00123`; not
 * `05.1`, a zero-padded decimal) and integers beyond 2^53 stay exact, as text (field metadata `quiver.text_reason` says why).
 *
 * Nulls: an empty field, and an unquoted field equal to one of `nullValues` even when it reads as a
 * number (`-9999`; the raw text is compared, before numeric parsing; a quoted one is that
 * text). In a numeric column a quoted empty field is null too; in a text column it is `''`.
 * Blank lines, and under a header padded with trailing delimiters lines of delimiters only (`,,,,`), are skipped. Errors name the physical line (the header is line 1).
 *
 * Hand-written over the raw bytes, without a string per field, because ingest must sustain
 * ≥ 100 MB/s (see bench/csv-ingest.ts).
 */
export interface CsvOptions extends SkipLines, HeaderOptions {
  /** One ASCII character, or `whitespace` (runs of spaces and tabs); `,` unless given. */
  delimiter?: string;
  /** Named in error messages (readCsv passes the file path). */
  source?: string;
  /** Unquoted fields read as null; DEFAULT_NULL_VALUES unless given. */
  nullValues?: readonly string[];
  /**
   * Strip whitespace around unquoted fields and header names (default true), as
   * String.prototype.trim does (NBSP and other Unicode spaces too): `'red\u00a0'` is `'red'`; and
   * zero-width characters (U+200B–U+200D, U+2060, U+FEFF, U+00AD) at a field's ends.
   */
  trim?: boolean;
  /** Decimal separator, `.` (default) or `,` (then quote numbers in a `,`-separated file). */
  decimal?: '.' | ',';
  /** Digit-group separator inside numbers (`,` reads `"7,900"` as 7900); none by default. */
  thousands?: ',' | '.' | ' ' | "'" | '_';
  /** Text encoding; UTF-8 (decoded fatally) unless given or a byte order mark says otherwise. */
  encoding?: TextEncoding;
  /**
   * A repeated header name is read as pandas names it (`petal_length.1`, `.2`, …) instead of failing
   * (the default, as Arrow and Polars do).
   */
  renameDuplicates?: boolean;
  /** Blanks after a delimiter are skipped, so `5.1, "setosa"` reads `setosa` (pandas' `skipinitialspace`). */
  skipInitialSpace?: boolean;
  /** Declared column types: a `string` column is read as written, never as numbers, booleans or dates. */
  columnTypes?: Readonly<Record<string, ColumnType>>;
}

/**
 * Null tokens by default: pandas' `na_values` (Arrow's are a subset) plus `-` and `?`, which
 * survey and UCI exports write for "unknown". `Infinity`/`inf` are not among them: a numeric
 * column holding them becomes text, which sanity then fails by name (see core/data/numeric-tokens.ts).
 */
export const DEFAULT_NULL_VALUES: readonly string[] = [
  'NA',
  'N/A',
  'n/a',
  'NaN',
  'nan',
  '-NaN',
  '-nan',
  'null',
  'NULL',
  'None',
  '<NA>',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '1.#IND',
  '1.#QNAN',
  '-',
  '?',
];

/** Reads a CSV file (plain path, `file://` or `s3://` URI) into an Arrow table. */
export async function readCsv(pathOrFileUri: string, options: CsvOptions = {}): Promise<arrow.Table> {
  if (pathOrFileUri.startsWith('s3://'))
    return parseCsv(await readSourceBytes(pathOrFileUri), {
      ...options,
      source: options.source ?? pathOrFileUri,
    });
  const file = pathOrFileUri.startsWith('file://')
    ? fileURLToPath(pathOrFileUri)
    : path.resolve(pathOrFileUri);
  const bytes = await fs.readFile(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new DataError(`CSV file not found: ${file}`, { cause: error });
    throw error;
  });
  return parseCsv(bytes, { ...options, source: options.source ?? file });
}

/** Parses CSV text or bytes (any of the supported encodings) into an Arrow table. */
export function parseCsv(input: Buffer | string, options: CsvOptions = {}): arrow.Table {
  const raw = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  // Comment, preamble and footer lines are emptied (their line breaks kept: line numbers stay the file's).
  const skipped = skipLinesReport(
    decodeToUtf8(raw, options.encoding, options.source),
    options,
    options.source,
  );
  let bytes = skipped.bytes;
  // Excel's `sep=;` first line names the delimiter (source.delimiter, if set, wins) and is no header.
  const directive = excelSepDirective(bytes);
  if (directive) bytes = directive.bytes;
  const requested = options.delimiter ?? directive?.delimiter ?? ',';
  // Whitespace-aligned columns (pandas' sep=r'\s+') are read as tab-separated: each run of blanks one tab.
  if (requested === WHITESPACE_DELIMITER) bytes = whitespaceToTabs(bytes);
  const delimiter = delimiterByte(requested === WHITESPACE_DELIMITER ? '\t' : requested);
  const format = numberFormat(options);
  const fields = new FieldRules(options.nullValues ?? DEFAULT_NULL_VALUES, options.trim ?? true);
  const capacity = estimateRows(bytes);
  const forcedStrings = new Map<number, string | null>();
  decimalByte = format.decimal;
  thousandsByte = format.thousands;
  // A `;` file with no number format set is where `3.400` may mean 3400 (German digit groups).
  watchGroups = delimiter === 0x3b && options.decimal === undefined && options.thousands === undefined;
  try {
    for (;;) {
      const scanner = new Scanner(bytes, delimiter, options.source);
      scanner.blankLines = fields.trim;
      scanner.skipInitialSpace = options.skipInitialSpace ?? false;
      const given = suppliedNames(options);
      const names =
        options.header === false
          ? headerlessNames(scanner, given!, options.source)
          : renamed(
              readHeader(scanner, fields.trim, options.renameDuplicates ?? false),
              given,
              scanner,
              options.source,
            );
      scanner.names = names;
      // A comment prefix never eats data silently: data-shaped comment lines fail here.
      checkCommentLines(skipped, { line: scanner.headerLine, names, delimiter }, options.source);
      scanner.padded = names.some(isUnnamed);
      const hint = delimiterHint(names, delimiter);
      // One column whose name holds another separator: the file is not `,`-separated; say so now.
      if (hint && names.length === 1)
        throw scanner.error(1, `the header reads as one column ${quote(names[0])}: ${hint}`);
      const aligned = names.length === 1 ? alignedColumnsHint(names[0]) : null;
      if (aligned)
        throw scanner.error(
          scanner.headerLine,
          `the header reads as one column ${quote(names[0])}: ${aligned}`,
        );
      const columns = names.map((name, i) => {
        // A declared string column is text from its first value: no number ever replaces its spelling.
        const declared = ownValue(options.columnTypes, name) === 'string';
        const reason = declared ? DECLARED_TEXT : (forcedStrings.get(i) ?? null);
        return new ColumnBuilder(capacity, forcedStrings.has(i) || declared, fields, reason, declared);
      });
      const lines = new RowLineRecorder();
      const rows = readRows(
        scanner,
        columns,
        lines,
        hint ?? preambleHint(names),
        noRowsHint(skipped, scanner.headerLine),
      );
      // A column that turned out to hold text after numbers were already stored is read again as text.
      // So is a column of quoted empty fields only: they are empty strings, there being no number.
      // So is a column of `1E5`-shaped codes, unless it is declared a number column.
      const retyped = columns.flatMap((column, i) =>
        column.lostText ||
        column.onlyQuotedEmpties() ||
        (ownValue(options.columnTypes, names[i]) !== 'number' && column.exponentCodesOnly())
          ? [i]
          : [],
      );
      if (retyped.length === 0) {
        const width = namedWidth(names, columns, rows, lines, options.source);
        // `'red'` and `'r\u200bed'`: two categories that look one; trim strips such characters only at the ends.
        if (fields.trim && mayHoldInvisibles(bytes))
          columns.forEach(
            (c, i) => c.codes && checkInvisibleVariants(names[i], c.dictionary.values(), options.source),
          );
        checkDotGroups(names.slice(0, width), columns, lines, options.source);
        const table = toTable(names.slice(0, width), columns.slice(0, width), rows, lines);
        // `source.header: true` says the first line is a header: no guessing then.
        if (options.header === undefined && !given)
          checkHeaderIsNotData(table, scanner.headerLine, options.source);
        const summary = skippedSummary(skipped, options.comment !== undefined, delimiter);
        if (scanner.joinedNames.length > 0) summary.headerNames = scanner.joinedNames.join(', ');
        if (Object.keys(summary).length > 0)
          table.schema.metadata.set(SKIPPED_LINES_KEY, JSON.stringify(summary));
        return table;
      }
      for (const i of retyped) forcedStrings.set(i, columns[i].textReason);
    }
  } finally {
    decimalByte = 0x2e;
    thousandsByte = -1;
    watchGroups = false;
  }
}

/** The decimal and digit-group bytes. */
function numberFormat(options: CsvOptions): { decimal: number; thousands: number } {
  const decimal = (options.decimal ?? '.').charCodeAt(0);
  const thousands = options.thousands === undefined ? -1 : options.thousands.charCodeAt(0);
  if (decimal !== 0x2e && decimal !== 0x2c)
    throw new SpecError(`source.decimal must be '.' or ',', got ${JSON.stringify(options.decimal)}`);
  if (thousands === decimal)
    throw new SpecError(
      `source.thousands and source.decimal are both '${String.fromCharCode(decimal)}'` +
        (options.decimal === undefined
          ? " ('.' is the decimal mark by default): set source.decimal: ','"
          : ''),
    );
  // A decimal comma in a `,`-separated file is allowed: such numbers are quoted (`"3,14"`), as RFC 4180 asks.
  return { decimal, thousands };
}

/** How a field's bytes become a null: blanks trimmed, empty or a null token. */
class FieldRules {
  /** Byte strings of the tokens, bucketed by length for a cheap miss. */
  private readonly byLength = new Map<number, Buffer[]>();
  private readonly firstBytes = new Uint8Array(256);
  private readonly longest: number;
  /** Some token reads as a number (`-9999`, `1e308`): numbers parsed on the fast path are checked too. */
  readonly numericTokens: boolean;

  constructor(
    tokens: readonly string[],
    readonly trim: boolean,
  ) {
    let longest = 0;
    for (const token of tokens) {
      const bytes = Buffer.from(token, 'utf8');
      if (bytes.length === 0) continue; // an empty field is null anyway
      longest = Math.max(longest, bytes.length);
      this.firstBytes[bytes[0]] = 1;
      const bucket = this.byLength.get(bytes.length) ?? [];
      bucket.push(bytes);
      this.byLength.set(bytes.length, bucket);
    }
    this.longest = longest;
    // Listed tokens are null whatever they look like, so a sentinel must be caught before it is a number.
    this.numericTokens = tokens.some((t) => NUMBER_LIKE.test(t.trim()));
  }

  isNullToken(bytes: Buffer, start: number, end: number): boolean {
    const length = end - start;
    if (length === 0 || length > this.longest || this.firstBytes[bytes[start]] === 0) return false;
    const bucket = this.byLength.get(length);
    if (!bucket) return false;
    outer: for (const token of bucket) {
      for (let k = 0; k < length; k++) if (token[k] !== bytes[start + k]) continue outer;
      return true;
    }
    return false;
  }
}

/** A token the number reader might take (then the fast path compares raw text with the tokens). */
const NUMBER_LIKE = /^[\s\d+\-.,eE'_]+$/;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

function delimiterByte(delimiter: string): number {
  const code = delimiter.charCodeAt(0);
  if (delimiter.length !== 1 || code > 0x7f || code === QUOTE || code === LF || code === CR) {
    throw new SpecError(
      `CSV delimiter must be one ASCII character other than a quote or line break, got ${JSON.stringify(delimiter)}`,
    );
  }
  return code;
}

/** How the last field ended. */
const enum End {
  Field,
  Row,
  File,
}

/** Splits the bytes into fields, counting physical lines; `start`/`end` bound the last field's content. */
class Scanner {
  pos = 0;
  line = 1;
  start = 0;
  end = 0;
  quoted = false;
  /** Doubled quotes inside the last (quoted) field, which must be unescaped before use. */
  escapes = 0;
  /** The last field's number when nextNumber() could read it as one; NaN otherwise. */
  value = NaN;
  /** 1 for the bytes that end an unquoted field's run: delimiter, quote, CR, LF. */
  private readonly special = new Uint8Array(256);
  /** The header's names once read, and the 0-based field of the row being read: quote errors name the column. */
  names: readonly string[] = [];
  field = -1;
  /** The header ends in unnamed columns (`…,species,,,`): lines of delimiters only are padding. */
  padded = false;
  /** Lines of spaces (and tabs, unless the delimiter) only are skipped as blank (source.trim). */
  blankLines = false;
  /** Blanks before a field's opening quote are skipped (`, "setosa"`: source.skipInitialSpace). */
  skipInitialSpace = false;
  /** The header's physical line, once read (0: the file has none, source.header: false). */
  headerLine = 1;
  /** Header names whose line breaks were read as spaces (`'Sepal Length (cm)'`), for ingest's summary. */
  joinedNames: string[] = [];

  constructor(
    readonly bytes: Buffer,
    readonly delimiter: number,
    private readonly source: string | undefined,
  ) {
    for (const c of [delimiter, QUOTE, CR, LF]) this.special[c] = 1;
  }

  /** A DataError naming the source and, when given, the physical line. */
  error(line: number | undefined, reason: string): DataError {
    const where = [this.source, line === undefined ? undefined : `line ${line}`].filter(Boolean);
    return new DataError([...where, reason].join(': '));
  }

  /** Skips blank lines; false at the end of the input. */
  nextRow(): boolean {
    const { bytes } = this;
    for (let at = this.pos; at < bytes.length; at = this.pos) {
      // Under a padded header, a line of delimiters only (`,,,,`: Excel pads empty rows so) is blank too.
      while (this.padded && at < bytes.length && bytes[at] === this.delimiter) at++;
      // With trim on, a line of blanks only (a hand-edited file's `   `) is a blank line too.
      while (this.blankLines && (bytes[at] === SPACE || (bytes[at] === TAB && this.delimiter !== TAB))) at++;
      if (at > this.pos && at >= bytes.length) this.pos = at;
      else if (bytes[at] === LF || bytes[at] === CR) this.pos = this.lineEnd(at);
      else break;
    }
    this.field = -1;
    return this.pos < bytes.length;
  }

  next(): End {
    const { bytes, special } = this;
    const n = bytes.length;
    let i = this.pos;
    this.value = NaN;
    this.field++;
    if (this.skipInitialSpace) while (bytes[i] === SPACE || bytes[i] === TAB) i++;
    if (bytes[i] === QUOTE) return this.nextQuoted(i);
    this.quoted = false;
    this.start = i;
    while (i < n && special[bytes[i]] === 0) i++;
    return this.endField(i);
  }

  /** Like next(), reading a plain number on the way (one pass over its bytes) into `value`. */
  nextNumber(): End {
    const { bytes } = this;
    const start = this.pos;
    // In an unquoted field the delimiter always ends the field, even when it is also the digit-group byte.
    const value = parseNumber(bytes, start, bytes.length, this.delimiter);
    const stop = bytes[numberEnd];
    if (
      value !== value ||
      numberShape !== PLAIN ||
      (numberEnd < bytes.length && (this.special[stop] === 0 || stop === QUOTE))
    )
      return this.next();
    this.field++;
    this.value = value;
    this.quoted = false;
    this.start = start;
    return this.endField(numberEnd);
  }

  /** Ends an unquoted field at `i`: a delimiter, a line break or the end of the input. */
  private endField(i: number): End {
    const { bytes } = this;
    this.end = i;
    if (i >= bytes.length) {
      this.pos = i;
      return End.File;
    }
    if (bytes[i] === this.delimiter) {
      this.pos = i + 1;
      return End.Field;
    }
    if (bytes[i] === QUOTE) throw this.quoteError('unexpected quote inside an unquoted field', this.start);
    this.pos = this.lineEnd(i);
    return End.Row;
  }

  private nextQuoted(open: number): End {
    const { bytes } = this;
    const n = bytes.length;
    const line = this.line;
    this.quoted = true;
    this.escapes = 0;
    this.start = open + 1;
    let i = open + 1;
    for (;;) {
      if (i >= n) throw this.quoteError('unterminated quoted field', open, line);
      const c = bytes[i];
      if (c === QUOTE) {
        if (bytes[i + 1] !== QUOTE) break;
        this.escapes++;
        i += 2;
      } else {
        if (c === LF || (c === CR && bytes[i + 1] !== LF)) this.line++;
        i++;
      }
    }
    this.end = i;
    return this.afterClosingQuote(i + 1);
  }

  private afterClosingQuote(i: number): End {
    const c = this.bytes[i];
    if (i >= this.bytes.length) {
      this.pos = i;
      return End.File;
    }
    if (c === this.delimiter) {
      this.pos = i + 1;
      return End.Field;
    }
    if (c === LF || c === CR) {
      this.pos = this.lineEnd(i);
      return End.Row;
    }
    throw this.quoteError(
      `unexpected character ${JSON.stringify(String.fromCharCode(c))} after a closing quote`,
      this.start - 1,
    );
  }

  /** A quote error naming the line, the column and the field's text, with what RFC 4180 expects. */
  private quoteError(reason: string, fieldStart: number, line = this.line): DataError {
    return this.error(line, `${reason}${describeQuoteError(this.bytes, fieldStart, this.field, this.names)}`);
  }

  /** Position after the line break at `i` (CRLF, LF or a lone CR), counting the line. */
  private lineEnd(i: number): number {
    this.line++;
    return this.bytes[i] === CR && this.bytes[i + 1] === LF ? i + 2 : i + 1;
  }

  /** The last field's content as bytes, with doubled quotes undone. */
  content(): Buffer {
    const raw = this.bytes.subarray(this.start, this.end);
    if (this.escapes === 0) return raw;
    const out = Buffer.allocUnsafe(raw.length - this.escapes);
    let o = 0;
    for (let i = 0; i < raw.length; i++) {
      out[o++] = raw[i];
      if (raw[i] === QUOTE) i++;
    }
    return out;
  }
}

/** The name pandas' read_csv gives an empty first header cell (the index `df.to_csv()` writes). */
const PANDAS_INDEX_NAME = 'Unnamed: 0';

function readHeader(scanner: Scanner, trim: boolean, renameDuplicates: boolean): string[] {
  if (!scanner.nextRow()) throw scanner.error(1, 'the file is empty: a header row is required');
  const line = scanner.line;
  scanner.headerLine = line;
  const names: string[] = [];
  let end: End;
  do {
    end = scanner.next();
    const text = scanner.content().toString('utf8');
    const name = oneLineName(trim && !scanner.quoted ? trimEdgeBlanks(text) : text);
    if (name !== text && /[\r\n]/.test(text)) scanner.joinedNames.push(quote(name));
    names.push(name);
  } while (end === End.Field);
  const seen = new Map<string, number>();
  const named = names.length - trailingUnnamed(names);
  names.forEach((name, i) => {
    // Unnamed trailing columns (a trailing delimiter: `…,species,`) are read, then dropped if empty.
    if (i >= named) return void (names[i] = unnamedColumn(i));
    // pandas' `df.to_csv()` (and R's `write.csv`) write the index with an empty first name; pandas reads it so.
    if (i === 0 && name.trim() === '' && names.length > 1)
      return void seen.set((names[i] = PANDAS_INDEX_NAME), i);
    if (name.trim() === '')
      throw scanner.error(
        line,
        `column ${i + 1} has an empty header name` +
          (scanner.delimiter === SPACE
            ? `: names separated by runs of spaces? set source.delimiter: ${WHITESPACE_DELIMITER}`
            : ''),
      );
    if (name.includes('\0'))
      throw scanner.error(
        line,
        `header name ${quote(name)} holds NUL bytes: set source.encoding (utf-16le?)`,
      );
    const first = seen.get(name);
    if (first !== undefined && renameDuplicates)
      return void seen.set((names[i] = pandasDuplicateName(name, seen)), i);
    if (first !== undefined) throw scanner.error(line, duplicateNameMessage(name, first, i, seen));
    seen.set(name, i);
  });
  return names;
}

/**
 * The names of a file without a header line (source.header: false): source.names, one per field of
 * the first line, which is read as data (the scanner stays at the file's start).
 */
function headerlessNames(scanner: Scanner, names: string[], source: string | undefined): string[] {
  scanner.headerLine = 0;
  const probe = new Scanner(scanner.bytes, scanner.delimiter, source);
  if (!probe.nextRow()) throw scanner.error(undefined, 'the file is empty: no data rows');
  const line = probe.line;
  let fields = 0;
  while (probe.next() === End.Field) fields++;
  if (fields + 1 !== names.length) throw namesCountError(names, fields + 1, line, source);
  return names;
}

/** The header's names replaced by source.names (pandas' `names=` with a header line), one per field. */
function renamed(
  names: string[],
  given: string[] | null,
  scanner: Scanner,
  source: string | undefined,
): string[] {
  if (!given) return names;
  if (given.length !== names.length) throw namesCountError(given, names.length, scanner.headerLine, source);
  return given;
}

/** `name.1`, `name.2`, …: the first of pandas' names for a repeated header name that is free. */
function pandasDuplicateName(name: string, seen: ReadonlyMap<string, number>): string {
  let k = 1;
  while (seen.has(`${name}.${k}`)) k++;
  return `${name}.${k}`;
}

/** A repeated header name, both columns (1-based) and the ways out. */
function duplicateNameMessage(
  name: string,
  first: number,
  i: number,
  seen: ReadonlyMap<string, number>,
): string {
  return (
    `duplicate header name ${quote(name)} (columns ${first + 1} and ${i + 1}): rename one upstream, or set ` +
    `source.renameDuplicates: true to read column ${i + 1} as ${quote(pandasDuplicateName(name, seen))} (as pandas does)`
  );
}

/** Characters of a row a message shows; a longer row is cut, with `…`. */
const ROW_TEXT_SHOWN = 120;

/** How many NUL bytes the row is, line break aside; 0 when it holds anything else. */
function nulPadding(bytes: Buffer, start: number, end: number): number {
  let stop = end;
  while (stop > start && (bytes[stop - 1] === LF || bytes[stop - 1] === CR)) stop--;
  for (let i = start; i < stop; i++) if (bytes[i] !== 0) return 0;
  return stop - start;
}

/** The row's text between `start` and `end` (its line break dropped), quoted, cut to ROW_TEXT_SHOWN. */
function rowText(bytes: Buffer, start: number, end: number): string {
  // NUL padding (a pre-allocated or crash-truncated file) is named, not printed as hundreds of escapes.
  const nuls = nulPadding(bytes, start, end);
  if (nuls > 0) return `${quote('\0')} × ${nuls} (NUL padding)`;
  // 4 bytes per character at most: decode no more than the message can show.
  const text = bytes
    .toString('utf8', start, Math.min(end, start + ROW_TEXT_SHOWN * 4 + 4))
    .replace(/\r?\n$/, '');
  return text.length > ROW_TEXT_SHOWN ? `${quote(text.slice(0, ROW_TEXT_SHOWN))}…` : quote(text);
}

/** Reads every data row into the column builders, noting where each starts; returns the row count. */
function readRows(
  scanner: Scanner,
  columns: ColumnBuilder[],
  lines: RowLineRecorder,
  hint: string | null,
  emptyHint: string | null,
): number {
  const width = columns.length;
  const dataStart = scanner.pos;
  let rows = 0;
  while (scanner.nextRow()) {
    const line = scanner.line;
    const rowStart = scanner.pos;
    lines.record(rows, line);
    if (rows === columns[0].capacity) for (const column of columns) column.grow();
    let fields = 0;
    let end: End;
    do {
      const column = fields < width ? columns[fields] : undefined;
      end = column?.numbers ? scanner.nextNumber() : scanner.next();
      column?.push(scanner, rows);
      fields++;
    } while (end === End.Field);
    if (fields !== width) {
      const header = { line: scanner.headerLine, width };
      const why = [
        raggedRowHint(scanner.bytes, scanner, width, fields, scanner.delimiter, line),
        hint ??
          (fields > width ? shortHeaderHint(scanner.bytes, dataStart, header, scanner.delimiter) : null),
      ];
      throw scanner.error(
        line,
        `expected ${width} fields (as the header has), found ${fields}: ${rowText(scanner.bytes, rowStart, scanner.pos)}${why
          .filter(Boolean)
          .map((h) => `; ${h}`)
          .join('')}`,
      );
    }
    rows++;
  }
  if (rows === 0)
    throw scanner.error(undefined, `no data rows after the header${emptyHint ? `: ${emptyHint}` : ''}`);
  return rows;
}

/** Separators people use instead of the configured one, most common first. */
const OTHER_DELIMITERS = [';', '\t', '|'];

/**
 * `the header contains ';' — set source.delimiter: ';'` when the header names hold another common
 * separator (a `;`-separated export read as `,`); null when none does. A header read as one field
 * is also tried on `,` (a `,`-separated file given `source.delimiter: ';'`), choosing the separator
 * that splits it into the most fields.
 */
function delimiterHint(names: string[], delimiter: number): string | null {
  const header = names.join('');
  // Commas inside names of a multi-column header are text (`weight, kg`), not a wrong separator.
  const candidates = names.length === 1 ? [',', ...OTHER_DELIMITERS] : OTHER_DELIMITERS;
  let other: string | undefined;
  let most = 1;
  for (const d of candidates) {
    const fields = header.split(d).length;
    if (d.charCodeAt(0) !== delimiter && fields > most) [other, most] = [d, fields];
  }
  if (other === undefined) return null;
  const shown = other === '\t' ? '"\\t"' : `'${other}'`;
  return `the header contains ${shown} — set source.delimiter: ${shown}`;
}

/** Rows can be no more than line breaks + 1; memchr-speed counting saves regrowing the columns. */
function estimateRows(bytes: Buffer): number {
  let count = 1;
  for (let i = bytes.indexOf(LF); i >= 0; i = bytes.indexOf(LF, i + 1)) count++;
  return count;
}

/** One column's values: numbers while every value reads as one, dictionary codes from then on. */
class ColumnBuilder {
  numbers: Float64Array | null;
  codes: Int32Array | null = null;
  /** Validity bitmap, all set until a null clears a bit: nulls are the rare case. */
  validity: Uint8Array;
  nulls = 0;
  /** Numbers were stored before the first text value: their text is gone, so the parse reruns. */
  lostText = false;
  /** Metadata of the Arrow field (a timestamp's logical type, why a number-like column is text). */
  fieldMetadata: Map<string, string> | null = null;
  /** Values stored as numbers (or quoted empties stored as nulls) that text would spell otherwise. */
  private stored = 0;
  private quotedEmpties = 0;
  private exponentCodes = 0;
  /** Which null tokens were read as null, and how often (sanity asks whether `NA` was a category). */
  readonly nullTokens = new NullTokenTally();
  readonly dictionary = new ByteDictionary();
  /** How its numbers were written, in a `;` file with no number format set (see checkDotGroups). */
  readonly groups = new DotGroups();

  constructor(
    public capacity: number,
    text: boolean,
    private readonly rules: FieldRules,
    /** Why a number-looking column is text (`leading zeros ('007')`), recorded in its field metadata. */
    public textReason: string | null,
    /** Declared text (source.columnTypes): its words are never typed as booleans or timestamps. */
    private readonly declaredText = false,
  ) {
    this.numbers = text ? null : new Float64Array(capacity);
    if (text) this.codes = new Int32Array(capacity);
    this.validity = new Uint8Array((capacity + 7) >> 3).fill(0xff);
  }

  grow(): void {
    this.capacity *= 2;
    this.numbers = this.numbers && grown(this.numbers, new Float64Array(this.capacity));
    this.codes = this.codes && grown(this.codes, new Int32Array(this.capacity));
    this.validity = grown(this.validity, new Uint8Array((this.capacity + 7) >> 3).fill(0xff));
  }

  push(scanner: Scanner, row: number): void {
    if (this.numbers && scanner.value === scanner.value) {
      if (this.rules.numericTokens && this.isNumericNullToken(scanner)) return this.setNull(row);
      if (watchGroups) this.groups.note(row, scanner.value);
      this.numbers[row] = scanner.value;
      this.stored++;
      if (numberExponentCode) this.exponentCodes++;
    } else if (!scanner.quoted && scanner.start === scanner.end) {
      this.setNull(row);
    } else {
      this.pushSlow(scanner, row);
    }
  }

  /** The number just read is, as raw text (blanks trimmed), one of the null tokens (`-9999`). */
  private isNumericNullToken(scanner: Scanner): boolean {
    const { bytes } = scanner;
    let { start, end } = scanner;
    while (start < end && (bytes[start] === SPACE || bytes[start] === TAB)) start++;
    while (end > start && (bytes[end - 1] === SPACE || bytes[end - 1] === TAB)) end--;
    return this.rules.isNullToken(bytes, start, end);
  }

  /**
   * Numeric, yet every number is written `1E5` (integer mantissa, uppercase E, unsigned exponent): a
   * column of codes (building, part, location codes), which no float writer produces (Excel writes
   * `1E+05`, Python and R `1e+05`). Notes why it is read again as text.
   */
  exponentCodesOnly(): boolean {
    if (
      this.numbers === null ||
      this.exponentCodes === 0 ||
      this.exponentCodes !== this.stored - this.quotedEmpties
    )
      return false;
    this.textReason = `codes written like numbers with an exponent ('1E5' would read as 100000) kept as text: set source.columnTypes to number if they are numbers`;
    return true;
  }

  /** Numeric so far, yet it holds no number: only nulls, some of them quoted empty fields. */
  onlyQuotedEmpties(): boolean {
    return this.numbers !== null && this.quotedEmpties > 0 && this.stored === this.quotedEmpties;
  }

  private setNull(row: number): void {
    this.validity[row >> 3] &= ~(1 << (row & 7));
    this.nulls++;
  }

  /** Text, quoted fields, null tokens, and numbers that nextNumber() did not take. */
  private pushSlow(scanner: Scanner, row: number): void {
    const field = scanner.quoted && scanner.escapes ? contentOf(scanner) : scanner;
    const { bytes } = field;
    let { start, end } = field;
    if (!scanner.quoted) {
      if (this.rules.trim) {
        for (let w = blankAt(bytes, start, end); w > 0; w = blankAt(bytes, start, end)) start += w;
        for (let w = blankBefore(bytes, start, end); w > 0; w = blankBefore(bytes, start, end)) end -= w;
      }
      if (start === end) return this.setNull(row);
      if (this.rules.isNullToken(bytes, start, end)) {
        this.nullTokens.note(bytes, start, end);
        return this.setNull(row);
      }
    } else if (start === end && this.numbers) {
      this.stored++; // a quoted empty field: no number, so null, unless the column turns out text
      this.quotedEmpties++;
      return this.setNull(row);
    }
    if (this.numbers) {
      const value = parseValue(bytes, start, end);
      const read = value === value && numberEnd === -1;
      if (read && numberShape === PLAIN) {
        if (watchGroups) this.groups.note(row, value);
        this.numbers[row] = value;
        this.stored++;
        if (numberExponentCode) this.exponentCodes++;
        return;
      }
      if (read)
        this.textReason = `${numberShape === LEADING_ZERO ? 'codes with leading zeros' : 'integers beyond 2^53'} (${quote(bytes.toString('utf8', start, end))}) kept exact as text`;
      this.toText();
    }
    this.codes![row] = this.dictionary.intern(bytes, start, end);
  }

  private toText(): void {
    this.lostText = this.stored > 0; // some values before this one were stored as numbers
    this.numbers = null;
    this.codes = new Int32Array(this.capacity);
  }

  toData(rows: number): arrow.Data {
    const nullCount = this.nulls;
    const nullBitmap = nullCount > 0 ? this.validity.subarray(0, (rows + 7) >> 3) : undefined;
    if (this.numbers) {
      return arrow.makeData({
        type: new arrow.Float64(),
        length: rows,
        nullCount,
        nullBitmap,
        data: this.numbers.subarray(0, rows),
      });
    }
    const words = this.dictionary.values();
    const typed = this.declaredText
      ? null
      : inferTextColumn(words, this.codes!.subarray(0, rows), nullBitmap, nullCount);
    if (typed) {
      this.fieldMetadata = typed.metadata ?? null;
      return typed.data;
    }
    const dictionary = arrow.vectorFromArray(words, new arrow.Utf8());
    const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
    return arrow.makeData({
      type,
      length: rows,
      nullCount,
      nullBitmap,
      data: this.codes!.subarray(0, rows),
      dictionary,
    });
  }
}

/**
 * Byte length of the whitespace character starting at `i` (0 if none), as String.prototype.trim
 * counts whitespace: space, tab, VT, FF, and in UTF-8 NBSP (C2 A0), U+1680, U+2000–U+200A, U+2028,
 * U+2029, U+202F, U+205F, U+3000 and the BOM (EF BB BF). Exported spreadsheets pad with NBSP.
 * Invisible format characters copy-paste leaves at a value's ends go too (zero-width space, joiners
 * U+200B–U+200D, word joiner U+2060, soft hyphen U+00AD): `'red\u200b'` is `'red'`. So do the bidi
 * marks Hebrew and Arabic exports leave around values (LRM/RLM U+200E/U+200F, ALM U+061C, embeddings
 * and overrides U+202A–U+202E, isolates U+2066–U+2069): `'\u200f5.0'` is `5.0`.
 */
function blankAt(bytes: Buffer, i: number, end: number): number {
  if (i >= end) return 0;
  const b = bytes[i];
  if (b === SPACE || b === TAB || b === 0x0b || b === 0x0c) return 1;
  if (b === 0xc2) return i + 1 < end && (bytes[i + 1] === 0xa0 || bytes[i + 1] === 0xad) ? 2 : 0;
  if (b === 0xd8) return i + 1 < end && bytes[i + 1] === 0x9c ? 2 : 0; // U+061C ARABIC LETTER MARK
  if (b < 0xe1 || b > 0xef || i + 2 >= end) return 0;
  const c = bytes[i + 1];
  const d = bytes[i + 2];
  const wide =
    (b === 0xe1 && c === 0x9a && d === 0x80) ||
    (b === 0xe2 && c === 0x80 && ((d >= 0x80 && d <= 0x8f) || d === 0xa8 || d === 0xa9 || d === 0xaf)) ||
    (b === 0xe2 && c === 0x80 && d >= 0xaa && d <= 0xae) ||
    (b === 0xe2 && c === 0x81 && (d === 0x9f || d === 0xa0 || (d >= 0xa6 && d <= 0xa9))) ||
    (b === 0xe3 && c === 0x80 && d === 0x80) ||
    (b === 0xef && c === 0xbb && d === 0xbf);
  return wide ? 3 : 0;
}

/** Byte length of the whitespace character ending just before `end` (0 if none); see blankAt. */
function blankBefore(bytes: Buffer, start: number, end: number): number {
  if (end <= start) return 0;
  if (bytes[end - 1] < 0x80) return blankAt(bytes, end - 1, end);
  if (end - 2 >= start && blankAt(bytes, end - 2, end) === 2) return 2;
  return end - 3 >= start && blankAt(bytes, end - 3, end) === 3 ? 3 : 0;
}

/**
 * Shapes of one column's numbers as written: `d.ddd` (1–3 digits not starting with 0, a dot,
 * exactly 3 digits), integers, anything else. Fed from parseNumber's last read.
 */
class DotGroups {
  dotted = 0;
  integers = 0;
  other = 0;
  firstDotted = -1;

  note(row: number, value: number): void {
    if (numberExponent) this.other++;
    else if (
      numberDecimals === 3 &&
      numberIntegerDigits <= 3 &&
      numberIntegerDigits >= 1 &&
      Math.abs(value) >= 1
    ) {
      if (this.dotted++ === 0) this.firstDotted = row;
    } else if (numberDecimals === -1) this.integers++;
    else this.other++;
  }
}

/**
 * German-style digit groups read as decimals: in a `;` file with no number format set, a numeric
 * column whose every value is either `d.ddd` (`3.400`, `22.083`) or an integer (`950`, `85`), with
 * both present, most likely means 3400 beside 950, not 3.4: a writer of decimals does not write
 * exactly 3 decimals on every fraction. Fails ingest naming the column, a value and its line, and
 * the settings; `source.decimal: '.'` set explicitly keeps the reading.
 */
function checkDotGroups(
  names: string[],
  columns: ColumnBuilder[],
  lines: RowLineRecorder,
  source: string | undefined,
): void {
  if (!watchGroups) return;
  columns.forEach((column, i) => {
    const g = column.groups;
    if (!column.numbers || g.dotted === 0 || g.integers === 0 || g.other > 0) return;
    const value = column.numbers[g.firstDotted].toFixed(3);
    const at = locatorFrom(lines.toMetadata()).at(g.firstDotted);
    throw new DataError(
      `${source ? `${source}: ` : ''}column ${quote(names[i])}: ${quote(value)} (${at}) has a dot and exactly 3 digits ` +
        `beside integers, like German digit groups (3.400 = 3400): set source.thousands: '.' and ` +
        `source.decimal: ',', or source.decimal: '.' if the dot is a decimal mark`,
    );
  });
}

function contentOf(scanner: Scanner): { bytes: Buffer; start: number; end: number } {
  const bytes = scanner.content();
  return { bytes, start: 0, end: bytes.length };
}

function grown<T extends Float64Array | Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

function toTable(
  names: string[],
  columns: ColumnBuilder[],
  rows: number,
  lines: RowLineRecorder,
): arrow.Table {
  const data = columns.map((column) => column.toData(rows));
  const fields = names.map((name, i) => {
    const { textReason, fieldMetadata, numbers } = columns[i];
    const reason = textReason && numbers === null ? new Map([[TEXT_REASON_KEY, textReason]]) : undefined;
    return new arrow.Field(name, data[i].type, true, columns[i].nullTokens.into(fieldMetadata ?? reason));
  });
  const schema = new arrow.Schema(fields, new Map([[ROW_LINES_KEY, lines.toMetadata()]]));
  const struct = arrow.makeData({
    type: new arrow.Struct(fields),
    length: rows,
    nullCount: 0,
    children: data,
  });
  return new arrow.Table(schema, [new arrow.RecordBatch(schema, struct)]);
}

/** Distinct byte strings of one column, interned to dense codes without decoding each field. */
class ByteDictionary {
  private arena = Buffer.allocUnsafe(1024);
  private used = 0;
  private offsets: number[] = [0];
  private hashes: number[] = [];
  /** Open addressing: entry index + 1, 0 when empty. */
  private slots = new Int32Array(64);

  intern(bytes: Buffer, start: number, end: number): number {
    let hash = 0x811c9dc5; // FNV-1a
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot] - 1;
      if (entry < 0) return this.insert(bytes, start, end, hash, slot);
      if (this.hashes[entry] === hash && this.equals(entry, bytes, start, end)) return entry;
    }
  }

  values(): string[] {
    return this.hashes.map((_, i) => this.arena.toString('utf8', this.offsets[i], this.offsets[i + 1]));
  }

  private equals(entry: number, bytes: Buffer, start: number, end: number): boolean {
    const from = this.offsets[entry];
    if (this.offsets[entry + 1] - from !== end - start) return false;
    for (let i = start, j = from; i < end; i++, j++) if (bytes[i] !== this.arena[j]) return false;
    return true;
  }

  private insert(bytes: Buffer, start: number, end: number, hash: number, slot: number): number {
    const entry = this.hashes.length;
    if (this.used + (end - start) > this.arena.length) {
      this.arena = grown(
        this.arena,
        Buffer.allocUnsafe(Math.max(this.arena.length * 2, this.used + end - start)),
      );
    }
    bytes.copy(this.arena, this.used, start, end);
    this.used += end - start;
    this.offsets.push(this.used);
    this.hashes.push(hash);
    this.slots[slot] = entry + 1;
    if (this.hashes.length * 2 > this.slots.length) this.rehash();
    return entry;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    const mask = this.slots.length - 1;
    this.hashes.forEach((hash, entry) => {
      let slot = hash & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = entry + 1;
    });
  }
}

const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
/** Below this, mantissa * 10 + 9 stays under 2^53: every digit so far is exact. */
const EXACT_MANTISSA_LIMIT = 900719925474099;
/** Where the last parseNumber() stopped (after trailing blanks): read right after the call. */
let numberEnd = 0;
/** What the last parseNumber() read: a plain number, or one that must stay text to stay exact. */
let numberShape = 0;
const PLAIN = 0;
const LEADING_ZERO = 1;
const BIG_INTEGER = 2;
/** Digits after the decimal mark in the last parseNumber() read (-1: no mark), its integer digits, exponent. */
let numberDecimals = -1;
let numberIntegerDigits = 0;
let numberExponent = false;
/** The last parseNumber() read a `1E5`-shaped number (see exponentCodesOnly). */
let numberExponentCode = false;
/** Whether ColumnBuilders note number shapes (a `;` file with no number format set). */
let watchGroups = false;
/** The decimal separator and digit-group byte (-1: none) of the parse in progress. */
let decimalByte = 0x2e;
let thousandsByte = -1;
const TWO_TO_53 = 2n ** 53n;

/**
 * Reads a finite decimal number (`-1.5`, `3`, `.5`, `2e-3`, blanks around it) from `start`, stopping
 * at the first byte that cannot continue it (position in `numberEnd`); NaN when there is none, or
 * for hex, `NaN` and `Infinity`. Mantissas below 2^53 are exact (times or divided by an exact power
 * of ten rounds once, as Number() does); longer ones go through Number(). `numberShape` flags a
 * code with leading zeros (`007`) and an integer beyond 2^53, which a float would change.
 * A leading U+2212 MINUS SIGN is a minus. Digit groups (`thousandsByte`) are 1–3 digits, then
 * exactly 3 per group, else NaN; neither the group byte nor the decimal mark is read when it is
 * `delimiter` (an unquoted field, which the delimiter always ends).
 */
function parseNumber(bytes: Buffer, start: number, limit: number, delimiter = -1): number {
  let i = start;
  while (i < limit && (bytes[i] === SPACE || bytes[i] === TAB)) i++;
  let first = i;
  let negative = bytes[i] === 0x2d;
  // U+2212 MINUS SIGN (the typographic minus spreadsheets, Word and web tables write) reads as '-'.
  const unicodeMinus =
    !negative && bytes[i] === 0xe2 && bytes[i + 1] === 0x88 && bytes[i + 2] === 0x92 && i + 2 < limit;
  if (unicodeMinus) {
    negative = true;
    i += 3;
    first = i;
  } else if (i < limit && (negative || bytes[i] === 0x2b)) i++;
  const integerStart = i;
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let exact = true;
  let plainText = decimalByte === 0x2e;
  const groupByte = thousandsByte === delimiter ? -1 : thousandsByte;
  // Digits since the number's start or its last group separator.
  let groupDigits = 0;
  let grouped = false;
  // Indian lakh groups under ',' (`1,70,00,000`, as Excel en-IN writes): 1–2 digits, pairs, then 3.
  let lakh = false;
  let threes = false;
  let firstGroup = 0;
  for (; i < limit; i++) {
    const d = bytes[i] - 0x30;
    if (d >= 0 && d <= 9) {
      if (mantissa < EXACT_MANTISSA_LIMIT) mantissa = mantissa * 10 + d;
      else exact = false;
      digits++;
      groupDigits++;
    } else if (bytes[i] === groupByte && digits > 0 && isDigit(bytes[i + 1]) && i + 1 < limit) {
      // Digit groups are 1–3 digits, then exactly 3 per group: `1.5` under thousands '.' is no number.
      if (!grouped) {
        if (groupDigits > 3) return NaN;
        firstGroup = groupDigits;
      } else if (groupDigits === 3 && !lakh) threes = true;
      else if (groupDigits === 2 && groupByte === 0x2c && firstGroup <= 2 && !threes) lakh = true;
      else return NaN;
      grouped = true;
      groupDigits = 0;
      plainText = false;
    } else break;
  }
  if (grouped && groupDigits !== 3) return NaN;
  const integerDigits = digits;
  numberIntegerDigits = integerDigits;
  numberDecimals = -1;
  numberShape = integerDigits > 1 && bytes[integerStart] === 0x30 ? LEADING_ZERO : PLAIN;
  if (i < limit && bytes[i] === decimalByte && decimalByte !== delimiter) {
    numberDecimals = 0;
    for (let d = bytes[++i] - 0x30; i < limit && d >= 0 && d <= 9; d = bytes[++i] - 0x30, digits++, scale++) {
      if (mantissa < EXACT_MANTISSA_LIMIT) mantissa = mantissa * 10 + d;
      else exact = false;
    }
    numberDecimals = scale;
  }
  if (digits === 0) return NaN;
  let exponent = 0;
  let hasExponent = false;
  let exponentCode = false;
  if (i < limit && (bytes[i] | 0x20) === 0x65) {
    hasExponent = true;
    // `1E5` (uppercase, unsigned exponent, integer mantissa, no sign) is how codes look; writers of floats sign it.
    exponentCode =
      bytes[i] === 0x45 &&
      first === integerStart &&
      !unicodeMinus &&
      numberDecimals === -1 &&
      isDigit(bytes[i + 1]);
    const expNegative = bytes[++i] === 0x2d;
    if (i < limit && (expNegative || bytes[i] === 0x2b)) i++;
    const expStart = i;
    for (let d = bytes[i] - 0x30; i < limit && d >= 0 && d <= 9; d = bytes[++i] - 0x30) {
      exponent = Math.min(exponent * 10 + d, 100_000);
    }
    if (i === expStart) return NaN;
    if (expNegative) exponent = -exponent;
  }
  numberExponent = hasExponent;
  numberExponentCode = exponentCode;
  // A decimal mark or an exponent makes it a measurement (`05.1` from fixed-width exports), not a code.
  if (numberDecimals >= 0 || hasExponent) numberShape = PLAIN;
  const last = i;
  while (i < limit && (bytes[i] === SPACE || bytes[i] === TAB)) i++;
  numberEnd = i;
  const power = exponent - scale;
  if (!exact || power < -22 || power > 22) {
    const text = numberText(bytes, first, last, plainText);
    if (!exact && scale === 0 && !hasExponent && digits === integerDigits) {
      const big = BigInt(text);
      if ((big < 0n ? -big : big) > TWO_TO_53) numberShape = BIG_INTEGER;
    }
    const value = unicodeMinus ? -Number(text) : Number(text);
    return Number.isFinite(value) ? value : NaN;
  }
  const value = power >= 0 ? mantissa * POW10[power] : mantissa / POW10[-power];
  return negative ? -value : value;
}

/**
 * A whole field read as a number (NaN if it is none): ASCII as parseNumber reads it, else, when it
 * holds non-ASCII bytes, written in Unicode decimal digits (`٥٫١`, `۵.۱`, `５．１`) as Python's
 * `float()` reads them. `numberEnd` is -1 when the whole field was read.
 */
function parseValue(bytes: Buffer, start: number, end: number): number {
  const value = parseNumber(bytes, start, end);
  if (value === value && numberEnd === end) {
    numberEnd = -1;
    return value;
  }
  let high = start;
  while (high < end && bytes[high] < 0x80) high++;
  if (high === end) return NaN;
  const ascii = asciiDigits(bytes.toString('utf8', start, end), String.fromCharCode(decimalByte));
  if (ascii === null) return NaN;
  const spelled = Buffer.from(ascii, 'utf8');
  const unicode = parseNumber(spelled, 0, spelled.length);
  if (unicode === unicode && numberEnd === spelled.length) numberEnd = -1;
  return unicode;
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

/** A number's text as Number() reads it: digit groups removed, the decimal separator a point. */
function numberText(bytes: Buffer, first: number, last: number, plain: boolean): string {
  const text = bytes.toString('latin1', first, last);
  if (plain) return text;
  let out = '';
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === thousandsByte) continue;
    out += c === decimalByte ? '.' : text[k];
  }
  return out;
}
