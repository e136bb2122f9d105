import * as arrow from 'apache-arrow';
import { DataError } from '../errors';
import { rowLocator } from './row-lines';

/**
 * C0 control characters and DEL; tab, CR and LF are text a quoted field may hold, and so are vertical
 * tab and form feed: whitespace to every reader (`trim`, `\s`, Python's `split`), written for a line
 * break inside a field by FileMaker (U+000B) and for a page break by pdftotext (U+000C) (BREAKER10 #7).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f]/;

/**
 * Fails when a text value holds a control character (`'re\u0000d'`: a C-string writer, a damaged
 * sector): invisible on screen, it would make a category or class of its own beside `'red'`, as the
 * zero-width rule says for U+200B. Names the file line (or row), the column and the value escaped.
 * Checks dictionary words only once per word, so a clean file costs one pass over its distinct values.
 * Columns for which `unchecked` says true (the spec keeps them out of the model) are not checked:
 * a value no category or class is made of cannot stand beside another.
 */
export function checkControlCharacters(
  table: arrow.Table,
  source: string,
  unchecked: (column: string) => boolean = () => false,
): void {
  for (const field of table.schema.fields) {
    if (unchecked(field.name)) continue;
    const type = field.type as arrow.DataType;
    const vector = table.getChild(field.name);
    if (!vector) continue;
    let row = -1;
    if (arrow.DataType.isDictionary(type) && arrow.DataType.isUtf8(type.dictionary))
      row = firstInDictionary(vector);
    else if (arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type)) row = firstInText(vector);
    if (row < 0) continue;
    const value = String(vector.get(row));
    const code = CONTROL.exec(value)![0].charCodeAt(0);
    throw new DataError(
      `${source}: ${rowLocator(table).cell(row, field.name, value)} holds a control character ` +
        `(U+${code.toString(16).toUpperCase().padStart(4, '0')}), invisible on screen yet a different value: ` +
        'a C-string writer or a damaged file? Remove it upstream',
    );
  }
}

/** The first row whose dictionary word holds a control character, or -1. */
function firstInDictionary(vector: arrow.Vector): number {
  let at = 0;
  for (const d of vector.data) {
    const words = d.dictionary!;
    const bad = new Uint8Array(words.length);
    let any = false;
    for (let k = 0; k < words.length; k++) {
      const word = words.get(k) as string | null;
      if (word !== null && CONTROL.test(word)) {
        bad[k] = 1;
        any = true;
      }
    }
    if (any) {
      const indices = d.values as ArrayLike<number>;
      for (let i = 0; i < d.length; i++) if (d.getValid(i) && bad[Number(indices[i])]) return at + i;
    }
    at += d.length;
  }
  return -1;
}

/** The first row of a plain text column holding a control character, or -1. */
function firstInText(vector: arrow.Vector): number {
  for (let i = 0; i < vector.length; i++) {
    const value = vector.get(i) as string | null;
    if (value !== null && CONTROL.test(value)) return i;
  }
  return -1;
}
