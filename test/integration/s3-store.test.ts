import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../core/checkpoint/store';
import { checkpointKey, type S3CheckpointStore } from '../../core/checkpoint/s3-store';
import type { Lineage } from '../../core/checkpoint/types';
import { CheckpointIntegrityError } from '../../core/errors';
import { PreconditionFailedError, S3ObjectStore, StoreUnavailableError } from '../../core/object-store';
import { collectGarbage } from '../../core/checkpoint/gc';
import { pinSchema, readPinnedSchema } from '../../core/data/schema-store';
import type { DataSchema } from '../../core/data/data-schema';
import { StoreStateError } from '../../core/errors';
import { ModelRegistry } from '../../core/registry';
import { startS3TestServer, testS3Client, type S3TestServer } from '../support/s3-server';

let s3: S3TestServer;

beforeAll(async () => {
  s3 = await startS3TestServer('store');
});

afterAll(async () => {
  await s3?.close();
});

const lineage: Lineage = {
  pipeline: 'p',
  runId: 'r',
  step: 'ingest',
  output: 'data',
  stepCodeVersion: 'v1',
  paramsHash: 'h',
  inputs: [],
  createdAt: '2026-01-01T00:00:00.000Z',
};

function sampleTable(rows: number): arrow.Table {
  return arrow.tableFromArrays({
    x: Float64Array.from({ length: rows }, (_, i) => i * 0.5),
    label: Array.from({ length: rows }, (_, i) => `c${i % 3}`),
  });
}

