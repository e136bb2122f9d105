import { yamlName } from '../yaml-name';

/**
 * Hints for the non-numbers of a numeric text column that are not values but whole lines that are
 * not data: the column's own name (the header repeats: concatenated exports), a word on the first
 * row after the header only (a units row: `cm`), a word on the last row only (a footer: `Total`).
 * `rows` holds the first rows (0-based) of each token, `total` the table's row count. Null when
 * the tokens have none of these shapes.
 */
export function strayLineHint(
  tokens: readonly string[],
  rows: ReadonlyMap<string, readonly number[]>,
  column: string,
  total: number,
): string | null {
  const hints: string[] = [];
  if (tokens.some((t) => t.trim() === column.trim()))
    hints.push(
      `the column's own name: the header repeats there (concatenated files?): remove the repeated header ` +
        'lines, or list their line numbers in source.skipRows',
    );
  const rest = tokens.filter((t) => t.trim() !== column.trim());
  const only = (row: number): boolean =>
    rest.length > 0 && rest.every((t) => (rows.get(t) ?? []).every((r) => r === row));
  if (total > 1 && only(0))
    hints.push(
      'only on the first row after the header: a units or second header row? skip it with source.skipRows: ' +
        '[its line] (source.skipRows: [2] for the line under the header)',
    );
  else if (total > 1 && only(total - 1))
    hints.push('only on the last line: a footer or total line? set source.skipFooter: 1');
  return hints.length > 0 ? hints.join('; ') : null;
}

/** `6.66-`: a number with its minus sign after it, as SAP and mainframe (COBOL) exports write negatives. */
export const TRAILING_MINUS = /^\d+([.,]\d+)?-$/;

/** What to say about trailing-minus numbers: they are negatives, never nulls. */
export const TRAILING_MINUS_HINT =
  "trailing-minus negatives ('6.66-' is -6.66, as SAP and COBOL exports write them): Quiver reads a leading " +
  'minus only, so rewrite them upstream (-6.66); do not list them in source.nullValues, which would make every ' +
  'negative value null';

/** `1A5`, `2B3`: a code of digits around letters, beside which `1E5` is a code too, not 100000. */
const LETTER_CODE = /^\d+[A-Za-z]+\d+$/;
/** `1E5`: an integer mantissa, uppercase E, an unsigned exponent: what codes look like, no writer's float. */
export const EXPONENT_CODE = /^\d+E\d+$/;

/**
 * A hint when a column's numbers are all `1E5`-shaped and its non-numbers are letter codes
 * (`1A5`): the column is codes, and `1E5` read as a number is 100000. Null otherwise.
 */
export function exponentCodeHint(tokens: readonly string[], numberWords: readonly string[], column: string): string | null {
  const numbers = numberWords.map((w) => w.trim());
  if (numbers.length === 0 || !numbers.every((w) => EXPONENT_CODE.test(w))) return null;
  if (!tokens.every((t) => LETTER_CODE.test(t.trim()))) return null;
  return (
    `codes, not numbers: ${numbers
      .slice(0, 2)
      .map((w) => `'${w}'`)
      .join(', ')} would read as ${Number(numbers[0])}… (scientific notation): declare the column text: ` +
    `source.columnTypes: { ${yamlName(column)}: string }`
  );
}
