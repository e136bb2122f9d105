import { Readable } from 'node:stream';
import type { S3Client, S3ClientConfig, S3ServiceException } from '@aws-sdk/client-s3';
import type { Upload } from '@aws-sdk/lib-storage';
import { QuiverError, StoreStateError, StoreUnavailableError } from '../errors';
import { PreconditionFailedError, type ListedObject, type ObjectStore, type PutConditions } from './types';

/**
 * The AWS SDK, loaded on first use: a `file://` store never needs it, and loading it costs every CLI
 * call and worker start about 130 ms (the client, its checksums and Smithy core).
 */
function sdk(): typeof import('@aws-sdk/client-s3') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred load, typed by the import type
  return require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
}

/** The SDK's multipart uploader, loaded on first use (see {@link sdk}). */
function storage(): { Upload: typeof Upload } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred load, typed by the import type
  return require('@aws-sdk/lib-storage') as { Upload: typeof Upload };
}

/** Bucket and key prefix of an `s3://bucket/prefix` URI (the prefix without slashes at its ends). */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(match[1]))
    throw new QuiverError(`not an S3 URI: '${uri}' (expected s3://bucket/prefix)`);
  return { bucket: match[1], prefix: match[2].replace(/^\/+|\/+$/g, '') };
}

/**
 * The S3 client's settings from the standard AWS environment: `AWS_REGION` / `AWS_DEFAULT_REGION`
 * (else the profile's region, else us-east-1), `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` for
 * S3-compatible servers (path-style addressing then, unless `QUIVER_S3_PATH_STYLE=0`), and
 * credentials through the SDK's default chain (environment, `AWS_PROFILE`, SSO, instance roles).
 */
