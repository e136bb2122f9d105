import os from 'node:os';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { LongestFirstSequencer } from './test/support/sequencer';

/**
 * Test files run at once: one per core. Integration files mostly wait (on the dev server, on workers
 * and their training threads), so vitest's default (cores − 1) left a 2-core machine half idle, one
 * file at a time; 3 at once overloaded a busy one (timeouts). QUIVER_TEST_FORKS overrides it.
 */
const forks = Number(process.env.QUIVER_TEST_FORKS) || Math.max(2, os.availableParallelism());

/**
 * Unit files that stay in a forked process of their own: they load native addons that must not load
 * in a worker thread (Dawn's WebGPU binding), or read the dev server's address (`inject`), which only
 * the project running test/global-setup.ts is given.
 */
const FORKED_UNIT_FILES = [
  'test/unit/model-backend.test.ts',
  'test/unit/client/cli-startup.test.ts',
  'test/unit/infra/temporal-connection.test.ts',
];

/** What both projects share. */
const common = {
  // Lets the CLI's lazy `require`s of TypeScript modules work when a test drives it in-process.
  setupFiles: ['test/setup/tsx-require.ts'],
  // Generous: tests wait on events (a run's state) with deadlines that stretch with the machine's load
  // (test/support/patience.ts); these only catch a test that hangs.
  testTimeout: 300_000,
  hookTimeout: 300_000,
  env: {
    // Expected failures (bad CSV, failed gates) would otherwise fill the log with SDK warnings.
    QUIVER_LOG_LEVEL: 'ERROR',
    // Tests kill workers: a run a killed worker had cached moves on after 2 s, not the SDK's 10 s
    // (shorter would send a busy machine's live workers' tasks to the shared queue, to be replayed).
    QUIVER_STICKY_TIMEOUT: '2s',
  },
} satisfies TestProjectInlineConfiguration['test'];

export default defineConfig({
  test: {
    // Pool-wide settings (vitest reads them from the root, for every project using that pool).
    poolOptions: {
      forks: { maxForks: forks, minForks: 1 },
      // Unit files (pure logic) share one thread and its module cache: each one re-importing TF.js,
      // Arrow and the Temporal SDK in a fresh process cost about a second per file, more than most run.
      threads: { isolate: false, maxThreads: 1, minThreads: 1 },
    },
    // Longest files start first, so the run does not end on one fork finishing a long file alone.
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        test: {
          ...common,
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          exclude: FORKED_UNIT_FILES,
          // Runs beside the forks below, from the start, in a worker thread of vitest's own process.
          pool: 'threads',
          isolate: false,
        },
      },
      {
        test: {
          ...common,
          name: 'integration',
          include: ['test/integration/**/*.test.ts', ...FORKED_UNIT_FILES],
          // The Temporal native bridge crashes under worker threads, so these run in forked processes.
          pool: 'forks',
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
