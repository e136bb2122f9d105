import * as arrow from 'apache-arrow';
import { DataError } from '../errors';
import { quoteList } from '../quote';
import { LOGICAL_TYPE_KEY } from './text-types';

/** Units of arrow.TimeUnit (SECOND, MILLISECOND, MICROSECOND, NANOSECOND) per second. */
const PER_SECOND = [1, 1e3, 1e6, 1e9];

/**
 * A Duration column (pandas `timedelta`, `df.dropoff - df.pickup`) as Float64 seconds, and a Time32/64
 * column (a SQL `TIME`, Python `datetime.time`) as Float64 milliseconds since midnight, as pandas,
 * Polars and DuckDB give them as numbers; field metadata `quiver.logical_type` says which
 * (`duration[s]`, `time_of_day[ms]`). Null for any other column.
 */
export function timeUnitColumn(
  vector: arrow.Vector,
  field: arrow.Field,
): { data: arrow.Data; field: arrow.Field } | null {
  const type = field.type as arrow.DataType;
  const duration = arrow.DataType.isDuration(type);
  if (!duration && !arrow.DataType.isTime(type)) return null;
  const perSecond = PER_SECOND[(type as arrow.Duration | arrow.Time).unit];
  // Seconds for a duration; ms for a time of day (the unit timestamps are read in).
  const scale = duration ? perSecond : perSecond / 1e3;
  const values = Array.from({ length: vector.length }, (_, i) => {
    const v = vector.get(i) as number | bigint | null;
    return v === null || v === undefined ? null : Number(v) / scale;
  });
  const logical = duration ? 'duration[s]' : 'time_of_day[ms]';
  return {
    data: arrow.vectorFromArray(values, new arrow.Float64()).data[0],
    field: new arrow.Field(
      field.name,
      new arrow.Float64(),
      true,
      new Map([...field.metadata, [LOGICAL_TYPE_KEY, logical]]),
    ),
  };
}

/**
 * The table's `columns` only, in the order listed (pandas' `usecols`, pyarrow's `columns=`): a column
 * the pipeline cannot read is never looked at when it is not listed. Null `columns`: the table as it is.
 * @throws DataError naming a listed column the file lacks and the columns it has.
 */
export function selectColumns(
  table: arrow.Table,
  columns: readonly string[] | undefined,
  source: string,
): arrow.Table {
  if (!columns) return table;
  const have = table.schema.fields.map((f) => f.name);
  const missing = columns.filter((c) => !have.includes(c));
  if (missing.length > 0)
    throw new DataError(
      `${source}: source.columns lists ${quoteList(missing)}, which the file lacks; ` +
        `its columns: ${quoteList(have, 20)}`,
    );
  return table.select(columns as string[]);
}
