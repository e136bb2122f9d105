import { isUtf8 } from 'node:buffer';
import { z } from 'zod';
import { DataError, SpecError } from '../errors';
import { quote } from '../quote';

/** Text encodings a source may declare (`source.encoding`), by their canonical names. */
export const TEXT_ENCODINGS = ['utf-8', 'latin1', 'windows-1252', 'utf-16le', 'utf-16be'] as const;
export type TextEncoding = (typeof TEXT_ENCODINGS)[number];

/** Other names of the same encodings (WHATWG labels, Python codec names), compared in canonicalEncoding's form. */
const ENCODING_ALIASES: Record<string, TextEncoding> = {
  utf8: 'utf-8',
  latin1: 'latin1',
  iso88591: 'latin1',
  l1: 'latin1',
  windows1252: 'windows-1252',
  cp1252: 'windows-1252',
  utf16le: 'utf-16le',
  utf16be: 'utf-16be',
};

/**
 * The canonical name of an encoding written any common way (`UTF8`, `utf_8`, `Latin-1`,
 * `ISO-8859-1`, `utf16le`, `CP1252`): case, `-` and `_` do not matter. Null for an unknown one.
 */
export function canonicalEncoding(name: string): TextEncoding | null {
  return ENCODING_ALIASES[name.toLowerCase().replace(/[-_\s]/g, '')] ?? null;
}

/** `source.encoding` in a spec: any spelling canonicalEncoding knows, validated to its canonical name. */
export const textEncodingSchema = z.string().transform((name, ctx): TextEncoding => {
  const encoding = canonicalEncoding(name);
  if (encoding) return encoding;
  ctx.addIssue({
    code: 'custom',
    message: `unknown encoding ${JSON.stringify(name)}: use one of ${TEXT_ENCODINGS.join(', ')} (or utf8, latin-1, iso-8859-1, cp1252, utf16le, utf16be)`,
  });
  return z.NEVER;
});

/**
 * The bytes of a text source as UTF-8, without a byte order mark. A BOM decides the encoding
 * (UTF-8, UTF-16 LE/BE); without one, `encoding` does (default UTF-8, checked fatally: an invalid
 * byte is a DataError naming its line and byte offset, never a replacement character). With no
 * encoding given, a BOM-less UTF-16 file is recognised by the NUL bytes of its ASCII characters.
 */
export function decodeToUtf8(bytes: Buffer, encoding: TextEncoding | undefined, source = 'source'): Buffer {
  const bom = byteOrderMark(bytes);
  if (bom) return decodeAs(bytes.subarray(bom.length), bom.encoding, source);
  const guessed = encoding ?? guessUtf16(bytes) ?? 'utf-8';
  return decodeAs(bytes, guessed, source);
}

function byteOrderMark(bytes: Buffer): { encoding: TextEncoding; length: number } | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return null;
}

/** ASCII text in UTF-16 has a NUL in every other byte: a header row of it is unmistakable. */
function guessUtf16(bytes: Buffer): TextEncoding | null {
  const n = Math.min(bytes.length & ~1, 64);
  if (n < 4) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenNul++;
    if (bytes[i + 1] === 0) oddNul++;
  }
  if (oddNul === n / 2 && evenNul === 0) return 'utf-16le';
  if (evenNul === n / 2 && oddNul === 0) return 'utf-16be';
  return null;
}

function decodeAs(bytes: Buffer, encoding: TextEncoding, source: string): Buffer {
  switch (encoding) {
    case 'utf-8':
      if (!isUtf8(bytes)) throw invalidUtf8(bytes, source);
      return bytes;
    case 'latin1':
      utf8Declared8Bit(bytes, encoding, source);
      return Buffer.from(bytes.toString('latin1'), 'utf8');
    case 'windows-1252':
      utf8Declared8Bit(bytes, encoding, source);
      return Buffer.from(new TextDecoder('windows-1252').decode(bytes), 'utf8');
    case 'utf-16le':
    case 'utf-16be': {
      if (bytes.length % 2 !== 0)
        throw new DataError(
          `${source}: ${encoding} text has an odd number of bytes (${bytes.length}): truncated file?`,
        );
      const le = encoding === 'utf-16le' ? bytes : Buffer.from(bytes).swap16();
      return Buffer.from(new TextDecoder('utf-16le', { fatal: true }).decode(le), 'utf8');
    }
    default:
      throw new SpecError(
        `unknown source.encoding ${JSON.stringify(encoding)}: use one of ${TEXT_ENCODINGS.join(', ')}`,
      );
  }
}

/**
 * Throws when a file declared Latin-1 or cp1252 is valid UTF-8 holding multi-byte characters: read
 * as declared, every `ü` would become `Ã¼` (mojibake) without a word. Real 8-bit text almost never
 * forms valid UTF-8 sequences (a Latin-1 `ü` alone is the invalid byte 0xFC), as ftfy relies on.
 */
function utf8Declared8Bit(bytes: Buffer, encoding: TextEncoding, source: string): void {
  const first = bytes.findIndex((b) => b >= 0x80);
  if (first < 0 || !isUtf8(bytes)) return;
  let line = 1;
  for (let i = bytes.indexOf(0x0a); i >= 0 && i < first; i = bytes.indexOf(0x0a, i + 1)) line++;
  const start = bytes.lastIndexOf(0x0a, first) + 1;
  const end = bytes.indexOf(0x0a, first);
  const text = bytes.toString('utf8', start, end < 0 ? bytes.length : end).replace(/\r$/, '');
  const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  throw new DataError(
    `${source}: source.encoding is ${encoding}, but the file is valid UTF-8 with multi-byte characters ` +
      `(first on line ${line}: ${quote(shown)}); read as ${encoding}, each would be mojibake ('Zürich' as 'ZÃ¼rich'): ` +
      `remove source.encoding (UTF-8 is the default)`,
  );
}

/** The first byte that is not valid UTF-8, with its line, in a message that says what to do. */
function invalidUtf8(bytes: Buffer, source: string): DataError {
  const offset = firstInvalidUtf8(bytes);
  let line = 1;
  for (let i = bytes.indexOf(0x0a); i >= 0 && i < offset; i = bytes.indexOf(0x0a, i + 1)) line++;
  const hex = `0x${bytes[offset].toString(16).padStart(2, '0')}`;
  return new DataError(
    `${source}: line ${line}, byte offset ${offset}: invalid UTF-8 byte ${hex}; ` +
      `if the file is not UTF-8, set source.encoding (latin1, windows-1252, utf-16le or utf-16be)`,
  );
}

/** Offset of the first byte that breaks UTF-8 (RFC 3629: no overlongs, surrogates or > U+10FFFF). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let code = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      code = (code << 6) | (c & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return i;
    i += need + 1;
  }
  return bytes.length;
}
