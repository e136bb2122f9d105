import type { ColumnStats } from '../arrow-columns';
import { quote } from '../quote';
import { yamlName } from '../yaml-name';

/**
 * How null_fraction's hint fills a column's nulls. A column of one value and blanks (`X` or empty:
 * an Excel checklist's checkbox; `1` or empty) is a flag whose blank means "no": the most frequent
 * value (or the median) of it is that one value, so filling with it would make the flag constant.
 * Such a column gets a constant fill standing for "no" instead; any other gets median / most_frequent.
 */
export function nullFillHint(column: string, stats: ColumnStats): string {
  const name = yamlName(column);
  const oneValue =
    stats.kind === 'numeric' ? stats.min !== null && stats.min === stats.max : stats.categories.length === 1;
  if (!oneValue)
    return `then fill them: features: [{ impute: { columns: [${name}], strategy: ${stats.kind === 'numeric' ? 'median' : 'most_frequent'} } }]`;
  const value = stats.kind === 'numeric' ? String(stats.min) : stats.categories[0];
  const share = (((stats.rows - stats.nulls) / Math.max(1, stats.rows)) * 100).toFixed(1);
  const no = stats.kind === 'numeric' ? (stats.min === 0 ? '-1' : '0') : "'no'";
  return (
    `then fill them as a checkbox's: ${quote(value)} on ${share}% of rows, blank elsewhere, so blank means no: ` +
    `features: [{ impute: { columns: [${name}], strategy: constant, value: ${no} } }] ` +
    `(never the most frequent value or median: that is ${quote(value)}, and the flag would be constant)`
  );
}
