import { createHash } from 'node:crypto';
import * as arrow from 'apache-arrow';
import { CheckpointIntegrityError, DataError } from '../errors';
import { lineageToMetadata } from './lineage';
import type { CheckpointRef, Lineage } from './types';

/** Bytes hashed between turns of the event loop while a write is in flight. */
const HASH_STEP_BYTES = 32 << 20;

/** The table with `lineage` merged into its schema metadata. */
export function withLineage(table: arrow.Table, lineage: Lineage): arrow.Table {
  const { fields, metadata, dictionaries } = table.schema;
  return new arrow.Table(
    new arrow.Schema(fields, lineageToMetadata(lineage, metadata), dictionaries),
    table.batches,
  );
}

/** The IPC file's bytes as the writer produced them: views of the table's own buffers, no joined copy. */
export async function ipcChunks(table: arrow.Table): Promise<Uint8Array[]> {
  let writer: arrow.RecordBatchFileWriter;
  try {
    writer = arrow.RecordBatchFileWriter.writeAll(table);
  } catch (cause) {
    if (!/replacement dictionaries/.test(String(cause))) throw cause;
    throw new DataError(
      'cannot write a checkpoint whose record batches carry different dictionaries for one column ' +
        '(an Arrow IPC file holds one dictionary per column): give every batch the same dictionary',
      { cause },
    );
  }
  const chunks: Uint8Array[] = [];
  for await (const chunk of writer) chunks.push(chunk);
  return chunks;
}

/** SHA-256 of the chunks, yielding to the event loop every 32 MiB so concurrent I/O progresses. */
export async function sha256Of(chunks: Uint8Array[]): Promise<string> {
  const hash = createHash('sha256');
  let sinceYield = 0;
  for (const chunk of chunks) {
    for (let offset = 0; offset < chunk.byteLength; offset += HASH_STEP_BYTES) {
      const piece = chunk.subarray(offset, offset + HASH_STEP_BYTES);
      hash.update(piece);
      sinceYield += piece.byteLength;
      if (sinceYield >= HASH_STEP_BYTES) {
        sinceYield = 0;
        await new Promise(setImmediate); // lets the write's completion start the flush meanwhile
      }
    }
  }
  return hash.digest('hex');
}

/** Decodes verified bytes; bytes that are no Arrow IPC file are a CheckpointIntegrityError. */
export function decode(ref: CheckpointRef, bytes: Buffer): arrow.Table {
  try {
    return arrow.tableFromIPC(bytes);
  } catch (cause) {
    throw new CheckpointIntegrityError(`checkpoint ${ref.uri} is not a readable Arrow IPC file`, { cause });
  }
}
