import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

let installed = false;

/** Installs the Temporal runtime once per process, with quiet logs unless QUIVER_LOG_LEVEL asks for more. */
export function installRuntime(
  level: LogLevel = (process.env.QUIVER_LOG_LEVEL as LogLevel | undefined) ?? 'WARN',
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
  Runtime.install({ logger, shutdownSignals: [] });
}
