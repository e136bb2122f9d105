import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { parseSource } from '../../../core/sources';

type Row = { x: number | null; n: number | null; city: string | null; flag: boolean | null };
const rows = (t: arrow.Table) => t.toArray().map((r: { toJSON(): Row }) => r.toJSON());

const city = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32(), 0);
const schema = new arrow.Schema([
  new arrow.Field('x', new arrow.Float64(), true),
  new arrow.Field('n', new arrow.Int32(), true),
  new arrow.Field('city', city, true),
  new arrow.Field('flag', new arrow.Bool(), true),
]);

/** One record batch of `part`, its dictionary built from its own values (as row groups do). */
function batch(part: Row[]): arrow.RecordBatch {
  const children = [
    arrow.vectorFromArray(
      part.map((r) => r.x),
      new arrow.Float64(),
    ).data[0],
    arrow.vectorFromArray(
      part.map((r) => r.n),
      new arrow.Int32(),
    ).data[0],
    arrow.vectorFromArray(
      part.map((r) => r.city),
      city,
    ).data[0],
    arrow.vectorFromArray(
      part.map((r) => r.flag),
      new arrow.Bool(),
    ).data[0],
  ];
  const struct = arrow.makeData({
    type: new arrow.Struct(schema.fields),
    length: part.length,
    nullCount: 0,
    children,
  });
  return new arrow.RecordBatch(schema, struct);
}

describe('typed sources of many record batches (Parquet row groups) become one chunk per column', () => {
  it('keeps every value, null and category across batches with different dictionaries', () => {
    const parts: Row[][] = [
      [
        { x: 1.5, n: 7, city: 'Oslo', flag: true },
        { x: null, n: 8, city: 'Lima', flag: false },
        { x: 2.5, n: null, city: null, flag: true },
      ],
      [
        { x: 3.5, n: 9, city: 'Tokyo', flag: null },
        { x: 4.5, n: 10, city: 'Oslo', flag: false },
      ],
      [{ x: null, n: 11, city: 'Perth', flag: true }],
    ];
    const table = new arrow.Table(parts.map(batch));
    expect(table.batches.length).toBe(3);
    for (const format of ['arrow', 'parquet'] as const) {
      const bytes = format === 'arrow' ? arrow.tableToIPC(table) : toParquetBatches(table);
      const read = parseSource(Buffer.from(bytes), format, `x.${format}`);
      expect(read.batches.length).toBe(1);
      expect(rows(read)).toEqual(parts.flat());
      expect(String(read.getChild('city')!.type)).toBe('Dictionary<Int32, Utf8>');
      expect([read.getChild('x')!.nullCount, read.getChild('n')!.nullCount]).toEqual([2, 1]);
    }
  });
});

/** The table as Parquet with one row group per record batch. */
function toParquetBatches(table: arrow.Table): Uint8Array {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pq = require('parquet-wasm/node') as typeof import('parquet-wasm/node/parquet_wasm');
  const properties = new pq.WriterPropertiesBuilder().setMaxRowGroupSize(2).build();
  return pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), properties);
}
