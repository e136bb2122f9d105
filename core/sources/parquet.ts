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

/** Reads a Parquet file's bytes into an Arrow table (through Arrow IPC, no row objects). */
export function parseParquet(bytes: Uint8Array, source = 'source'): arrow.Table {
  const pq = parquetWasm();
  let table;
  try {
    table = pq.readParquet(bytes);
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
