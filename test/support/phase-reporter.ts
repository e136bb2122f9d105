import fs from 'node:fs';
import path from 'node:path';
import type { Reporter } from 'vitest/reporters';
import type { RunnerTestFile } from 'vitest';

/**
 * Writes each test file's phases (ms) to QUIVER_PHASES_FILE (default test-results/phases.json): where
 * the suite's wall time goes, file by file (`--reporter=default --reporter=./test/support/phase-reporter.ts`).
 */
export default class PhaseReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = []): void {
    const rows = files.map((file) => ({
      file: file.filepath,
      prepareMs: file.prepareDuration ?? 0,
      setupMs: file.setupDuration ?? 0,
      collectMs: file.collectDuration ?? 0,
      runMs: file.result?.duration ?? 0,
      startTime: file.result?.startTime ?? 0,
    }));
    const out = process.env.QUIVER_PHASES_FILE ?? path.join('test-results', 'phases.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(rows, null, 1));
  }
}
