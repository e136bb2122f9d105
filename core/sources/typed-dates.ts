import * as arrow from 'apache-arrow';
import type { ColumnType } from './column-types';
import { parseIsoTimestamp } from './text-types';

/**
 * The string columns of a typed source (Parquet, Arrow) whose every value is an ISO-8601 date or
 * date-time (`pd.read_csv(f).to_parquet(p)` without parse_dates writes dates as strings), typed
 * `timestamp`, added to the declared `types`: the CSV and JSON Lines readers read the same values as
 * timestamps, and as text each date would be a category. A declared column keeps its declared type.
 */
export function withIsoDateColumns(
  table: arrow.Table,
  types: Readonly<Record<string, ColumnType>> | undefined,
): Record<string, ColumnType> | undefined {
  const found: Record<string, ColumnType> = {};
  for (const field of table.schema.fields) {
    if (types && Object.hasOwn(types, field.name)) continue;
    const type = arrow.DataType.isDictionary(field.type) ? field.type.dictionary : field.type;
    if (!arrow.DataType.isUtf8(type) && !arrow.DataType.isLargeUtf8(type)) continue;
    const vector = table.getChild(field.name)!;
    let seen = 0;
    let iso = true;
    for (let i = 0; i < vector.length && iso; i++) {
      const value = vector.get(i) as string | null;
      if (value === null) continue;
      seen++;
      iso = parseIsoTimestamp(value.trim()) !== null;
    }
    if (iso && seen > 0) found[field.name] = 'timestamp';
  }
  return Object.keys(found).length === 0 ? types : { ...types, ...found };
}
