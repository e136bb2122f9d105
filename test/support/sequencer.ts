import fs from 'node:fs';
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Longest files first, so no fork is left alone with a long file at the end of the run: each file's
 * duration in the last run (vitest's results cache), else an estimate from its size and kind (an
 * integration file runs pipelines; a unit file is pure logic). A fresh checkout has no cache.
 */
export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const expected = new Map(files.map((file) => [file, this.expectedMs(file)]));
    return [...files].sort((a, b) => expected.get(b)! - expected.get(a)!);
  }

  /** The file's duration last time (ms), or an estimate from its size when it has none. */
  private expectedMs(file: TestSpecification): number {
    const relative = path.relative(this.ctx.config.root, file.moduleId);
    const last = this.ctx.cache.getFileTestResults(`${file.project.name}:${relative}`);
    if (last && last.duration > 0) return last.duration;
    const bytes = fs.statSync(file.moduleId, { throwIfNoEntry: false })?.size ?? 0;
    // About 5 ms of run per byte of an integration file (iris pipelines), 0.2 ms for a unit file.
    return bytes * (relative.split(path.sep).includes('integration') ? 5 : 0.2);
  }
}
