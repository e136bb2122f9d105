import { InterceptingCall, Metadata, status, type Interceptor } from '@grpc/grpc-js';
import {
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type ConnectionOptions,
} from '@temporalio/client';

/**
 * gRPC interceptor that turns a call started on a closed channel into a CANCELLED status.
 *
 * Why: the Temporal client's retry interceptor retries a failed call from a timer; when the connection
 * was closed meanwhile (a command finishing while a `status` query still retries against a dead
 * worker), grpc-js throws `Channel has been shut down` inside that timer: an uncaught exception that
 * kills the process. Placed after the retry interceptor, this one answers such a retry with a status
 * instead, which the retry interceptor does not retry and the caller receives as a rejected promise.
 */
export const closedChannelGuard: Interceptor = (options, nextCall) => {
  try {
    return new InterceptingCall(nextCall(options));
  } catch (error) {
    if (!(error instanceof Error && /Channel has been shut down/.test(error.message))) throw error;
    return new InterceptingCall(closedCall());
  }
};

/** A call that ends at once with CANCELLED "connection closed", as grpc-js reports a cancelled call. */
function closedCall(): ConstructorParameters<typeof InterceptingCall>[0] {
  return {
    start(_metadata, listener) {
      process.nextTick(() =>
        listener?.onReceiveStatus?.({
          code: status.CANCELLED,
          details: 'the Temporal connection was closed',
          metadata: new Metadata(),
        }),
      );
    },
    sendMessageWithContext: (context) => context.callback?.(),
    sendMessage: () => undefined,
    startRead: () => undefined,
    halfClose: () => undefined,
    cancelWithStatus: () => undefined,
    getPeer: () => '(closed)',
    getAuthContext: () => null,
  };
}

/** Connection options with Temporal's default retries followed by {@link closedChannelGuard}. */
export function guardedConnectionOptions(options: ConnectionOptions): ConnectionOptions {
  return {
    ...options,
    interceptors: [
      ...(options.interceptors ?? [makeGrpcRetryInterceptor(defaultGrpcRetryOptions())]),
      closedChannelGuard,
    ],
  };
}

/**
 * `Connection.connect` with {@link guardedConnectionOptions}: the one way Quiver's client, CLI and
 * tests open a client connection.
 */
export function connectClient(options: ConnectionOptions): Promise<Connection> {
  return Connection.connect(guardedConnectionOptions(options));
}
