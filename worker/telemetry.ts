import { DefaultLogger, Runtime, type LogLevel, type TelemetryOptions } from '@temporalio/worker';

let installed = false;

/**
 * Installs the Temporal runtime once per process, with quiet logs unless QUIVER_LOG_LEVEL asks for
 * more, and a Prometheus endpoint when `metricsPort` is given.
 */
export function installRuntime(
  level: LogLevel = (process.env.QUIVER_LOG_LEVEL as LogLevel | undefined) ?? 'WARN',
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
 * Prometheus on `0.0.0.0:PORT/metrics` when a port is configured: Temporal's worker metrics and
 * Quiver's own (activities/metrics.ts), which go through the same runtime meter.
 */
export function metricsTelemetry(port: number | undefined): TelemetryOptions | undefined {
  if (port === undefined) return undefined;
  return { metrics: { prometheus: { bindAddress: `0.0.0.0:${port}` } } };
}
