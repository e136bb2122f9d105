import { tableFromColumns, utf8, bool } from '../core/arrow-columns';
import type { QuiverConfig } from '../core/config';
import { SanityCheckError } from '../core/errors';
import type { StepInput, StepResult } from '../core/run-types';
import { runSanityChecks } from './sanity-checks';
import { runStepActivity } from './step';

/** Checks the ingested data against the spec; writes the report first, then fails if any check failed. */
export async function sanity(input: StepInput, config: QuiverConfig): Promise<StepResult> {
  return runStepActivity('sanity', input, config, async (ctx) => {
    const results = runSanityChecks(await ctx.read('data'), input.spec);
    await ctx.write(
      'report',
      tableFromColumns({
        check: utf8(results.map((r) => r.check)),
        column: utf8(results.map((r) => r.column)),
        passed: bool(results.map((r) => r.passed)),
        observed: utf8(results.map((r) => r.observed)),
        expected: utf8(results.map((r) => r.expected)),
      }),
    );
    const failed = results.filter((r) => !r.passed);
    if (failed.length > 0) {
      const list = failed
        .map((r) => `${r.check}(${r.column}): observed ${r.observed}, expected ${r.expected}`)
        .join('; ');
      throw new SanityCheckError(`${failed.length} sanity check(s) failed: ${list}`);
    }
    return { primary: 'report', summary: { checks: results.length, failed: 0 } };
  });
}
