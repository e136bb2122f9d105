import { quote } from '../quote';
import { locatorFrom, type RowLocator } from '../sources/row-lines';
import { firstExamples, mostlyOneKind, NUMERIC_SHARE, rowsWhere, tallyCodes, textColumnsToCheck } from './code-tally';
import type { ColumnView } from './column-views';
import { yamlName } from '../yaml-name';

/**
 * What a number is written with: a currency (`$5.1`, `4,90 €`, `USD 12`), an accounting negative
 * (`(5.4)`), a unit (`5.1 cm`), a sign after it (`125.00 CR`, `40.00 DR`, `40.00-`).
 */
export interface NumberMark {
  kind: 'currency' | 'accounting' | 'unit' | 'sign';
  /** The symbol, code or unit as written (`$`, `EUR`, `cm`); `()` for a bare accounting negative. */
  mark: string;
}

/** A number as exports write one: digit groups (`1,234.50`, `1 234`), a decimal point or comma. */
const NUM = String.raw`(?:\d{1,3}(?:[,.' \u00a0]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?|[.,]\d+)`;
/** ISO 4217 codes of the currencies exports use most; any three capitals would take `SKU123` for money. */
const ISO_CODES =
  'USD|EUR|GBP|JPY|CNY|RMB|CHF|CAD|AUD|NZD|SEK|NOK|DKK|PLN|CZK|HUF|INR|BRL|MXN|ZAR|RUB|KRW|SGD|HKD|TRY|ILS';
/** A currency symbol, possibly after a country prefix (`US$`, `R$`, `C$`), or an ISO 4217 code (`USD`). */
const CUR = String.raw`(?:[A-Z]{0,2}[$€£¥₹₩₽¢₺₪₫฿]|${ISO_CODES})`;
const CURRENCY_FIRST = new RegExp(String.raw`^[+-]?\s?(${CUR})\s?[+-]?${NUM}$`, 'u');
const CURRENCY_LAST = new RegExp(String.raw`^[+-]?${NUM}\s?(${CUR})$`, 'u');
const ACCOUNTING = new RegExp(String.raw`^\(\s?(${CUR})?\s?${NUM}\s?(${CUR})?\s?\)$`, 'u');
/**
 * A short alphabetic unit after the number (`cm`, `kg`, `ms`, `km/h`, `m²`, `°C`, `KB`); one capital
 * alone is no unit, as in `12B`, a house or seat number.
 */
const UNIT_LAST = new RegExp(String.raw`^[+-]?${NUM}\s?([a-zµ°]|[A-Za-zµ°][A-Za-zµ°²³/]{1,5})$`, 'u');

/**
 * A sign after the number: credit/debit (`125.00 CR`, `40.00 DR`: bank statements, SAP FI) or a
 * trailing `-` / `+` (SAP, COBOL).
 */
const SIGN_LAST = new RegExp(String.raw`^${NUM}(?:\s?(CR|DR|Cr|Dr)|([-+]))$`, 'u');

/** The sign suffix `word` (trimmed) is written with (`CR`, `DR`, `-`, `+`); null for any other word. */
export function signSuffixOf(word: string): string | null {
  const m = SIGN_LAST.exec(word);
  return m ? (m[1] ?? m[2]).toUpperCase() : null;
}

/**
 * What to do about amounts signed after the number: no reader setting reads them, and which of CR
 * and DR is negative depends on whose books they are, so the sign is set upstream. Never an id to
 * hash, nor tokens to null. For the target (`isTarget`) the text exit is replaced by targetNumbersHint.
 */
export function signedAmountsHint(column: string, signs: readonly string[], isTarget = false): string {
  const convert = signs.some((m) => m === 'CR' || m === 'DR')
    ? "convert CR/DR to signs upstream (one convention for the column, e.g. CR positive, DR negative: '40.00 DR' is -40.00)"
    : "move the sign before the number upstream ('40.00-' is -40.00)";
  return (
    `signed amounts written as text: ${convert}: Quiver reads a leading sign only, and the features ` +
    `stage's derive reads numeric columns only; do not hash or null them; ` +
    (isTarget ? targetNumbersHint(column) : `or declare the column text (${declareText(column)}) and parse it in a features module`)
  );
}

/** The currency, accounting parentheses or unit `word` (trimmed) is written with; null for any other word. */
export function unitOf(word: string): NumberMark | null {
  const currency = CURRENCY_FIRST.exec(word) ?? CURRENCY_LAST.exec(word);
  if (currency) return { kind: 'currency', mark: currency[1] };
  const accounting = ACCOUNTING.exec(word);
  if (accounting) return { kind: 'accounting', mark: accounting[1] ?? accounting[2] ?? '()' };
  const unit = UNIT_LAST.exec(word);
  return unit ? { kind: 'unit', mark: unit[1] } : null;
}

