import type { GlobalFlags } from './environment';
import type { ErrorReport } from './exit-codes';

/** Prints a result as JSON (with --json) or as the human text `render` makes of it. */
export function emit<T>(flags: GlobalFlags, value: T, render: (value: T) => string): void {
  process.stdout.write(flags.json ? `${JSON.stringify(value, null, 2)}\n` : `${render(value)}\n`);
}

/** Progress lines go to stderr so `--json` stdout stays machine-readable. */
export function info(message: string): void {
  process.stderr.write(`${message}\n`);
}

/**
 * Prints a failed command's error: with `--json`, `{"error": {type, message, field}}` on stdout (where
 * a script reads the result); otherwise `quiver: message` on stderr.
 */
export function emitError(json: boolean | undefined, report: ErrorReport): void {
  if (json) process.stdout.write(`${JSON.stringify({ error: report })}\n`);
  else process.stderr.write(`quiver: ${report.message}\n`);
}
