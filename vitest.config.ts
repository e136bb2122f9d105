import os from 'node:os';
import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './test/support/sequencer';

/**
 * Test files run at once: one per core. Integration files mostly wait (on the dev server, on workers
 * and their training threads), so vitest's default (cores − 1) left a 2-core machine half idle, one
 * file at a time; 3 at once overloaded a busy one (timeouts). QUIVER_TEST_FORKS overrides it.
 */
const forks = Number(process.env.QUIVER_TEST_FORKS) || Math.max(2, os.availableParallelism());

export default defineConfig({
  test: {
    // The Temporal native bridge crashes under worker threads, so every suite runs in a forked process.
    pool: 'forks',
    poolOptions: { forks: { maxForks: forks, minForks: 1 } },
    // Longest files start first, so the run does not end on one fork finishing a long file alone.
    sequence: { sequencer: LongestFirstSequencer },
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Lets the CLI's lazy `require`s of TypeScript modules work when a test drives it in-process.
    setupFiles: ['test/setup/tsx-require.ts'],
    // Generous: tests wait on events (a run's state) with deadlines that stretch with the machine's load
    // (test/support/patience.ts); these only catch a test that hangs.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Expected failures (bad CSV, failed gates) would otherwise fill the log with SDK warnings.
    env: { QUIVER_LOG_LEVEL: 'ERROR' },
  },
});
