import * as arrow from 'apache-arrow';
import { DataError } from '../errors';

/** parquet-wasm (Rust `parquet` + `arrow` crates as WebAssembly), loaded on first use: 15 MB of wasm. */
type ParquetWasm = typeof import('parquet-wasm/node/parquet_wasm');
let wasm: ParquetWasm | undefined;
function parquetWasm(): ParquetWasm {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  wasm ??= require('parquet-wasm/node') as ParquetWasm;
  return wasm;
}

/** Rows per decoded batch (a row group is never merged with the next, so this is an upper bound). */
const BATCH_ROWS = 1 << 20;

/** Reads a Parquet file's bytes into an Arrow table (through Arrow IPC, no row objects). */
export function parseParquet(bytes: Uint8Array, source = 'source'): arrow.Table {
  const pq = parquetWasm();
  let table;
  try {
    // The reader's default is 1024-row batches: thousands of IPC batches to decode and concatenate.
    table = pq.readParquet(bytes, { batchSize: BATCH_ROWS });
  } catch (cause) {
    throw new DataError(`${source}: not a readable Parquet file: ${String(cause)}`, { cause });
  }
  return arrow.tableFromIPC(table.intoIPCStream());
}

/** Writes an Arrow table as Parquet, Snappy-compressed as pyarrow writes by default. */
export function toParquet(table: arrow.Table): Uint8Array {
  const pq = parquetWasm();
  const properties = new pq.WriterPropertiesBuilder().setCompression(pq.Compression.SNAPPY).build();
  return pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), properties);
}
