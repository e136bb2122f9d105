import { DefaultLogger, Runtime, type LogLevel, type TelemetryOptions } from '@temporalio/worker';
import { METRIC_NAMES, STEP_DURATION_BUCKETS_SECONDS } from '../activities/metrics';

let installed = false;

/**
 * Installs the Temporal runtime once per process, with quiet logs unless QUIVER_LOG_LEVEL asks for
 * more, and a Prometheus endpoint when `metricsPort` is given.
 */
export function installRuntime(
  // An empty QUIVER_LOG_LEVEL is unset (quiet), not the SDK's most verbose default.
  level: LogLevel = (process.env.QUIVER_LOG_LEVEL?.trim().toUpperCase() || 'WARN') as LogLevel,
  metricsPort?: number,
): void {
  if (installed) return;
  installed = true;
  // Quiver's CLI owns SIGINT/SIGTERM so it can stop the dev server it started after the workers drain.
  const base = new DefaultLogger(level);
  // The GPU queue has no workflows by design; the SDK's warning about it would only alarm users.
  const logger = new DefaultLogger(level, (entry) => {
    if (entry.message.startsWith('No workflows registered')) return;
    // A run failing on bad data, a gate or a cancel is an outcome its user reads in `status`: one line
    // here, not 30 of SDK stack trace in the server's terminal (QUIVER_LOG_LEVEL=DEBUG keeps them).
    if (FAILURE_MESSAGES.has(entry.message) && level !== 'DEBUG' && level !== 'TRACE')
      return base.log(entry.level, oneLineFailure(entry.message, entry.meta));
    base.log(entry.level, entry.message, entry.meta);
  });
  Runtime.install({ logger, shutdownSignals: [], telemetryOptions: metricsTelemetry(metricsPort) });
}

/** The SDK's log lines for a failed activity attempt or run, which carry the failure and its stack. */
const FAILURE_MESSAGES = new Set(['Activity failed', 'Workflow failed']);

/**
 * `Activity failed: train of quiver-iris-… (DataError: …)`: what failed, where, and the failure's
 * first line, from the SDK's log metadata (`activityType`, `workflowId`, `error`).
 */
export function oneLineFailure(message: string, meta: Record<string, unknown> | undefined): string {
  const error = meta?.error as { name?: unknown; type?: unknown; message?: unknown } | undefined;
  const what = [meta?.activityType ?? meta?.workflowType, meta?.workflowId].filter(Boolean).join(' of ');
  const type = typeof error?.type === 'string' && error.type ? error.type : String(error?.name ?? 'Error');
  const text = String(error?.message ?? '').split('\n')[0];
  return `${message}${what ? `: ${what}` : ''} (${type}: ${text})`;
}

/**
 * Prometheus on `HOST:PORT/metrics` when a port is configured (host: `QUIVER_METRICS_HOST`, default
 * 127.0.0.1 so a worker never exposes metrics beyond its machine unless asked): Temporal's worker
 * metrics and Quiver's own (activities/metrics.ts), which go through the same runtime meter. Names
 * follow Prometheus conventions: counters end in `_total`, durations are in seconds.
 */
export function metricsTelemetry(
  port: number | undefined,
  host: string = process.env.QUIVER_METRICS_HOST || '127.0.0.1',
): TelemetryOptions | undefined {
  if (port === undefined) return undefined;
  return {
    metrics: {
      prometheus: {
        bindAddress: `${host.includes(':') ? `[${host}]` : host}:${port}`,
        countersTotalSuffix: true,
        useSecondsForDurations: true,
        histogramBucketOverrides: { [METRIC_NAMES.stepDuration]: STEP_DURATION_BUCKETS_SECONDS },
      },
    },
  };
}
