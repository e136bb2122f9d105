import type { Table } from 'apache-arrow';
import { columnStats, type ColumnStats } from '../core/arrow-columns';
import { leftOutOfModel } from '../core/data/cardinality';
import { missingColumn } from '../core/data/data-schema';
import { quoteList } from '../core/quote';
import type { PipelineSpec } from '../core/spec/schema';
import { ownValue } from '../core/own-keys';
import { yamlName } from '../core/yaml-name';
import { suggestedMaxFraction } from '../core/data/row-flags';
import { nullFillHint } from '../core/data/null-fill';

/** One row of the sanity report. */
export interface CheckResult {
  check: string;
  column: string;
  passed: boolean;
  observed: string;
  expected: string;
}

/**
 * Evaluates every check the spec asks for; pure, so it can be unit-tested on small tables.
 * `statsOf` lets a caller that has already profiled the columns skip a second pass over them.
 */
export function runSanityChecks(
  table: Table,
  spec: PipelineSpec,
  statsOf: (column: string) => ColumnStats = (column) => columnStats(table, column),
): CheckResult[] {
  const results: CheckResult[] = [];
  const columns = new Set(table.schema.fields.map((f) => f.name));
  const label = spec.target.column;

  for (const column of new Set([...spec.sanity.requiredColumns, label])) {
    const present = columns.has(column);
    results.push({
      check: column === label ? 'label_present' : 'required_column',
      column,
      passed: present,
      observed: present ? 'present' : missingColumn(column, [...columns]),
      expected: 'present',
    });
  }
  results.push({
    check: 'min_rows',
    column: '*',
    passed: table.numRows >= spec.sanity.minRows,
    observed: String(table.numRows),
    expected: `>= ${spec.sanity.minRows}`,
  });

  for (const column of columns) {
    const stats = statsOf(column);
    const limit =
      column === label ? 0 : (ownValue(spec.sanity.nullFractions, column) ?? spec.sanity.maxNullFraction);
    const fraction = stats.rows === 0 ? 0 : stats.nulls / stats.rows;
    // A column the model never sees cannot hurt it with nulls (#1).
    const unused = column === label ? null : leftOutOfModel(column, spec.features, spec.train.features);
    results.push({
      check: 'null_fraction',
      column,
      passed: fraction <= limit || unused !== null,
      observed:
        fraction === 1 && column !== label ? '1.0000 (all null: empty on every row)' : fraction.toFixed(4),
      expected:
        unused !== null
          ? `any: not a model input (${unused})`
          : fraction <= limit
            ? `<= ${limit}`
            : fraction === 1 && column !== label
              ? // Nothing to impute from, nothing to learn: a null share or a fill would train on a constant.
                `<= ${limit}: the column is empty on every row of this file: fill it upstream, or leave it out of the model (train.features: a keep-list without ${yamlName(column)})`
              : column === label
                ? `<= 0: rows without a label (row_flags(missingLabel)) cannot train; drop them with sanity.flags.missingLabel: { policy: drop, maxFraction: ${suggestedMaxFraction(fraction)} }`
                : `<= ${limit} (sanity.maxNullFraction, default 0.1; for this column alone sanity.nullFractions: { ${yamlName(column)}: ${Math.min(1, Math.ceil(fraction * 20) / 20)} }, ` +
                  `${nullFillHint(column, stats)}; or drop it / leave it out of train.features)`,
    });

    const range = ownValue(spec.sanity.ranges, column);
    if (range) {
      const inRange =
        stats.kind === 'numeric' &&
        (range.min === undefined || (stats.min ?? range.min) >= range.min) &&
        (range.max === undefined || (stats.max ?? range.max) <= range.max);
      results.push({
        check: 'numeric_range',
        column,
        passed: inRange,
        observed: stats.kind === 'numeric' ? `[${stats.min}, ${stats.max}]` : 'not numeric',
        expected: `[${range.min ?? '-inf'}, ${range.max ?? 'inf'}]`,
      });
    }
    const allowed = ownValue(spec.sanity.categories, column);
    if (allowed) {
      const unexpected = stats.categories.filter((c) => !allowed.includes(c));
      results.push({
        check: 'allowed_categories',
        column,
        passed: stats.kind === 'categorical' && unexpected.length === 0,
        observed:
          stats.kind !== 'categorical'
            ? 'not categorical'
            : unexpected.length
              ? `unexpected: ${quoteList(unexpected)}`
              : quoteList(stats.categories),
        expected: quoteList(allowed, 20),
      });
    }
  }
  for (const column of [...Object.keys(spec.sanity.ranges), ...Object.keys(spec.sanity.categories)]) {
    if (!columns.has(column))
      results.push({
        check: 'configured_column',
        column,
        passed: false,
        observed: missingColumn(column, [...columns]),
        expected: 'present',
      });
  }
  return results;
}
