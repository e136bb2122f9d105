import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROGRESS_QUERY } from '../../../client/api';
import { GRPC_STATUS, GrpcCallError, UnaryChannel } from '../../../client/grpc-unary';
import { progressQuery } from '../../../workflows/training-pipeline';
import { dateOf, decodePayload, executionStatus, searchAttributeValue } from '../../../client/temporal-read';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS, shared with the build
const readProto = require('../../../infra/temporal-read-proto') as {
  METHODS: string[];
  cutReadProto(): { service: string; nested: Record<string, unknown> };
};
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK's full schema, to compare with
const protobuf = require('protobufjs/light') as typeof import('protobufjs');

const json = (value: unknown, type?: string) => ({
  metadata: {
    encoding: Buffer.from('json/plain'),
    ...(type ? { type: Buffer.from(type) } : {}),
  },
  data: Buffer.from(JSON.stringify(value)),
});

describe('decoding what Temporal returns', () => {
  it('reads payloads as the default payload converter writes them, and names any other encoding', () => {
    expect(decodePayload(json({ a: [1, 'x'] }))).toEqual({ a: [1, 'x'] });
    expect(decodePayload({ metadata: { encoding: Buffer.from('binary/null') } })).toBeUndefined();
    expect(decodePayload(undefined)).toBeUndefined();
    expect(() =>
      decodePayload({ metadata: { encoding: Buffer.from('binary/encrypted') }, data: Buffer.from('x') }),
    ).toThrow("cannot decode a payload encoded as 'binary/encrypted'");
  });

  it('reads search attributes as typed values, statuses and times as the Temporal client names them', () => {
    const info = {
      status: 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT',
      startTime: { seconds: 1_700_000_000, nanos: 250_000_000 },
      searchAttributes: {
        indexedFields: {
          QuiverPipeline: json(['iris'], 'Keyword'),
          QuiverModelVersion: json(3, 'Int'),
          Tags: json(['a', 'b'], 'KeywordList'),
        },
      },
    };
    expect(searchAttributeValue(info, 'QuiverPipeline')).toBe('iris');
    expect(searchAttributeValue(info, 'QuiverModelVersion')).toBe(3);
    expect(searchAttributeValue(info, 'Tags')).toEqual(['a', 'b']);
    expect(searchAttributeValue(info, 'QuiverStep')).toBeUndefined();
    expect(executionStatus(info)).toBe('TIMED_OUT');
    expect(dateOf(info.startTime)?.toISOString()).toBe('2023-11-14T22:13:20.250Z');
    expect(dateOf(undefined)).toBeNull();
  });
});

describe("the slice of Temporal's schema", () => {
  it("asks the workflow's own progress query by name", () => {
    expect(PROGRESS_QUERY).toMatchObject({ type: 'query', name: progressQuery.name });
  });

  it('encodes requests and decodes responses byte for byte as @temporalio/proto does', () => {
    const slice = protobuf.Root.fromJSON({ nested: readProto.cutReadProto().nested } as never);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK's unpatched full schema
    const full = require('@temporalio/proto/protos/json-module') as import('protobufjs').Root;
    const pkg = 'temporal.api.workflowservice.v1';
    for (const method of readProto.METHODS)
      for (const kind of ['Request', 'Response'])
        expect(() => slice.lookupType(`${pkg}.${method}${kind}`).resolveAll()).not.toThrow();
    const response = {
      workflowExecutionInfo: {
        execution: { workflowId: 'quiver-iris-1', runId: 'r' },
        status: 2,
        startTime: { seconds: 1_700_000_000, nanos: 5 },
        memo: { fields: { quiverProgress: json({ status: 'COMPLETED' }) } },
        searchAttributes: { indexedFields: { QuiverPipeline: json('iris', 'Keyword') } },
      },
      pendingActivities: [{ activityType: { name: 'train' }, attempt: 2 }],
    };
    const type = `${pkg}.DescribeWorkflowExecutionResponse`;
    const bytes = (root: import('protobufjs').Root) => {
      const t = root.lookupType(type);
      return Buffer.from(t.encode(t.fromObject(response)).finish());
    };
    expect(bytes(slice).equals(bytes(full))).toBe(true);
    const decoded = slice.lookupType(type).toObject(slice.lookupType(type).decode(bytes(full)), {
      longs: Number,
      enums: String,
    });
    expect(decoded.workflowExecutionInfo.status).toBe('WORKFLOW_EXECUTION_STATUS_COMPLETED');
    expect(decodePayload(decoded.workflowExecutionInfo.memo.fields.quiverProgress)).toEqual({
      status: 'COMPLETED',
    });
  });
});

describe('unary gRPC over HTTP/2', () => {
  let server: http2.Http2Server;
  let address: string;
  const frame = (message: Buffer) => {
    const out = Buffer.alloc(5 + message.length);
    out.writeUInt32BE(message.length, 1);
    message.copy(out, 5);
    return out;
  };

  beforeAll(async () => {
    // A gRPC server in miniature: echoes the message reversed, or answers with the status asked for.
    server = http2.createServer();
    server.on('stream', (stream, headers) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const body = Buffer.concat(chunks).subarray(5);
        if (headers[':path'] === '/svc/Slow') return; // never answers
        if (headers[':path'] === '/svc/Missing') {
          stream.respond(
            { ':status': 200, 'grpc-status': '5', 'grpc-message': encodeURIComponent('no run x') },
            { endStream: true },
          );
          return;
        }
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(frame(Buffer.from([...body].reverse())));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends a framed request and returns the framed answer, on one connection', async () => {
    const channel = new UnaryChannel(address);
    try {
      expect([...(await channel.call('/svc/Echo', Buffer.from([1, 2, 3]), 5_000))]).toEqual([3, 2, 1]);
      expect([...(await channel.call('/svc/Echo', Buffer.from([]), 5_000))]).toEqual([]);
    } finally {
      channel.close();
    }
  });

  it("fails with the server's status, a deadline, or an unreachable server, each as a GrpcCallError", async () => {
    const channel = new UnaryChannel(address);
    try {
      await expect(channel.call('/svc/Missing', Buffer.from([]), 5_000)).rejects.toMatchObject({
        code: GRPC_STATUS.notFound,
        details: 'no run x',
      });
      await expect(channel.call('/svc/Slow', Buffer.from([]), 200)).rejects.toMatchObject({
        code: GRPC_STATUS.deadlineExceeded,
      });
    } finally {
      channel.close();
    }
    const nobody = new UnaryChannel('127.0.0.1:1');
    await expect(nobody.call('/svc/Echo', Buffer.from([]), 5_000)).rejects.toBeInstanceOf(GrpcCallError);
    nobody.close();
  });
});
