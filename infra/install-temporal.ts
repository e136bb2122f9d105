/**
 * Installs (once) and prints the path of the pinned Temporal CLI: `npx tsx infra/install-temporal.ts`.
 * Progress goes to stderr and only the path to stdout, so scripts can capture it.
 */
import { ensureTemporalCli } from './temporal-cli';

ensureTemporalCli()
  .then((cli) => process.stdout.write(`${cli}\n`))
  .catch((error: unknown) => {
    process.stderr.write(`[quiver] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
