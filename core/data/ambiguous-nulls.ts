import type { Table } from 'apache-arrow';
import { quote, quoteList } from '../quote';
import { nullTokensOf } from '../sources/null-tokens';
import type { ColumnView } from './column-views';

/** A text column where a default null token may have eaten a category. */
export interface AmbiguousNulls {
  column: string;
  /** The tokens read as null in this column, with counts, most frequent first. */
  tokens: [string, number][];
  /** Rows of the column. */
  rows: number;
  /** A few of the column's other categories, shown beside the tokens. */
  categories: string[];
}

/**
 * Text columns in which the default null tokens (pandas' set: `NA`, `None`, `null`, …) read values
 * as null while the column holds other categories, when no numeric column of the file had those
 * tokens read as null. A file-wide missing marker (R's `write.csv` writes `NA` in every column)
 * fires in numeric columns too; a token firing in text columns only may be a category (`NA` =
 * North America, `None` = a damage level), which pandas silently turns into NaN. Only asked when
 * `source.nullValues` is not set: a listed token is the user's statement.
 */
export function findAmbiguousNulls(table: Table, views: readonly ColumnView[]): AmbiguousNulls[] {
  const byName = new Map(views.map((v) => [v.name, v]));
  const tallies = table.schema.fields.map((f) => ({ name: f.name, tokens: nullTokensOf(f.metadata) }));
  const inNumbers = new Set<string>();
  for (const { name, tokens } of tallies)
    if (byName.get(name)?.kind === 'numeric') for (const t of tokens.keys()) inNumbers.add(t);
  const found: AmbiguousNulls[] = [];
  for (const { name, tokens } of tallies) {
    const view = byName.get(name);
    if (!view || view.kind !== 'categorical' || view.type !== 'string') continue;
    const own = [...tokens].filter(([t]) => !inNumbers.has(t)).sort((a, b) => b[1] - a[1]);
    if (own.length === 0 || view.dictionary.length === 0) continue;
    found.push({ column: name, tokens: own, rows: view.codes.length, categories: view.dictionary.slice(0, 3) });
  }
  return found;
}

/** `'NA' ×13 (8.7% of rows) read as null beside 'APAC', 'EU', 'LATAM'`. */
export function describeAmbiguousNulls(a: AmbiguousNulls): string {
  const tokens = a.tokens
    .map(([t, n]) => `${quote(t)} ×${n} (${((n / a.rows) * 100).toFixed(1)}% of rows)`)
    .join(', ');
  return `${tokens} read as null by the default source.nullValues, beside categories ${quoteList(a.categories, 3)}`;
}

/** What to set: keep the token as a category, or confirm it means missing. */
export function ambiguousNullsHint(a: AmbiguousNulls): string {
  const shown = a.tokens.map(([t]) => quote(t)).join(', ');
  return (
    `a category, not a missing value? (${quote('NA')} = North America, ${quote('None')} = a level): keep it as text ` +
    `with source.nullValues: [''] (only empty fields are null) or a list without it; if it means "missing", ` +
    `say so: source.nullValues: [${shown}]`
  );
}

/** Excel's accounting format shows 0 as `-`: a default null token that may be a zero. */
const ACCOUNTING_DASH = '-';

/** A numeric column in which the default null token `-` read values as null. */
export interface DashNulls {
  column: string;
  /** Rows whose `-` was read as null, and rows of the column. */
  dashes: number;
  rows: number;
}

/**
 * Numeric columns whose `-` fields the default null tokens read as null, when no text column of the
 * file had `-` read so: a file-wide missing marker fires in text columns too, while Excel's
 * accounting format writes `-` for 0 in number cells only, which would then train as the mean.
 * Only asked when `source.nullValues` is not set: a listed token is the user's statement.
 */
export function findDashNulls(table: Table, views: readonly ColumnView[]): DashNulls[] {
  const byName = new Map(views.map((v) => [v.name, v]));
  const tallies = table.schema.fields.map((f) => ({ name: f.name, dashes: nullTokensOf(f.metadata).get(ACCOUNTING_DASH) ?? 0 }));
  if (tallies.some((t) => t.dashes > 0 && byName.get(t.name)?.kind === 'categorical')) return [];
  return tallies.flatMap(({ name, dashes }) =>
    dashes > 0 && byName.get(name)?.kind === 'numeric' ? [{ column: name, dashes, rows: table.numRows }] : [],
  );
}

/** `'-' ×16 (8.0% of rows) read as null in a numeric column`. */
export function describeDashNulls(d: DashNulls): string {
  return `${quote(ACCOUNTING_DASH)} ×${d.dashes} (${((d.dashes / d.rows) * 100).toFixed(1)}% of rows) read as null by the default source.nullValues in a numeric column`;
}

/** What to set: a zero written by Excel's accounting format, or a missing value. */
export function dashNullsHint(): string {
  return (
    `a zero? (Excel's accounting format shows 0 as '-'): re-export the cells as plain numbers; ` +
    `if it means "missing", say so with source.nullValues, e.g. ['', 'NA', '-'] (the list replaces the default one)`
  );
}
