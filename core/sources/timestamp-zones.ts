import * as arrow from 'apache-arrow';
import { DataError } from '../errors';
import { ownValue } from '../own-keys';
import { quote } from '../quote';
import { rowLocator } from './row-lines';
import { parseIsoTimestamp, zoneKind, ZONE_MIX_KEY } from './text-types';

type First = Record<'zoned' | 'naive', [number, string]>;

/**
 * Refuses a timestamp column that mixes values with a zone (`…-05:00`, `Z`) and without
 * (`2026-03-07T06:00:00`), as pandas does (it cannot mix tz-aware and tz-naive values): read as
 * UTC, the naive half would be shifted by the other half's offset without a word. Names the first
 * line of each kind and the ways out. A column that never names a zone stays UTC, as documented;
 * bare dates (`2024-01-05`) are days, neither kind.
 * CSV and JSON Lines columns carry the finding in their field metadata (ZONE_MIX_KEY); a typed
 * source's ISO-8601 string columns (`typed`: Parquet, Arrow) are scanned here, unless declared text.
 */
export function checkTimestampZones(
  table: arrow.Table,
  source: string,
  typed: boolean,
  columnTypes?: Readonly<Record<string, string>>,
): void {
  for (const field of table.schema.fields) {
    const recorded = field.metadata.get(ZONE_MIX_KEY);
    const first = recorded
      ? (JSON.parse(recorded) as First)
      : typed && ownValue(columnTypes, field.name) !== 'string'
        ? typedZoneMix(field, table.getChild(field.name)!)
        : null;
    if (!first) continue;
    const at = rowLocator(table);
    throw new DataError(
      `${source}: column ${quote(field.name)} mixes timestamps with a zone and without: ` +
        `${at.at(first.zoned[0])} ${quote(first.zoned[1])} has one, ${at.at(first.naive[0])} ${quote(first.naive[1])} has none ` +
        '(read as UTC, one kind would be shifted against the other by the offset; pandas refuses the mix): ' +
        `write every value with its offset (or every one without), or declare the column text: source.columnTypes: { ${field.name}: string }`,
    );
  }
}

/** First zoned and first naive row of a string column whose values are all ISO-8601, else null. */
function typedZoneMix(field: arrow.Field, vector: arrow.Vector): First | null {
  const type = arrow.DataType.isDictionary(field.type) ? field.type.dictionary : field.type;
  if (!arrow.DataType.isUtf8(type) && !arrow.DataType.isLargeUtf8(type)) return null;
  const first: Partial<Record<'zoned' | 'naive' | 'date', [number, string]>> = {};
  for (let i = 0; i < vector.length; i++) {
    const value = vector.get(i) as string | null;
    if (value === null) continue;
    const text = value.trim();
    if (parseIsoTimestamp(text) === null) return null;
    first[zoneKind(text)] ??= [i, value];
  }
  return first.zoned && first.naive ? { zoned: first.zoned, naive: first.naive } : null;
}
