import {
  InterceptingCall,
  ListenerBuilder,
  RequesterBuilder,
  type Interceptor,
  type InterceptingListener,
  type Metadata,
  type StatusObject,
} from '@grpc/grpc-js';
import {
  Connection,
  defaultGrpcRetryOptions,
  type ConnectionOptions,
  type GrpcRetryOptions,
} from '@temporalio/client';

/**
 * The Temporal client's retry interceptor (same decisions and back-off: `defaultGrpcRetryOptions`),
 * made safe for a connection that closes while a retry waits.
 *
 * Why: the SDK's interceptor starts each retry from a timer; when the connection was closed meanwhile
 * (a command finishing while a `status` query still retries against a dead worker), grpc-js throws
 * `Channel has been shut down` inside that timer, and when a retried call ends it forwards the response
 * through a callback only the first attempt sets (`savedMessageNext is not a function`): both are
 * uncaught exceptions that kill the process. Here a retry on a closed channel ends the call with its
 * last status (the caller's promise rejects), and the response is forwarded whichever attempt got it.
 */
export function closeSafeRetryInterceptor(
  retryOptions: GrpcRetryOptions = defaultGrpcRetryOptions(),
): Interceptor {
  return (options, nextCall) => {
    let savedSendMessage: unknown;
    let savedReceiveMessage: unknown;
    let received = false;
    // grpc-js holds the call's status until the first attempt's message callback is called.
    let savedMessageNext: ((message: unknown) => void) | undefined;
    const requester = new RequesterBuilder()
      .withStart((metadata: Metadata, downstream: InterceptingListener, next) => {
        let attempt = 1;
        const listener = new ListenerBuilder()
          .withOnReceiveMessage((message: unknown, next: (message: unknown) => void) => {
            savedReceiveMessage = message;
            savedMessageNext = next;
            received = true;
          })
          .withOnReceiveStatus((first: StatusObject, forwardStatus) => {
            const finish = (status: StatusObject) => {
              if (savedMessageNext) savedMessageNext(savedReceiveMessage);
              else if (received) downstream.onReceiveMessage(savedReceiveMessage);
              forwardStatus(status);
            };
            const retry = (last: StatusObject) => {
              attempt++;
              let call: ReturnType<typeof nextCall>;
              try {
                call = nextCall(options);
              } catch {
                // The connection was closed while this retry waited: end with the last status.
                finish({ ...last, details: `${last.details} (connection closed before a retry)` });
                return;
              }
              call.start(metadata, {
                onReceiveMessage(message: unknown) {
                  savedReceiveMessage = message;
                  received = true;
                },
                onReceiveStatus,
              });
              call.sendMessage(savedSendMessage);
              call.halfClose();
            };
            const onReceiveStatus = (status: StatusObject) => {
              if (retryOptions.retryableDecider(attempt, status))
                setTimeout(() => retry(status), retryOptions.delayFunction(attempt, status));
              else finish(status);
            };
            onReceiveStatus(first);
          })
          .build();
        next(metadata, listener);
      })
      .withSendMessage((message: unknown, next) => {
        savedSendMessage = message;
        next(message);
      })
      .build();
    return new InterceptingCall(nextCall(options), requester);
  };
}

/** How long a call without a deadline of its own may wait for the server (see defaultDeadlineInterceptor). */
export const DEFAULT_CALL_DEADLINE_MS = 20_000;

/** Calls that wait on purpose (long polls, updates and queries that wait on a worker): no default deadline. */
const WAITING_METHODS = [
  'GetWorkflowExecutionHistory',
  'PollWorkflowExecutionUpdate',
  'UpdateWorkflowExecution',
  'ExecuteMultiOperation',
  'QueryWorkflow',
];

/**
 * Gives every call that has no deadline one of `ms`, except the calls that wait on purpose: a server
 * that accepts the connection and never answers (stopped, black-holed) would otherwise hold any
 * command forever. A caller's own deadline (`withDeadline`) is kept.
 */
export function defaultDeadlineInterceptor(ms: number = DEFAULT_CALL_DEADLINE_MS): Interceptor {
  return (options, nextCall) => {
    const method = options.method_definition.path.split('/').pop() ?? '';
    const waits = WAITING_METHODS.includes(method);
    const deadline = options.deadline !== undefined || waits ? {} : { deadline: Date.now() + ms };
    return new InterceptingCall(nextCall({ ...options, ...deadline }));
  };
}

/**
 * Connection options whose calls never wait forever on a silent server (see
 * {@link defaultDeadlineInterceptor}) and whose retries survive the connection closing (see
 * {@link closeSafeRetryInterceptor}).
 */
export function guardedConnectionOptions(options: ConnectionOptions): ConnectionOptions {
  return {
    ...options,
    interceptors: options.interceptors ?? [defaultDeadlineInterceptor(), closeSafeRetryInterceptor()],
  };
}

/**
 * `Connection.connect` with {@link guardedConnectionOptions}: the one way Quiver's client, CLI and
 * tests open a client connection.
 */
export function connectClient(options: ConnectionOptions): Promise<Connection> {
  return Connection.connect(guardedConnectionOptions(options));
}
