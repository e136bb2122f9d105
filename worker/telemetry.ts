import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

let installed = false;

/** Installs the Temporal runtime once per process, with quiet logs unless QUIVER_LOG_LEVEL asks for more. */
export function installRuntime(
  level: LogLevel = (process.env.QUIVER_LOG_LEVEL as LogLevel | undefined) ?? 'WARN',
): void {
  if (installed) return;
  installed = true;
  // Quiver's CLI owns SIGINT/SIGTERM so it can stop the dev server it started after the workers drain.
  Runtime.install({ logger: new DefaultLogger(level), shutdownSignals: [] });
}
