import { quote } from '../quote';
import type { RowLocator } from '../sources/row-lines';
import { tallyCodes } from './code-tally';
import type { ColumnView } from './column-views';
import type { Spelling } from './case-variants';
import { yamlName } from '../yaml-name';

/** A code column holding codes both with and without their leading zeros (`'02134'` and `'2134'`). */
export interface ZeroPaddedCodes {
  column: string;
  /** The column's usual code width (the most frequent length of its codes with leading zeros). */
  width: number;
  /** Each pair: the code as written without its zeros, then with them. */
  pairs: [Spelling, Spelling][];
}

const DIGITS = /^\d+$/;
/** Pairs shown in a message; the rest are counted. */
const PAIRS_SHOWN = 5;

/**
 * String columns of digit codes, some with leading zeros, where a code equals another code of the
 * column once zero-padded to the column's usual width (that of its codes with leading zeros:
 * `'2134'` = `'02134'`): the most famous
 * spreadsheet damage (Excel reads a zip code as a number and drops its zeros), which would make one
 * code two categories (or classes). Columns in `skip` (categories accepted as written) are left out.
 */
export function findZeroPaddedCodes(views: ColumnView[], skip: ReadonlySet<string>): ZeroPaddedCodes[] {
  const found: ZeroPaddedCodes[] = [];
  for (const view of views) {
    if (view.kind !== 'categorical' || view.type !== 'string' || skip.has(view.name)) continue;
    const words = view.dictionary.map((w) => w.trim());
    if (!words.some((w) => DIGITS.test(w) && w.length > 1 && w.startsWith('0'))) continue;
    const { counts, firstRow } = tallyCodes(view);
    // One entry per spelling (a dictionary may repeat a word across chunks).
    const spellings = new Map<string, Spelling>();
    words.forEach((w, code) => {
      if (counts[code] === 0 || !DIGITS.test(w)) return;
      const s = spellings.get(w);
      if (s) {
        s.rows += counts[code];
        s.firstRow = Math.min(s.firstRow, firstRow[code]);
      } else spellings.set(w, { value: view.dictionary[code], rows: counts[code], firstRow: firstRow[code] });
    });
    // The width the codes with leading zeros are padded to: the unpadded ones may be most rows.
    const byWidth = new Map<number, number>();
    for (const [w, s] of spellings)
      if (w.length > 1 && w.startsWith('0')) byWidth.set(w.length, (byWidth.get(w.length) ?? 0) + s.rows);
    const width = [...byWidth].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0][0];
    const pairs: [Spelling, Spelling][] = [];
    for (const [w, s] of spellings) {
      const padded = w.length < width ? spellings.get(w.padStart(width, '0')) : undefined;
      if (padded) pairs.push([s, padded]);
    }
    if (pairs.length > 0)
      found.push({ column: view.name, width, pairs: pairs.sort((a, b) => a[0].firstRow - b[0].firstRow) });
  }
  return found;
}

/** `'2134' (60 rows, first line 252) = '02134' (90 rows, first line 2); …`: each pair, unpadded first. */
export function describeZeroPaddedCodes(z: ZeroPaddedCodes, locator: RowLocator): string {
  const spelling = (s: Spelling) => `${quote(s.value)} (${s.rows} row${s.rows === 1 ? '' : 's'}, first ${locator.at(s.firstRow)})`;
  const shown = z.pairs.slice(0, PAIRS_SHOWN).map(([short, padded]) => `${spelling(short)} = ${spelling(padded)}`);
  const more = z.pairs.length - shown.length;
  return `codes that equal another once zero-padded to ${z.width} digits: ${shown.join('; ')}${more > 0 ? `; and ${more} more pair(s)` : ''}`;
}

/** What to do about codes that lost their leading zeros in `column`. */
export function zeroPaddedCodesHint(column: string, width: number, isTarget: boolean): string {
  const fix =
    `one spelling per code: restore the leading zeros upstream (a spreadsheet read the codes as numbers: ` +
    `zero-pad them to ${width} digits, or export the column as text)`;
  return isTarget
    ? `${fix}; as a target they would be separate classes`
    : `${fix}, or mark sanity.schema.columns.${yamlName(column)}.categories: any to keep them as distinct categories`;
}
