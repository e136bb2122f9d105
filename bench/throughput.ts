import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { QuiverClient } from '../client/api';
import { loadConfig } from '../core/config';
import { loadSpecFile } from '../core/spec/load';
import { startDevServer } from '../infra/dev-server';
import { findFreePorts } from '../infra/ports';
import { startQuiver, stopProcess } from '../test/support/cli';
import { startS3TestServer, testS3Client } from '../test/support/s3-server';
import { runStandalone, type BenchResult } from './result';

const REPO = path.resolve(__dirname, '..');
const RUNS = Number(process.env.QUIVER_BENCH_THROUGHPUT_RUNS ?? 20);
/** CPU worker counts compared, each with one GPU worker: the scale-out the issue asks about. */
const WORKER_COUNTS = [1, 3];

/**
 * 20 iris pipelines started at once against 1, then 3 CPU worker processes (plus one GPU worker),
 * every worker with its own QUIVER_HOME and all shared state in one S3 bucket (SeaweedFS on
 * loopback), as on a cluster. Each phase has its own task queues and store prefix, so nothing is
 * reused across phases. Runs per minute = RUNS / (start of the first run → end of the last).
 * The ratio says how far extra worker processes help on *this* machine: with 2 cores they compete
 * for the same CPUs as the server, S3 and each other, so ~1 is expected here; on hosts with their
 * own cores the same setup is what scales.
 */
export async function run(): Promise<BenchResult[]> {
  const s3 = await startS3TestServer('throughput');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-bench-throughput-'));
  const [port, uiPort] = await findFreePorts(2);
  const server = await startDevServer({ home, port, uiPort, dbFile: ':memory:', log: () => undefined });
  try {
    const uploader = testS3Client(s3.server.endpoint);
    await uploader.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: 'data/iris.csv',
        Body: fs.readFileSync(path.join(REPO, 'data', 'iris.csv')),
      }),
    );
    uploader.destroy();
    const overrides = [
      `source.uri=s3://${s3.bucket}/data/iris.csv`,
      // Room for a loaded machine, as the many-hosts test gives its steps.
      'source.timeout=60s',
      'sanity.timeout=60s',
      'validate.timeout=60s',
      'deploy.timeout=60s',
      // One epoch, as the many-hosts test: the bench measures distribution, not training.
      'train.epochs=1',
      'validate.min.accuracy=0',
      'validate.beatBaseline=false',
    ];
    const spec = loadSpecFile(path.join(REPO, 'pipelines', 'iris.yaml'), overrides).spec;
    const {
      QUIVER_STORE: _store,
      QUIVER_HOME: _home,
      QUIVER_TF_BACKEND: _backend,
      ...inherited
    } = process.env;
    const perMinute: Record<number, number> = {};
    for (const cpuWorkers of WORKER_COUNTS) {
      const env: NodeJS.ProcessEnv = {
        ...inherited,
        ...s3.env,
        TEMPORAL_ADDRESS: server.address,
        QUIVER_STORE: s3.storeUri(`phase-${cpuWorkers}`),
        QUIVER_QUEUE_PREFIX: `throughput-${cpuWorkers}-`,
        QUIVER_GPU_CONCURRENCY: '4',
      };
      const homes = Array.from({ length: cpuWorkers + 2 }, (_, i) =>
        fs.mkdtempSync(path.join(home, `host-${cpuWorkers}-${i}-`)),
      );
      const workers: ChildProcess[] = [];
      try {
        workers.push(
          ...(await Promise.all([
            ...homes
              .slice(0, cpuWorkers)
              .map((h) => startQuiver(['worker', '--queue', 'cpu'], { ...env, QUIVER_HOME: h }, 'worker on')),
            startQuiver(
              ['worker', '--queue', 'gpu'],
              { ...env, QUIVER_HOME: homes[cpuWorkers] },
              'worker on',
            ),
          ])),
        );
        const config = loadConfig({ ...env, QUIVER_HOME: homes[cpuWorkers + 1] });
        const client = await QuiverClient.connect({
          address: server.address,
          namespace: 'default',
          uiUrl: server.uiUrl,
          taskQueues: config.taskQueues,
          store: config.store,
        });
        try {
          const started = performance.now();
          const runIds = await Promise.all(Array.from({ length: RUNS }, () => client.start(spec, overrides)));
          const views = await Promise.all(runIds.map((id) => client.wait(id, undefined, 1_000)));
          const minutes = (performance.now() - started) / 60_000;
          const failed = views.filter((v) => v.status !== 'COMPLETED');
          if (failed.length)
            throw new Error(
              `${failed.length} of ${RUNS} runs did not complete with ${cpuWorkers} CPU workers: ` +
                failed.map((v) => `${v.runId}: ${v.status} ${v.error}`).join('; '),
            );
          perMinute[cpuWorkers] = RUNS / minutes;
          process.stderr.write(
            `throughput: ${cpuWorkers} CPU worker(s): ${RUNS} runs in ${(minutes * 60).toFixed(1)} s\n`,
          );
        } finally {
          await client.close();
        }
      } finally {
        await Promise.all(workers.map((w) => stopProcess(w)));
      }
    }
    const [one, three] = WORKER_COUNTS.map((n) => perMinute[n]);
    return [
      {
        name: `${RUNS} concurrent iris runs, ${WORKER_COUNTS[1]} CPU workers vs ${WORKER_COUNTS[0]}`,
        value: three,
        unit: 'runs/min',
        baseline: one,
        ratio: three / one,
        target: 'ratio > 1 (scale-out)',
        pass: three / one > 1,
        note: `separate worker processes with their own QUIVER_HOME, + 1 GPU worker, S3 store (SeaweedFS, loopback), in-memory dev server, 1 epoch; ${os.cpus().length} cores shared by all`,
      },
    ];
  } finally {
    await server.stop();
    await s3.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

if (require.main === module) runStandalone(run);