describe('s3:// checkpoint store on a real S3 server', () => {
  it('writes under the content address, reads back verified, lists, and rewrites idempotently', async () => {
    const store = openStore(s3.storeUri('a')) as S3CheckpointStore;
    expect(store.kind).toBe('s3');
    const table = sampleTable(200_000); // one PUT signed with its content hash
    const ref = await store.write(table, lineage);
    expect(ref.uri).toBe(`s3://${s3.bucket}/a/${checkpointKey(ref.sha256)}`);
    expect(ref.rows).toBe(200_000);
    const back = await store.read(ref);
    expect(back.numRows).toBe(200_000);
    expect(back.getChild('label')?.get(4)).toBe('c1');
    expect((await store.readLineage(ref)).runId).toBe('r');
    expect(await store.exists(ref)).toBe(true);
    const again = await store.write(table, lineage);
    expect(again).toEqual(ref);
    const listed = await store.list();
    expect(listed.map((c) => c.sha256)).toEqual([ref.sha256]);
    expect(listed[0].bytes).toBe(ref.bytes);
    expect(() => store.path(ref)).toThrow(/no local file/);
  });

  it('writes a checkpoint over QUIVER_S3_SINGLE_PUT_MAX_MB by multipart upload, read back verified', async () => {
    const store = openStore(s3.storeUri('multipart')) as S3CheckpointStore;
    process.env.QUIVER_S3_SINGLE_PUT_MAX_MB = '1';
    try {
      const ref = await store.write(sampleTable(1_200_000), lineage); // ~14 MB: two 8 MiB parts
      expect(ref.bytes).toBeGreaterThan(8 << 20);
      expect((await store.read(ref)).numRows).toBe(1_200_000);
      expect((await store.list()).map((c) => [c.sha256, c.bytes])).toEqual([[ref.sha256, ref.bytes]]);
    } finally {
      delete process.env.QUIVER_S3_SINGLE_PUT_MAX_MB;
    }
  });

  it('refuses an object overwritten with other bytes, naming it', async () => {
    const store = openStore(s3.storeUri('b')) as S3CheckpointStore;
    const ref = await store.write(sampleTable(100), lineage);
    const other = await openStore(s3.storeUri('other')).write(sampleTable(101), lineage);
    const bytes = await openStore(s3.storeUri('other')).readBytes(other);
    const client = testS3Client(s3.server.endpoint);
    await client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: `b/${checkpointKey(ref.sha256)}`, Body: bytes }),
    );
    client.destroy();
    const refused = await store.read(ref).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CheckpointIntegrityError);
    expect(String(refused)).toContain(`s3://${s3.bucket}/b/${checkpointKey(ref.sha256)}`);
    await expect(store.verify(ref)).rejects.toThrow(/corrupt/);
  });

  it('creates with If-None-Match and swaps with If-Match, as S3 does', async () => {
    const objects = new S3ObjectStore(s3.storeUri('cas'));
    const first = await objects.put('state.json', '{"n":1}', { ifNoneMatch: '*' });
    await expect(objects.put('state.json', '{"n":2}', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    const second = await objects.put('state.json', '{"n":2}', { ifMatch: first.etag });
    await expect(objects.put('state.json', '{"n":3}', { ifMatch: first.etag })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    const current = await objects.get('state.json');
    expect(current?.body.toString()).toBe('{"n":2}');
    expect(current?.etag).toBe(second.etag);
    expect((await objects.list('')).map((o) => o.key)).toEqual(['state.json']);
  });

  it('names the store URI when its bucket does not exist', async () => {
    const missing = new S3ObjectStore('s3://no-such-bucket-here/x');
    const error = await missing.check().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(String(error)).toMatch(/s3:\/\/no-such-bucket-here\/x.*does not exist/);
  });
});

describe('shared state in an s3:// store', () => {
  const where = (prefix: string) => ({ home: '/nonexistent-home', store: s3.storeUri(prefix) });
  const entry = (run: string) => ({
    name: 'iris',
    model: { uri: '', sha256: run.padEnd(64, '0'), rows: 1, bytes: 1 },
    metrics: {},
    runId: run,
    pipeline: 'iris',
  });

  it('races 10 alias moves from 10 registry clients and loses none; versions never repeat', async () => {
    const registry = ModelRegistry.at(where('race'));
    const versions = await Promise.all(
      Array.from({ length: 10 }, (_, i) => ModelRegistry.at(where('race')).register(entry(`r${i}`))),
    );
    expect(versions.map((v) => v.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await Promise.all(
      versions.map((v, i) => ModelRegistry.at(where('race')).setAlias('iris', `a${i}`, v.version, 'race')),
    );
    const aliases = await registry.aliases('iris');
    expect(Object.keys(aliases).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `a${i}`).sort());
    expect(await registry.history('iris')).toHaveLength(10);
    expect(await registry.models()).toEqual(['iris']);
  });

  it('names the object when the alias state is truncated, and never takes it as empty', async () => {
    const registry = ModelRegistry.at(where('broken'));
    await registry.register(entry('b1'));
    await registry.setAlias('iris', 'production', 1, 'x');
    const client = testS3Client(s3.server.endpoint);
    await client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: 'broken/registry/iris/aliases.json', Body: '{"alias' }),
    );
    client.destroy();
    const error = await registry.aliases('iris').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreStateError);
    expect(String(error)).toContain(`s3://${s3.bucket}/broken/registry/iris/aliases.json`);
    await expect(registry.setAlias('iris', 'staging', 1, 'y')).rejects.toThrow(StoreStateError);
  });

  it('pins a schema once across racing pinners', async () => {
    const schema = (tag: string) => ({ pipeline: 'iris', tag, columns: {} }) as unknown as DataSchema;
    const results = await Promise.all(['a', 'b', 'c'].map((tag) => pinSchema(where('schemas'), schema(tag))));
    expect(results.filter((r) => r.pinned)).toHaveLength(1);
    const pinned = (await readPinnedSchema(where('schemas'), 'iris')) as unknown as { tag: string };
    expect(results.every((r) => (r.schema as unknown as { tag: string }).tag === pinned.tag)).toBe(true);
  });

  it('collects unreferenced checkpoint objects older than the cutoff', async () => {
    const store = openStore(s3.storeUri('gc'));
    const kept = await store.write(sampleTable(10), lineage);
    const dropped = await store.write(sampleTable(11), lineage);
    const dry = await collectGarbage(store, new Set([kept.sha256]), { olderThanMs: 0, dryRun: true });
    expect(dry.removed.map((r) => r.sha256)).toEqual([dropped.sha256]);
    const young = await collectGarbage(store, new Set([kept.sha256]));
    expect(young).toMatchObject({ removed: [], keptRecent: 1, keptReferenced: 1 });
    const done = await collectGarbage(store, new Set([kept.sha256]), { olderThanMs: 0 });
    expect(done.removed[0].path).toBe(`s3://${s3.bucket}/gc/${checkpointKey(dropped.sha256)}`);
    expect((await store.list()).map((c) => c.sha256)).toEqual([kept.sha256]);
  });

  it('names the store URI when the credentials are refused', async () => {
    const client = new S3Client({
      endpoint: s3.server.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'quiver-test', secretAccessKey: 'wrong-secret' },
    });
    const error = await new S3ObjectStore(s3.storeUri('x'), client).check().catch((e: unknown) => e);
    client.destroy();
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(String(error)).toContain(`store s3://${s3.bucket}/x: access denied`);
  });
});
