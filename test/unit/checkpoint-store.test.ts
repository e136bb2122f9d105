import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as arrow from 'apache-arrow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lineageFromMetadata, lineageToMetadata } from '../../core/checkpoint/lineage';
import { openStore, type CheckpointStore } from '../../core/checkpoint/store';
import { LINEAGE_KEYS, type CheckpointRef, type Lineage } from '../../core/checkpoint/types';
import { CheckpointIntegrityError, CheckpointNotFoundError, DataError, QuiverError } from '../../core/errors';

const lineage: Lineage = {
  pipeline: 'iris',
  runId: 'run-1',
  step: 'ingest',
  output: 'data',
  stepCodeVersion: 'abc123',
  paramsHash: 'f'.repeat(64),
  inputs: ['a'.repeat(64), 'b'.repeat(64)],
  createdAt: '2024-05-01T12:00:00.000Z',
};

function sampleTable(): arrow.Table {
  return new arrow.Table({
    x: arrow.vectorFromArray([1.5, null, -3, 4e10], new arrow.Float64()),
    label: arrow.vectorFromArray(['setosa', null, 'virginica', 'ünïcødé'], new arrow.Utf8()),
    flag: arrow.vectorFromArray([true, false, null, true], new arrow.Bool()),
  });
}

function rows(table: arrow.Table): Record<string, unknown>[] {
  return table.toArray().map((row: { toJSON(): Record<string, unknown> }) => row.toJSON());
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe('checkpoint store', () => {
  let root: string;
  let store: CheckpointStore;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'quiver-store-'));
    store = openStore(pathToFileURL(root).href);
  });

  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('round-trips a table with nulls and strings', async () => {
    const table = sampleTable();
    const ref = await store.write(table, lineage);
    expect(ref.rows).toBe(4);
    const back = await store.read(ref);
    expect(back.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ['x', 'Float64'],
      ['label', 'Utf8'],
      ['flag', 'Bool'],
    ]);
    expect(rows(back)).toEqual(rows(table));
  });

  it('keeps lineage in the schema metadata, next to the table’s own metadata', async () => {
    const own = new arrow.Schema(sampleTable().schema.fields, new Map([['origin', 'unit-test']]));
    const ref = await store.write(new arrow.Table(own, sampleTable().batches), lineage);
    expect(await store.readLineage(ref)).toEqual(lineage);
    const metadata = (await store.read(ref)).schema.metadata;
    expect(metadata.get('origin')).toBe('unit-test');
    expect(metadata.get(LINEAGE_KEYS.step)).toBe('ingest');
    expect(JSON.parse(metadata.get(LINEAGE_KEYS.inputs)!)).toEqual(lineage.inputs);
  });

  it('writes an Arrow IPC file named by the SHA-256 of its bytes', async () => {
    const ref = await store.write(sampleTable(), lineage);
    const file = store.path(ref);
    const bytes = await fs.readFile(file);
    expect(ref.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(ref.bytes).toBe(bytes.length);
    expect(file).toBe(path.join(root, ref.sha256.slice(0, 2), `${ref.sha256}.arrow`));
    expect(ref.uri).toBe(`file://${file}`);
    expect(bytes.subarray(0, 6).toString('latin1')).toBe('ARROW1');
    const plain = arrow.tableFromIPC(bytes);
    expect(plain.numRows).toBe(4);
    expect(plain.schema.metadata.get(LINEAGE_KEYS.runId)).toBe('run-1');
  });

  it('is idempotent: the same table and lineage give the same ref and one file', async () => {
    const first = await store.write(sampleTable(), lineage);
    const second = await store.write(sampleTable(), lineage);
    expect(second).toEqual(first);
    expect(await listFiles(root)).toEqual([path.join(first.sha256.slice(0, 2), `${first.sha256}.arrow`)]);
  });

  it('leaves no temporary files behind', async () => {
    const ref = await store.write(sampleTable(), lineage);
    expect(await listFiles(root)).toEqual([path.relative(root, store.path(ref))]);
  });

  it('removes its temporary file when a write fails after it was created', async () => {
    const ref = await store.write(sampleTable(), lineage);
    // A plain file where the shard directory belongs makes the final rename step fail.
    const shard = path.dirname(store.path(ref));
    await fs.rm(shard, { recursive: true });
    await fs.writeFile(shard, 'in the way');
    await expect(store.write(sampleTable(), lineage)).rejects.toThrow();
    expect(await listFiles(root)).toEqual([path.relative(root, shard)]);
  });

  it('detects a flipped byte before decoding anything', async () => {
    const ref = await store.write(sampleTable(), lineage);
    const file = store.path(ref);
    const bytes = await fs.readFile(file);
    bytes[bytes.length >> 1] ^= 0x01;
    await fs.writeFile(file, bytes);
    const actual = createHash('sha256').update(bytes).digest('hex');
    for (const attempt of [() => store.read(ref), () => store.readLineage(ref), () => store.verify(ref)]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CheckpointIntegrityError);
      expect((error as Error).message).toContain(ref.uri);
      expect((error as Error).message).toContain(ref.sha256);
      expect((error as Error).message).toContain(actual);
    }
  });

  it('detects a truncated file and a ref whose hash does not match', async () => {
    const ref = await store.write(sampleTable(), lineage);
    await expect(store.read({ ...ref, sha256: '0'.repeat(64) })).rejects.toThrow(CheckpointIntegrityError);
    await fs.truncate(store.path(ref), 100);
    await expect(store.read(ref)).rejects.toThrow(CheckpointIntegrityError);
  });

  it('reports a missing checkpoint as CheckpointNotFoundError', async () => {
    const ref = await store.write(sampleTable(), lineage);
    await fs.rm(store.path(ref));
    expect(await store.exists(ref)).toBe(false);
    await expect(store.read(ref)).rejects.toThrow(CheckpointNotFoundError);
    await expect(store.verify(ref)).rejects.toThrow(CheckpointNotFoundError);
    await expect(store.readLineage(ref)).rejects.toThrow(CheckpointNotFoundError);
  });

  it('verifies and finds a checkpoint that is intact', async () => {
    const ref = await store.write(sampleTable(), lineage);
    expect(await store.exists(ref)).toBe(true);
    await expect(store.verify(ref)).resolves.toBeUndefined();
  });

  it('verifies a checkpoint larger than one read segment', async () => {
    const n = 2_000_000; // 16 MB per column: several read segments
    const values = Float64Array.from({ length: n }, (_, i) => i * 0.5);
    const ref = await store.write(new arrow.Table({ v: arrow.makeVector(values) }), lineage);
    expect(ref.bytes).toBeGreaterThan(16_000_000);
    await expect(store.verify(ref)).resolves.toBeUndefined();
    const back = await store.read(ref);
    expect(back.numRows).toBe(n);
    expect(back.getChild('v')!.get(n - 1)).toBe((n - 1) * 0.5);
  });

  it('explains why a table whose batches carry different dictionaries cannot be written', async () => {
    const table = arrow.tableFromArrays({ c: ['a', 'b'] }).concat(arrow.tableFromArrays({ c: ['c'] }));
    await expect(store.write(table, lineage)).rejects.toThrow(DataError);
    expect(await listFiles(root)).toEqual([]);
  });

  it('finds a checkpoint by content address when the ref carries no file URI', async () => {
    const ref = await store.write(sampleTable(), lineage);
    const bare: CheckpointRef = { ...ref, uri: '' };
    expect(store.path(bare)).toBe(store.path(ref));
    expect((await store.read(bare)).numRows).toBe(4);
  });

  it('opens a plain path, a file:// URI and an s3:// URI, and refuses other schemes', async () => {
    const ref = await openStore(root).write(sampleTable(), lineage);
    expect((await store.read(ref)).numRows).toBe(4);
    expect(openStore('s3://bucket/checkpoints').kind).toBe('s3');
    expect(() => openStore('gs://bucket/checkpoints')).toThrow(QuiverError);
  });

  it('creates checkpoint files owner-only unless QUIVER_FILE_MODE says otherwise', async () => {
    const ref = await store.write(sampleTable(), lineage);
    expect((await fs.stat(store.path(ref))).mode & 0o777).toBe(0o600);
    const shared = openStore(path.join(root, 'shared'), { fileMode: 0o640 });
    const other = await shared.write(sampleTable(), { ...lineage, runId: 'other' });
    expect((await fs.stat(shared.path(other))).mode & 0o777).toBe(0o640);
  });
});

describe('lineage metadata', () => {
  it('encodes every field and decodes it back', () => {
    const metadata = lineageToMetadata(lineage, new Map([['other', 'kept']]));
    expect(metadata.get('other')).toBe('kept');
    expect(metadata.get(LINEAGE_KEYS.inputs)).toBe(JSON.stringify(lineage.inputs));
    expect(lineageFromMetadata(metadata)).toEqual(lineage);
  });

  it('rejects metadata without lineage', () => {
    expect(() => lineageFromMetadata(new Map())).toThrow(DataError);
    const bad = lineageToMetadata(lineage);
    bad.set(LINEAGE_KEYS.inputs, 'not json');
    expect(() => lineageFromMetadata(bad)).toThrow(/not JSON/);
  });
});
