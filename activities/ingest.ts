import { openStore } from '../core/checkpoint/store';
import { readCsv } from '../core/csv';
import { sourceSha256 } from '../core/source';
import type { QuiverConfig } from '../core/config';
import type { StepInput, StepResult } from '../core/run-types';
import { cancellationSignal, runStepActivity } from './step';

/** Reads the spec's CSV source into an Arrow checkpoint (`data`). */
export async function ingest(input: StepInput, config: QuiverConfig): Promise<StepResult> {
  const { source } = input.spec;
  // The file's own hash joins the cache key: a resumed run never reuses data read from an older file.
  const extraParams = {
    sourceSha256: await sourceSha256(source.uri, {
      digests: openStore(config.store).digests,
      signal: cancellationSignal(),
    }),
  };
  return runStepActivity(
    'ingest',
    input,
    config,
    async (ctx) => {
      ctx.throwIfCancelled();
      const table = await readCsv(source.uri, { delimiter: source.delimiter });
      const ref = await ctx.write('data', table);
      return {
        primary: 'data',
        summary: { rows: table.numRows, columns: table.numCols, datasetSha256: ref.sha256 },
      };
    },
    extraParams,
  );
}
