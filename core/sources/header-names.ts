import * as arrow from 'apache-arrow';
import { DataError, SpecError } from '../errors';
import { quote, quoteList } from '../quote';

/** How the header line is read (pandas' `header=None, names=[…]`). */
export interface HeaderOptions {
  /** false: the file has no header line; its first line is data, named by `names` (default true). */
  header?: boolean;
  /** Column names, in file order: with `header: false` they name the columns; otherwise they replace the header's. */
  names?: readonly string[];
}

/**
 * The names `source.names` gives, checked: one per field, none empty, none repeated.
 * @throws SpecError naming the option and the name at fault.
 */
export function suppliedNames(options: HeaderOptions): string[] | null {
  if (options.names === undefined) {
    if (options.header === false)
      throw new SpecError(
        'source.header: false needs source.names: [...] (one name per field, in file order), as pandas reads header=None with names=',
      );
    return null;
  }
  const seen = new Map<string, number>();
  options.names.forEach((name, i) => {
    if (name.trim() === '') throw new SpecError(`source.names[${i}] is empty: give every column a name`);
    const first = seen.get(name);
    if (first !== undefined)
      throw new SpecError(`source.names lists ${quote(name)} twice (names ${first + 1} and ${i + 1})`);
    seen.set(name, i);
  });
  return [...options.names];
}

/** The error for `source.names` whose count differs from the fields of the file's first line. */
export function namesCountError(
  names: readonly string[],
  fields: number,
  line: number,
  source?: string,
): SpecError {
  const where = source ? `${source}: ` : '';
  return new SpecError(
    `${where}source.names lists ${names.length} name${names.length === 1 ? '' : 's'} (${quoteList(names)}), but line ${line} has ${fields} field${fields === 1 ? '' : 's'}: ` +
      `give one name per field${names.length > fields ? `; ${quote(names[fields])} has no field` : `; field ${names.length + 1} has no name`}`,
  );
}

/**
 * A header cell with a line break (Excel's Alt+Enter: `"Sepal⏎Length (cm)"`) read as one line:
 * the break and the blanks around it become one space, so messages, YAML hints and serving keys
 * never hold a newline. Other names are returned as they are.
 */
export function oneLineName(name: string): string {
  return /[\r\n]/.test(name) ? name.replace(/\s*[\r\n]+\s*/g, ' ').trim() : name;
}

/** Rows a header name is looked up in (the first ones: a header repeated as data shows there). */
const ROWS_SEARCHED = 10_000;

/**
 * A header that reads as a data row: some names are numbers and most equal a value of their own
 * column (`5.1` in sepal_length, `Iris-setosa` in species), or every name is a number and one at
 * least is a value of its column. Numbered names `0,1,2,…` (pandas' names for unnamed columns, also
 * beside named ones: `0,…,15,target`) and an explicit `source.header: true` are taken as a header.
 * UCI `.data` files have no header; taking the first row as one loses it and names the features
 * `5.1`, `3.5`. Fails ingest with the way out (`source.header: false` and `source.names`).
 * @throws DataError naming the header line and its names.
 */
export function checkHeaderIsNotData(table: arrow.Table, line: number, source?: string): void {
  const names = table.schema.fields.map((f) => f.name);
  if (names.length < 2) return;
  const numbers = names.filter(isNumber).length;
  // No name a number: a header repeated below itself (its columns then text), not a data row.
  if (numbers === 0) return;
  const ownValues = names.filter((name) => holdsValue(table.getChild(name)!, name)).length;
  if (ownValues === 0) return;
  // `0,1,2,…` (beside named columns too: `0,…,15,target`): the names pandas gives a frame's unnamed
  // columns, written as a header by to_csv().
  if (numbersCountFromZeroOrOne(names.filter(isNumber))) return;
  if (numbers < names.length && ownValues * 2 <= names.length) return;
  const where = source ? `${source}: ` : '';
  const why =
    ownValues * 2 > names.length
      ? `${ownValues} of its ${names.length} names are values of their own columns`
      : `all its names are numbers`;
  throw new DataError(
    `${where}line ${line}: the first line looks like data (${quoteList(names)}: ${why}): no header? ` +
      `set source.header: false and source.names: [${names.map((_, i) => `col${i + 1}`).join(', ')}] ` +
      '(your column names, in file order)',
  );
}

/** Whether `numbers`, in file order, are 0, 1, 2, … (or 1, 2, 3, …): column indices, not a data row. */
function numbersCountFromZeroOrOne(numbers: string[]): boolean {
  if (numbers.length < 2) return false;
  const first = Number(numbers[0]);
  return (first === 0 || first === 1) && numbers.every((name, i) => name.trim() === String(first + i));
}

function isNumber(name: string): boolean {
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(name.trim());
}

/** Whether `name` is one of the column's first values (as text, or as the number it spells). */
function holdsValue(vector: arrow.Vector, name: string): boolean {
  const type = vector.type as arrow.DataType;
  const asNumber = isNumber(name) ? Number(name) : NaN;
  if (arrow.DataType.isDictionary(type)) {
    const words = vector.data[0]?.dictionary;
    if (!words) return false;
    for (let k = 0; k < words.length; k++) if (words.get(k) === name) return true;
    return false;
  }
  if (arrow.DataType.isFloat(type) || arrow.DataType.isInt(type)) {
    if (asNumber !== asNumber) return false;
    const n = Math.min(vector.length, ROWS_SEARCHED);
    for (let i = 0; i < n; i++) if (Number(vector.get(i)) === asNumber) return true;
    return false;
  }
  if (arrow.DataType.isUtf8(type)) {
    const n = Math.min(vector.length, ROWS_SEARCHED);
    for (let i = 0; i < n; i++) if (vector.get(i) === name) return true;
  }
  return false;
}
