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
    if (!entry.message.startsWith('No workflows registered'))
      base.log(entry.level, entry.message, entry.meta);
  });
  Runtime.install({ logger, shutdownSignals: [], telemetryOptions: metricsTelemetry(metricsPort) });
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
