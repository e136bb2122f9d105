import type { Table } from 'apache-arrow';
import { expect } from 'vitest';
import { runDataChecks } from '../../activities/data-checks';
import type { DataSchema } from '../../core/data/data-schema';
import type { PipelineSpec } from '../../core/spec/schema';
import { parseCsv, type CsvOptions } from '../../core/csv';
import { validateSpec } from '../../core/spec/load';

/**
 * A minimal spec reading `x.csv` with `source` options, target `label`, any row count allowed;
 * `sections` adds or replaces whole sections (`{ train: { features: [...] } }`).
 */
export const dataChecksSpec = (
  source: Record<string, unknown> = {},
  sections: Record<string, unknown> = {},
) =>
  validateSpec({
    name: 't',
    source: { uri: 'x.csv', ...source },
    target: { column: 'label' },
    sanity: { minRows: 1 },
    ...sections,
  });

/** Sanity's data checks on `table` under dataChecksSpec(source), with no pinned schema or reference. */
export const checkTable = (table: Table, source: Record<string, unknown> = {}) =>
  runDataChecks({
    table,
    spec: dataChecksSpec(source),
    pinned: null,
    reference: { skipped: 'none' },
    origin: { runId: 'r1', dataSha256: 'abc', rows: 0 },
  });

/** CSV `text` read with `options` (also the spec's source options), then checkTable. */
export const checkCsv = (text: string, options: CsvOptions = {}) =>
  checkTable(parseCsv(text, options), options as Record<string, unknown>);

/**
 * Sanity's data checks on `table` under `spec` against a pinned schema (`null`: none, the first run),
 * with no drift reference: what a retrain on next month's file sees. `.inferred` is the schema a
 * passing first run pins; `.failed` the checks a retrain fails.
 */
export const checkAgainstSchema = (
  table: Table,
  spec: PipelineSpec,
  pinned: DataSchema | null,
  origin = { runId: 'r1', dataSha256: 'abc', rows: table.numRows },
) => runDataChecks({ table, spec, pinned, reference: { skipped: 'none' }, origin });

/**
 * Expects `text`'s only failure to be date_text on its `date` column: text that reads 100% as dates
 * in the non-ISO `layout`, named with its first line and the ISO-8601 way out. Returns the failure.
 */
export function expectDateText(text: string, layout: string) {
  const { failed } = checkCsv(text);
  expect(failed.map((r) => `${r.check}(${r.column})`)).toEqual(['date_text(date)']);
  expect(failed[0].observed).toMatch(/^text, yet 100\.0% dates, 100\.0% in a non-ISO layout \(/);
  expect(failed[0].observed).toContain(layout);
  expect(failed[0].observed).toContain('(line 2)');
  expect(failed[0].expected).toContain('convert the column to ISO-8601 upstream');
  return failed[0];
}
