import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import * as arrow from 'apache-arrow';
import { openStore } from '../core/checkpoint/store';
import type { S3CheckpointStore } from '../core/checkpoint/s3-store';
import type { Lineage } from '../core/checkpoint/types';
import { s3Client } from '../core/object-store/s3';
import { startS3TestServer } from '../test/support/s3-server';
import { runStandalone, type BenchResult } from './result';
import { median } from './stats';

const ROWS = Number(process.env.QUIVER_BENCH_STORE_ROWS ?? 5_000_000);
const COLUMNS = 10;
const RUNS = Number(process.env.QUIVER_BENCH_RUNS_STORE ?? 3);
const TARGET = 0.8;

const lineage: Lineage = {
  pipeline: 'bench',
  runId: 'bench-run',
  step: 'ingest',
  output: 'data',
  stepCodeVersion: 'bench',
  paramsHash: '0'.repeat(64),
  inputs: [],
  createdAt: '2024-01-01T00:00:00.000Z',
};

/** ROWS × COLUMNS Float64 columns of deterministic pseudo-random values (as bench/checkpoint.ts). */
function makeTable(): arrow.Table {
  let seed = 42;
  const columns: Record<string, arrow.Vector> = {};
  for (let c = 0; c < COLUMNS; c++) {
    const values = new Float64Array(ROWS);
    for (let i = 0; i < ROWS; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      values[i] = seed / 0xffffffff;
    }
    columns[`x${c}`] = arrow.makeVector(values);
  }
  return new arrow.Table(columns);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return (performance.now() - started) / 1000;
}

/**
 * Checkpoint write (hash, then one PUT signed with that hash) and verified read (one GET, hashed as
 * it streams) on a real S3 server (SeaweedFS on loopback) versus a plain PutObject / GetObject of
 * the same bytes with the same SDK client, runs interleaved. The write is also measured through the
 * multipart path (`QUIVER_S3_SINGLE_PUT_MAX_MB=0`: what every checkpoint took before, and what
 * checkpoints over the threshold take). The 20-run throughput with 1 vs 3 CPU workers is
 * `npm run bench -- throughput` (bench/throughput.ts).
 */
export async function run(): Promise<BenchResult[]> {
  const s3 = await startS3TestServer('bench');
  try {
    const table = makeTable();
    const store = openStore(s3.storeUri('bench')) as S3CheckpointStore;
    const ref = await store.write(table, lineage);
    const bytes = await store.readBytes(ref);
    const client = s3Client();
    const key = `${s3.bucket}-plain.bin`;
    const times = {
      plainPut: [] as number[],
      plainGet: [] as number[],
      write: [] as number[],
      multipart: [] as number[],
      read: [] as number[],
    };
    const plain = async () => {
      times.plainPut.push(
        await timed(() => client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: bytes }))),
      );
      times.plainGet.push(
        await timed(async () => {
          const reply = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
          await reply.Body!.transformToByteArray();
        }),
      );
    };
    const checkpoint = async () => {
      await store.remove(ref.sha256); // so the write uploads instead of finding its object
      times.write.push(await timed(() => store.write(table, lineage)));
      times.read.push(await timed(() => store.read(ref)));
      await store.remove(ref.sha256);
      const threshold = process.env.QUIVER_S3_SINGLE_PUT_MAX_MB;
      process.env.QUIVER_S3_SINGLE_PUT_MAX_MB = '0';
      try {
        times.multipart.push(await timed(() => store.write(table, lineage)));
      } finally {
        if (threshold === undefined) delete process.env.QUIVER_S3_SINGLE_PUT_MAX_MB;
        else process.env.QUIVER_S3_SINGLE_PUT_MAX_MB = threshold;
      }
    };
    for (let i = 0; i < RUNS; i++) {
      for (const side of i % 2 ? [checkpoint, plain] : [plain, checkpoint]) await side();
    }
    const mb = ref.bytes / 1e6;
    const result = (name: string, seconds: number[], baseline: number[], plainName: string): BenchResult => {
      const value = mb / median(seconds);
      const base = mb / median(baseline);
      return {
        name,
        value,
        unit: 'MB/s',
        baseline: base,
        ratio: value / base,
        target: `ratio ≥ ${TARGET}`,
        pass: value / base >= TARGET,
        note: `${ROWS} rows × ${COLUMNS} Float64 (${mb.toFixed(0)} MB) on SeaweedFS S3 (loopback), median of ${RUNS}; baseline = ${plainName} of the same bytes, same SDK`,
      };
    };
    return [
      result(
        's3 checkpoint write (one PUT signed with the content hash)',
        times.write,
        times.plainPut,
        'PutObject',
      ),
      result(
        's3 checkpoint write, multipart (8 MiB × 4; the path before)',
        times.multipart,
        times.plainPut,
        'PutObject',
      ),
      result('s3 checkpoint read (verified)', times.read, times.plainGet, 'GetObject'),
    ];
  } finally {
    await s3.close();
  }
}

if (require.main === module) runStandalone(run);