/** The spec setting that keeps a column as text whatever it holds. */
export function declareText(column: string): string {
  return `source.columnTypes: { ${yamlName(column)}: string }`;
}

/**
 * The way on for a TARGET of numbers read as text, in place of declareText or "drop it": a target
 * declared text trains one class per number, and a target cannot be dropped. Once it reads as numbers,
 * task `auto` regresses non-integers (and many distinct integers); `target.task: regression` says so.
 */
export function targetNumbersHint(column: string): string {
  return (
    `${quote(column)} is the target: once every value reads as a number (source.columnTypes: { ${yamlName(column)}: number } ` +
    `converts a text column of plain numbers), it trains as a quantity (target.task: regression)`
  );
}

/**
 * What to do about numbers written with a currency or unit: no reader setting strips them, and the
 * features stage's `derive` reads numeric columns only (it cannot parse text), so the fix is upstream.
 * For the target (`isTarget`) the text exit is replaced by targetNumbersHint.
 */
export function unitHint(column: string, mixedCurrencies = false, isTarget = false): string {
  return (
    `strip the symbol or unit upstream so the column holds plain numbers${mixedCurrencies ? ' (convert amounts in different currencies to one first)' : ''}` +
    ` (an accounting '(5.4)' is -5.4): Quiver reads no currency or unit, and the features stage's derive reads ` +
    `numeric columns only, so it cannot parse them; ` +
    (isTarget
      ? targetNumbersHint(column)
      : `or declare the column text (${declareText(column)}) and parse it in a features module`)
  );
}

/** A text column of numbers written with a currency, accounting parentheses or a unit. */
export interface UnitNumbers {
  column: string;
  /** `currency` when any value carries one, else `accounting` or `unit`. */
  kind: NumberMark['kind'];
  /** Distinct marks, most frequent first (`$`, `€`; `cm`). */
  marks: string[];
  /** The first rows (0-based) holding distinct such values, with the value, in file order. */
  examples: { row: number; value: string }[];
  /** Share of the non-null rows that are numbers, with or without a mark. */
  numericShare: number;
  hint: string;
}

/** A unit is one column's unit when this share of the rows carrying a unit carry it (`12A`, `12B` house numbers are codes). */
const DOMINANT_UNIT = 0.8;

/** Units of one quantity, so a column mixing them (`70 kg`, `154 lb`; `19M`, `201k`) is one measure in several units. */
const DIMENSIONS: Record<string, string[]> = {
  mass: ['mg', 'g', 'kg', 't', 'lb', 'lbs', 'oz', 'st'],
  length: ['mm', 'cm', 'm', 'km', 'in', 'ft', 'yd', 'mi'],
  size: ['b', 'k', 'kb', 'm', 'mb', 'g', 'gb', 'tb'],
  time: ['ms', 's', 'sec', 'min', 'mins', 'h', 'hr', 'hrs', 'd', 'days'],
  temperature: ['°c', '°f'],
};
/** A size suffix in capitals (`19M`, `1.2G`), which UNIT_LAST leaves to house numbers unless a column mixes sizes. */
const SIZE_LAST = new RegExp(String.raw`^${NUM}\s?([kKMGT])$`, 'u');

/**
 * The quantity (`mass`) that a column's units measure, when it mixes two or more units of it on most
 * unit rows (DOMINANT_UNIT); null otherwise. `unitRows` maps a unit as written to its row count.
 */
function mixedDimension(unitRows: Map<string, number>): string | null {
  const total = [...unitRows.values()].reduce((a, b) => a + b, 0);
  for (const [dimension, units] of Object.entries(DIMENSIONS)) {
    const used = [...unitRows].filter(([u]) => units.includes(u.toLowerCase()));
    const rows = used.reduce((a, [, n]) => a + n, 0);
    if (new Set(used.map(([u]) => u.toLowerCase())).size >= 2 && rows / total >= DOMINANT_UNIT) return dimension;
  }
  return null;
}

/**
 * Text columns whose values are numbers written with a currency (`$5.1`, mixed `$5.1`/`€4.9`,
 * `USD 12`), accounting negatives (`(5.4)`) or a unit that most of them share (`5.1 cm`, `12kg`):
 * ingest read them as text, which would one-hot each amount. A column mostly of plain numbers is
 * left to findNumericTokens, which names the marked values as its tokens; columns kept as text on
 * purpose (`textReasons`, a declared `source.columnTypes` string among them) are not reported.
 * `readsAsNumber` is ingest's number reading (source.decimal, source.thousands); `target` (the
 * target column) gets a hint without the text exit.
 */
