import type { GlobalFlags } from './environment';

/** Prints a result as JSON (with --json) or as the human text `render` makes of it. */
export function emit<T>(flags: GlobalFlags, value: T, render: (value: T) => string): void {
  process.stdout.write(flags.json ? `${JSON.stringify(value, null, 2)}\n` : `${render(value)}\n`);
}

/** Progress lines go to stderr so `--json` stdout stays machine-readable. */
export function info(message: string): void {
  process.stderr.write(`${message}\n`);
}