export function s3ClientConfig(env: NodeJS.ProcessEnv = process.env): S3ClientConfig {
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
  const pathStyle = env.QUIVER_S3_PATH_STYLE;
  return {
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || (env.AWS_PROFILE ? undefined : 'us-east-1'),
    endpoint,
    forcePathStyle: pathStyle === undefined || pathStyle === '' ? endpoint !== undefined : pathStyle !== '0',
    // Quiver checks SHA-256 itself; the SDK's extra CRC trailers are not understood by every server.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

/**
 * Largest checkpoint written by one signed PUT rather than by multipart upload, in bytes:
 * `QUIVER_S3_SINGLE_PUT_MAX_MB` (default 1024; S3 allows up to 5 GiB). Over a slow or long link a
 * lower value (e.g. 64) spreads large checkpoints over parallel part uploads.
 */
export function s3SinglePutMaxBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.QUIVER_S3_SINGLE_PUT_MAX_MB;
  const mb = raw === undefined || raw === '' ? 1024 : Number(raw);
  if (!Number.isFinite(mb) || mb < 0 || mb > 5 * 1024)
    throw new QuiverError(`QUIVER_S3_SINGLE_PUT_MAX_MB must be a number of MB from 0 to 5120, got '${raw}'`);
  return mb * 1024 * 1024;
}

const clients = new Map<string, S3Client>();

/** One client per configuration and process: its connection pool is shared by every store object. */
export function s3Client(env: NodeJS.ProcessEnv = process.env): S3Client {
  // Node 20 is supported by this release of the SDK; its notice about future releases is noise in CLI output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const config = s3ClientConfig(env);
  const key = JSON.stringify([config, env.AWS_ACCESS_KEY_ID, env.AWS_PROFILE]);
  let client = clients.get(key);
  if (!client) clients.set(key, (client = new (sdk().S3Client)(config)));
  return client;
}

/** Objects under `s3://bucket/prefix/`, with S3's own conditional writes (`If-None-Match`, `If-Match`). */
export class S3ObjectStore implements ObjectStore {
  readonly bucket: string;
  readonly prefix: string;

  constructor(
    readonly uri: string,
    readonly client: S3Client = s3Client(),
  ) {
    ({ bucket: this.bucket, prefix: this.prefix } = parseS3Uri(uri));
    this.uri = `s3://${this.bucket}${this.prefix ? `/${this.prefix}` : ''}`;
  }

  uriOf(key: string): string {
    return `s3://${this.bucket}/${this.keyOf(key)}`;
  }

  /** The bucket key of a store key. */
  keyOf(key: string): string {
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  async get(key: string) {
    try {
      const reply = await this.client.send(
        new (sdk().GetObjectCommand)({ Bucket: this.bucket, Key: this.keyOf(key) }),
      );
      const body = Buffer.from(await reply.Body!.transformToByteArray());
      return { body, etag: reply.ETag ?? '' };
    } catch (error) {
      if (isS3Error(error, 'NoSuchKey', 404)) return null;
      throw this.failure(error, key, 'read');
    }
  }

  async put(key: string, body: Buffer | string, conditions: PutConditions = {}) {
    try {
      const reply = await this.client.send(
        new (sdk().PutObjectCommand)({
          Bucket: this.bucket,
          Key: this.keyOf(key),
          Body: typeof body === 'string' ? Buffer.from(body) : body,
          IfNoneMatch: conditions.ifNoneMatch,
          IfMatch: conditions.ifMatch,
        }),
      );
      return { etag: reply.ETag ?? '' };
    } catch (error) {
      if (isS3Error(error, 'PreconditionFailed', 412) || isS3Error(error, 'ConditionalRequestConflict', 409))
        throw new PreconditionFailedError(
          `${this.uriOf(key)} ${conditions.ifNoneMatch ? 'exists already' : 'changed since it was read'}`,
        );
      throw this.failure(error, key, 'write');
    }
  }

  /**
   * Uploads `chunks` as one object without joining them into one buffer. When the caller knows the
   * bytes' SHA-256 (a checkpoint's content address) and they are at most `singlePutMaxBytes`, one
   * streamed PUT carries that hash as its signed `x-amz-content-sha256`: the SDK then hashes nothing
   * again, and AWS S3 refuses the PUT unless the bytes it received have that hash (SeaweedFS does
   * not check it; reads verify every byte either way). Larger (or unhashed)
   * bodies go by multipart upload (8 MiB parts, 4 in flight), each part signed with its own hash.
   */
  async putStream(
    key: string,
    chunks: readonly Uint8Array[],
    options: { sha256?: string; singlePutMaxBytes?: number } = {},
  ): Promise<void> {
    const bytes = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    const singlePutMax = options.singlePutMaxBytes ?? s3SinglePutMaxBytes();
    try {
      if (options.sha256 && bytes <= singlePutMax) await this.putSigned(key, chunks, bytes, options.sha256);
      else {
        const upload = new (storage().Upload)({
          client: this.client,
          params: { Bucket: this.bucket, Key: this.keyOf(key), Body: Readable.from(chunks) },
          partSize: 8 << 20,
          queueSize: 4,
        });
        await upload.done();
      }
    } catch (error) {
      throw error instanceof QuiverError ? error : this.failure(error, key, 'write');
    }
  }

  /**
   * One PutObject streaming `chunks`, signed with their known SHA-256. The SDK does not retry a
   * streamed body (it cannot rewind it), so network failures and 5xx replies are retried here, twice.
   */
  private async putSigned(key: string, chunks: readonly Uint8Array[], bytes: number, sha256: string) {
    for (let attempt = 1; ; attempt++) {
      const command = new (sdk().PutObjectCommand)({
        Bucket: this.bucket,
        Key: this.keyOf(key),
        Body: Readable.from(chunks, { objectMode: false }),
        ContentLength: bytes,
      });
      // SigV4 takes a present x-amz-content-sha256 as the payload's hash instead of hashing the body.
      command.middlewareStack.add(
        (next) => (args) => {
          (args.request as { headers: Record<string, string> }).headers['x-amz-content-sha256'] = sha256;
          return next(args);
        },
        { step: 'build', name: 'quiverContentSha256' },
      );
      try {
        await this.client.send(command);
        return;
      } catch (error) {
        const status = (error as S3ServiceException).$metadata?.httpStatusCode ?? 0;
        if (attempt >= 3 || (status > 0 && status < 500)) throw this.failure(error, key, 'write');
        await new Promise((resolve) => setTimeout(resolve, 200 * 4 ** (attempt - 1)));
      }
    }
  }

  /** The object's size, or null when it does not exist. */
  async head(key: string): Promise<{ bytes: number; modifiedAt: Date } | null> {
    try {
      const reply = await this.client.send(
        new (sdk().HeadObjectCommand)({ Bucket: this.bucket, Key: this.keyOf(key) }),
      );
      return { bytes: reply.ContentLength ?? 0, modifiedAt: reply.LastModified ?? new Date(0) };
    } catch (error) {
      if (isS3Error(error, 'NotFound', 404) || isS3Error(error, 'NoSuchKey', 404)) return null;
      throw this.failure(error, key, 'read');
    }
  }

  /** A stream of the object's bytes and its length, or null when it does not exist. */
  async getStream(key: string): Promise<{ body: AsyncIterable<Uint8Array>; bytes: number } | null> {
    try {
      const reply = await this.client.send(
        new (sdk().GetObjectCommand)({ Bucket: this.bucket, Key: this.keyOf(key) }),
      );
      return { body: reply.Body as AsyncIterable<Uint8Array>, bytes: reply.ContentLength ?? 0 };
    } catch (error) {
      if (isS3Error(error, 'NoSuchKey', 404)) return null;
      throw this.failure(error, key, 'read');
    }
  }

  async list(prefix: string): Promise<ListedObject[]> {
    const listed: ListedObject[] = [];
    const root = this.prefix ? `${this.prefix}/` : '';
    let token: string | undefined;
    do {
      let reply;
      try {
        reply = await this.client.send(
          new (sdk().ListObjectsV2Command)({
            Bucket: this.bucket,
            Prefix: root + prefix,
            ContinuationToken: token,
          }),
        );
      } catch (error) {
        throw this.failure(error, prefix, 'list');
      }
      for (const item of reply.Contents ?? []) {
        if (!item.Key) continue;
        listed.push({
          key: item.Key.slice(root.length),
          bytes: item.Size ?? 0,
          modifiedAt: item.LastModified ?? new Date(0),
        });
      }
      token = reply.IsTruncated ? reply.NextContinuationToken : undefined;
    } while (token);
    return listed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new (sdk().DeleteObjectCommand)({ Bucket: this.bucket, Key: this.keyOf(key) }));
    } catch (error) {
      if (!isS3Error(error, 'NoSuchKey', 404)) throw this.failure(error, key, 'delete');
    }
  }

  /**
   * Fails with StoreUnavailableError naming the store unless its bucket exists and the credentials
   * may read it: what `quiver run` checks before it starts a run.
   */
  async check(): Promise<void> {
    try {
      await this.client.send(new (sdk().HeadBucketCommand)({ Bucket: this.bucket }));
      await this.client.send(
        new (sdk().ListObjectsV2Command)({ Bucket: this.bucket, Prefix: this.prefix, MaxKeys: 1 }),
      );
    } catch (error) {
      throw this.failure(error, '', 'open');
    }
  }

  /** An SDK error as a Quiver error naming the object and, where known, what to do about it. */
  private failure(error: unknown, key: string, action: string): Error {
    const where = key ? this.uriOf(key) : this.uri;
    const status = (error as S3ServiceException).$metadata?.httpStatusCode;
    const name = (error as Error).name;
    if (name === 'NoSuchBucket' || (action === 'open' && status === 404))
      return new StoreUnavailableError(`store ${this.uri}: bucket '${this.bucket}' does not exist`, {
        cause: error,
      });
    if (
      status === 403 ||
      /InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied|CredentialsProviderError/.test(name)
    )
      return new StoreUnavailableError(
        `store ${this.uri}: access denied (${name}) to ${action} ${where}: check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE`,
        { cause: error },
      );
    if (error instanceof sdk().S3ServiceException && (status ?? 500) < 500)
      return new StoreStateError(`cannot ${action} ${where}: ${name} (HTTP ${status}): ${error.message}`, {
        cause: error,
      });
    // Network failures stay retryable: the server may be back by the next attempt.
    return new StoreUnavailableError(`cannot ${action} ${where}: ${(error as Error).message || name}`, {
      cause: error,
    });
  }
}

function isS3Error(error: unknown, name: string, status: number): boolean {
  return (
    (error as Error)?.name === name || (error as S3ServiceException)?.$metadata?.httpStatusCode === status
  );
}
