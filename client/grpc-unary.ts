import http2 from 'node:http2';

/** gRPC status codes the read path tells apart (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export const GRPC_STATUS = { ok: 0, deadlineExceeded: 4, notFound: 5, unavailable: 14 } as const;

/**
 * How a call the server left unanswered is described, whichever client made it: `no answer within
 * 10000 ms` (grpc-js's own text, `Deadline exceeded after 9.988s,Waiting for LB pick`, is its internals).
 */
export function noAnswerWithin(deadlineMs: number): string {
  return `no answer within ${deadlineMs} ms`;
}

/** A unary call that ended with a non-OK gRPC status; `code` is the status, `details` the server's message. */
export class GrpcCallError extends Error {
  /**
   * @param notGrpc true when the peer answered, but not in HTTP/2 (an HTTP/1 server such as the
   *   Temporal Web UI's port): no gRPC server listens at the address
   */
  constructor(
    readonly method: string,
    readonly code: number,
    readonly details: string,
    readonly notGrpc = false,
  ) {
    super(`${method}: gRPC status ${code}: ${details}`);
  }
}

/**
 * Unary gRPC calls over one plaintext HTTP/2 connection (Node's own `http2`): a length-prefixed
 * request, a length-prefixed response and the status in the trailers (the gRPC over HTTP/2 protocol,
 * https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md). What `status` and `runs ls` need
 * without loading @grpc/grpc-js; messages are encoded by the caller.
 */
export class UnaryChannel {
  private session: http2.ClientHttp2Session | undefined;

  /** `address` is `host:port`; nothing connects until the first call. */
  constructor(private readonly address: string) {}

  private connect(): http2.ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const session = http2.connect(`http://${this.address}`);
    // A connection error fails the calls in flight (each sees it as UNAVAILABLE); never an uncaught error.
    session.on('error', () => undefined);
    this.session = session;
    return session;
  }

  /**
   * Sends `request` to `path` (`/package.Service/Method`) and resolves with the response message.
   * @throws GrpcCallError with the server's status, UNAVAILABLE when the connection fails, or
   *   DEADLINE_EXCEEDED after `deadlineMs`.
   */
  call(path: string, request: Uint8Array, deadlineMs: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      let session: http2.ClientHttp2Session;
      try {
        session = this.connect();
      } catch (error) {
        reject(new GrpcCallError(path, GRPC_STATUS.unavailable, (error as Error).message));
        return;
      }
      const stream = session.request({
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc',
        te: 'trailers',
        'grpc-timeout': `${Math.max(1, Math.ceil(deadlineMs))}m`,
      });
      const chunks: Buffer[] = [];
      let status: number | undefined;
      let details = '';
      let settled = false;
      const finish = (error?: GrpcCallError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) return reject(error);
        if (status === undefined)
          return reject(
            new GrpcCallError(path, GRPC_STATUS.unavailable, 'the stream ended without a status'),
          );
        if (status !== GRPC_STATUS.ok) return reject(new GrpcCallError(path, status, details));
        const body = Buffer.concat(chunks);
        // One message: a compression flag (0: none, as we ask for none), a 4-byte length, the bytes.
        if (body.length < 5 || body[0] !== 0)
          return reject(new GrpcCallError(path, GRPC_STATUS.unavailable, 'unreadable response message'));
        resolve(body.subarray(5, 5 + body.readUInt32BE(1)));
      };
      const timer = setTimeout(() => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        // A peer that does not answer within the deadline is not trusted with the next call, and a
        // graceful close would wait on it forever (a stopped server, a black-holed address).
        this.drop(session);
        finish(new GrpcCallError(path, GRPC_STATUS.deadlineExceeded, noAnswerWithin(deadlineMs)));
      }, deadlineMs);
      // A trailers-only response (an error) carries its status in the headers.
      const readStatus = (headers: http2.IncomingHttpHeaders) => {
        if (headers['grpc-status'] === undefined) return;
        status = Number(headers['grpc-status']);
        details = decodeURIComponent(String(headers['grpc-message'] ?? ''));
      };
      stream.on('response', readStatus);
      stream.on('trailers', readStatus);
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error: NodeJS.ErrnoException) =>
        // ERR_HTTP2_ERROR: nghttp2 could not read the peer's bytes as HTTP/2 ("Protocol error").
        finish(
          new GrpcCallError(path, GRPC_STATUS.unavailable, error.message, error.code === 'ERR_HTTP2_ERROR'),
        ),
      );
      stream.on('close', () => finish());
      const frame = Buffer.alloc(5 + request.length);
      frame.writeUInt32BE(request.length, 1);
      frame.set(request, 5);
      stream.end(frame);
    });
  }

  /** Closes the connection at once (no goodbye a silent peer could hold up); calls in flight fail. */
  close(): void {
    if (this.session) this.drop(this.session);
  }

  private drop(session: http2.ClientHttp2Session): void {
    session.destroy();
    if (this.session === session) this.session = undefined;
  }
}
