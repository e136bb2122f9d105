import { float64, int32, tableFromColumns, utf8 } from '../arrow-columns';
import type { ValidationReport } from './gate';

/**
 * The validation report as one long Arrow table: a row per (model, slice, metric) with `model`
 * (candidate | champion), `version`, `slice_column` and `slice_value` (null for overall), `rows`,
 * `metric`, `value`.
 */
export function reportToArrow(report: ValidationReport) {
  const columns = {
    model: [] as string[],
    version: [] as (number | null)[],
    slice_column: [] as (string | null)[],
    slice_value: [] as (string | null)[],
    rows: [] as number[],
    metric: [] as string[],
    value: [] as number[],
  };
  for (const evaluation of [report.candidate, report.champion]) {
    if (!evaluation) continue;
    const parts = [
      { column: null, value: null, rows: evaluation.rows, metrics: evaluation.overall },
      ...evaluation.slices,
    ];
    for (const part of parts) {
      for (const [metric, value] of Object.entries(part.metrics)) {
        columns.model.push(evaluation.role);
        columns.version.push(evaluation.version);
        columns.slice_column.push(part.column);
        columns.slice_value.push(part.value);
        columns.rows.push(part.rows);
        columns.metric.push(metric);
        columns.value.push(value);
      }
    }
  }
  return tableFromColumns({
    model: utf8(columns.model),
    version: int32(columns.version),
    slice_column: utf8(columns.slice_column),
    slice_value: utf8(columns.slice_value),
    rows: int32(columns.rows),
    metric: utf8(columns.metric),
    value: float64(columns.value),
  });
}