export function findUnitNumbers(
  views: ColumnView[],
  textReasons: Map<string, string>,
  readsAsNumber: (word: string) => boolean,
  target?: string,
): UnitNumbers[] {
  const found: UnitNumbers[] = [];
  for (const view of textColumnsToCheck(views, textReasons)) {
    // A sign suffix counts when some value is negative by it (`DR`, `-`): `40+` alone is "40 or more".
    const signs = view.dictionary.map((w) => signSuffixOf(w.trim()));
    const signed = signs.some((m) => m === 'CR' || m === 'DR' || m === '-');
    const marks = view.dictionary.map((w, code): NumberMark | null => {
      if (signed && signs[code] !== null) return { kind: 'sign', mark: signs[code]! };
      const size = SIZE_LAST.exec(w.trim());
      return unitOf(w.trim()) ?? (size ? { kind: 'unit', mark: size[1] } : null);
    });
    // A capital size suffix counts only beside other sizes (`19M`, `201k`), never alone (`12K` may be a house).
    const sizeOnly = view.dictionary.map((w, code) => marks[code]?.kind === 'unit' && unitOf(w.trim()) === null);
    if (!marks.some((m) => m !== null)) continue;
    const tally = tallyCodes(view);
    const { counts, present } = tally;
    const plain = view.dictionary.map((w) => readsAsNumber(w));
    if (present === 0 || rowsWhere(tally, plain) / present >= NUMERIC_SHARE) continue;
    // Units count only when one of them is on most of the rows that carry a unit.
    const unitRows = new Map<string, number>();
    marks.forEach((m, code) => {
      if (m?.kind === 'unit') unitRows.set(m.mark, (unitRows.get(m.mark) ?? 0) + counts[code]);
    });
    const unitTotal = [...unitRows.values()].reduce((a, b) => a + b, 0);
    const plainUnitRows = [...unitRows].filter(([u]) => !SIZE_LAST.test(`1${u}`) || unitOf(`1${u}`) !== null);
    const dominant =
      unitTotal > 0 && Math.max(0, ...plainUnitRows.map(([, n]) => n)) / unitTotal >= DOMINANT_UNIT;
    // Or when most are units of one quantity (`kg` and `lb`): one measure, mixed.
    const mixed = dominant || unitTotal === 0 ? null : mixedDimension(unitRows);
    const unitsCount = dominant || mixed !== null;
    // Only words on some row count (a typed source's dictionary may hold unused ones).
    const marked = marks.map(
      (m, code) =>
        m !== null && counts[code] > 0 && (m.kind !== 'unit' || unitsCount) && (mixed !== null || !sizeOnly[code]),
    );
    const numbers = plain.map((p, code) => p || marked[code]);
    if (!marked.includes(true)) continue;
    const hits = rowsWhere(tally, numbers);
    const words = (flags: boolean[]) => flags.filter((on, code) => on && counts[code] > 0).length;
    const others = words(numbers.map((n) => !n));
    if (!mostlyOneKind(hits, present, others, words(numbers))) continue;
    const markRows = new Map<string, number>();
    marks.forEach((m, code) => {
      if (m && marked[code]) markRows.set(m.mark, (markRows.get(m.mark) ?? 0) + counts[code]);
    });
    const kinds = new Set(marks.filter((m, code) => m && marked[code]).map((m) => m!.kind));
    const kind = kinds.has('currency')
      ? 'currency'
      : kinds.has('sign')
        ? 'sign'
        : kinds.has('accounting')
          ? 'accounting'
          : 'unit';
    const currencies = new Set(
      marks.filter((m, code) => m?.kind === 'currency' && marked[code]).map((m) => m!.mark),
    );
    found.push({
      column: view.name,
      kind,
      marks: [...markRows].sort((a, b) => b[1] - a[1]).map(([mark]) => mark),
      examples: firstExamples(view, tally, marked),
      numericShare: hits / present,
      hint:
        kind === 'sign'
          ? signedAmountsHint(view.name, [...markRows.keys()], view.name === target)
          : mixed
        ? `convert the values to one unit upstream (${[...unitRows.keys()].map((u) => quote(u)).join(', ')} are ${mixed} in several units), then ${unitHint(view.name, false, view.name === target)}`
        : unitHint(view.name, currencies.size > 1, view.name === target),
    });
  }
  return found;
}

/** `with a currency ('$', '€'): '$5.1' (line 2), …`: what the numbers carry and the examples with their lines. */
export function describeUnitNumbers(u: UnitNumbers, locator: RowLocator = locatorFrom(undefined)): string {
  const what =
    u.kind === 'sign'
      ? 'sign suffixes'
      : u.kind === 'currency'
      ? 'a currency'
      : u.kind === 'accounting'
        ? 'accounting parentheses'
        : u.marks.length === 1
          ? 'a unit'
          : 'units';
  const marks = u.kind === 'accounting' ? '' : ` (${u.marks.slice(0, 5).map((m) => quote(m)).join(', ')})`;
  const examples = u.examples.map((e) => `${quote(e.value)} (${locator.at(e.row)})`).join(', ');
  return `with ${what}${marks}: ${examples}`;
}
