import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startSeaweed, type SeaweedServer } from '../../infra/seaweedfs';

/** A plain SDK client for the test server (with the test credentials), for tampering with objects. */
export function testS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'quiver-test', secretAccessKey: 'quiver-test-secret' },
  });
}

/** A real S3 server (SeaweedFS) for one test file, with a bucket and the AWS environment that reaches it. */
export interface S3TestServer {
  server: SeaweedServer;
  bucket: string;
  /** AWS_* variables for processes that talk to it (endpoint, region, the one identity it accepts). */
  env: Record<string, string>;
  /** `s3://<bucket>/<prefix>`: a fresh store URI per call. */
  storeUri(prefix: string): string;
  /** Creates another bucket. */
  createBucket(name: string): Promise<void>;
  /** Stops the server (a store outage); `start()` brings it back on the same ports and data. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts SeaweedFS on free loopback ports (20–25 s on a busy machine: start it once per file, in
 * beforeAll), creates a bucket, and points this process's AWS environment at it.
 */
export async function startS3TestServer(name: string): Promise<S3TestServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `quiver-s3-${name}-`));
  const credentials = { accessKey: 'quiver-test', secretKey: 'quiver-test-secret' };
  let server = await startSeaweed({ dir, credentials });
  const env = {
    AWS_ENDPOINT_URL: server.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: credentials.accessKey,
    AWS_SECRET_ACCESS_KEY: credentials.secretKey,
  };
  Object.assign(process.env, env);
  const client = testS3Client(server.endpoint);
  const createBucket = async (bucket: string) => {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  };
  const bucket = `quiver-${name}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  await createBucket(bucket);
  return {
    get server() {
      return server;
    },
    bucket,
    env,
    storeUri: (prefix) => `s3://${bucket}/${prefix}`,
    createBucket,
    stop: () => server.stop(3_000),
    async start() {
      server = await startSeaweed({ dir, credentials, ports: server.ports });
      // The S3 port answers before the volume server has re-registered: wait until a write lands.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const probe = testS3Client(server.endpoint);
        const written = await probe
          .send(new PutObjectCommand({ Bucket: bucket, Key: '.probe', Body: 'ok' }))
          .then(
            () => true,
            () => Date.now() > deadline,
          );
        probe.destroy();
        if (written) return;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    },
    async close() {
      client.destroy();
      // Its data is thrown away next: no grace to wait out (SeaweedFS takes seconds to obey SIGTERM).
      await server.stop(0);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
