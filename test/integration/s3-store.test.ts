import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../core/checkpoint/store';
import { checkpointKey, type S3CheckpointStore } from '../../core/checkpoint/s3-store';
import type { Lineage } from '../../core/checkpoint/types';
import { CheckpointIntegrityError } from '../../core/errors';
import { PreconditionFailedError, S3ObjectStore, StoreUnavailableError } from '../../core/object-store';
import { startS3TestServer, type S3TestServer } from '../support/s3-server';

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
    const table = sampleTable(200_000); // several multipart parts
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

  it('refuses an object overwritten with other bytes, naming it', async () => {
    const store = openStore(s3.storeUri('b')) as S3CheckpointStore;
    const ref = await store.write(sampleTable(100), lineage);
    const other = await openStore(s3.storeUri('other')).write(sampleTable(101), lineage);
    const bytes = await openStore(s3.storeUri('other')).readBytes(other);
    const client = new S3Client({ endpoint: s3.server.endpoint, region: 'us-east-1', forcePathStyle: true });
    await client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: `b/${checkpointKey(ref.sha256)}`, Body: bytes }),
    );
    client.destroy();
    const refused = await store.read(ref).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CheckpointIntegrityError);
    expect(String(refused)).toContain(`s3://${s3.bucket}/b/${checkpointKey(ref.sha256)}`);
    // A rewrite of the real bytes repairs it only when the size differs; a same-sized forgery stays refused.
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
