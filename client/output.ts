import { OutputError } from '../core/errors';
import type { GlobalFlags } from './environment';
import type { ErrorReport } from './exit-codes';

/** Prints a result as JSON (with --json) or as the human text `render` makes of it. */
export function emit<T>(flags: GlobalFlags, value: T, render: (value: T) => string): void {
  writeOut(flags.json ? `${JSON.stringify(value, null, 2)}\n` : `${render(value)}\n`);
}

/**
 * Writes to stdout. Redirected to a file, stdout writes synchronously, so a full disk (`>/dev/full`)
 * throws here: it becomes an OutputError naming the cause, not a stack trace.
 *
 * @throws OutputError when the write fails at once
 */
export function writeOut(text: string): void {
  try {
    process.stdout.write(text);
  } catch (error) {
    throw outputError(error);
  }
}

/** A failed stdout write as one sentence: `cannot write the output: ENOSPC (no space left on device)`. */
export function outputError(error: unknown): OutputError {
  const { code, message } = error as NodeJS.ErrnoException;
  const reason = code ? `${code} (${message.replace(/^\w+: /, '').replace(/, write$/, '')})` : String(error);
  return new OutputError(`cannot write the output: ${reason}`, { cause: error });
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
  if (json) writeOut(`${JSON.stringify({ error: report })}\n`);
  else process.stderr.write(`quiver: ${report.message}\n`);
}
