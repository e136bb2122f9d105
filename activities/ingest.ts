import { readCsv } from '../core/csv';
import type { QuiverConfig } from '../core/config';
import type { StepInput, StepResult } from '../core/run-types';
import { runStepActivity } from './step';

/** Reads the spec's CSV source into an Arrow checkpoint (`data`). */
export async function ingest(input: StepInput, config: QuiverConfig): Promise<StepResult> {
  const { source } = input.spec;
  const params = { uri: source.uri, format: source.format, delimiter: source.delimiter };
  return runStepActivity('ingest', params, input, config, async (ctx) => {
    const table = await readCsv(source.uri, { delimiter: source.delimiter });
    const ref = await ctx.write('data', table);
    return {
      primary: 'data',
      summary: { rows: table.numRows, columns: table.numCols, datasetSha256: ref.sha256 },
    };
  });
}
