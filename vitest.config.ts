import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The Temporal native bridge crashes under worker threads, so every suite runs in a forked process.
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Lets the CLI's lazy `require`s of TypeScript modules work when a test drives it in-process.
    setupFiles: ['test/setup/tsx-require.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Expected failures (bad CSV, failed gates) would otherwise fill the log with SDK warnings.
    env: { QUIVER_LOG_LEVEL: 'ERROR' },
  },
});
