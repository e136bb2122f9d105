import type { Table } from 'apache-arrow';
import { leftOutOfModel } from '../core/data/cardinality';
import type { ColumnView } from '../core/data/column-views';
import {
  constantTarget,
  findSentinels,
  sentinelHolders,
  type SentinelHolder,
  rareClasses,
  targetLeaks,
  valueCounts,
  type ValueRows,
} from '../core/data/dataset-checks';
import { expectedDuplicates, exportCopies, independentColumns, isMeasurement } from '../core/data/duplicates';
import { suggestedMaxFraction } from '../core/data/row-flags';
import { describeSplitColumn, findSplitColumns, splitColumnHint } from '../core/data/split-columns';
import { describeSummaryRows, findSummaryRows, summaryRowsHint } from '../core/data/summary-rows';
import { resolveTask } from '../core/model/task';
import { quote } from '../core/quote';
import type { RowLocator } from '../core/sources/row-lines';
import type { PipelineSpec } from '../core/spec/schema';
import type { CheckResult } from './sanity-checks';
import { expressionName, yamlName } from '../core/yaml-name';

/** What the whole-data-set checks read besides the spec. */
export interface DatasetCheckInput {
  table: Table;
  spec: PipelineSpec;
  views: ColumnView[];
  /** Rows that exactly repeat an earlier row (row flags' `duplicateOf`). */
  duplicates: number;
  /** Id-like columns the duplicate count compared rows without. */
  idColumns?: string[];
  /** Each repeated row mapped to the first row it copies (row flags' `duplicateOf`), ids aside. */
  copyOf?: ReadonlyMap<number, number>;
  /** Columns the checks leave alone (`ignore: true` overrides, columns misread as text). */
  skip: ReadonlySet<string>;
  locator: RowLocator;
  /** Timestamp columns: never called a copy of the target. */
  timestamps: ReadonlySet<string>;
  /** Rows that are more header lines (Qualtrics' question texts): a class only they hold is no rare class. */
  headerRows?: ReadonlySet<number>;
}

/** Below this many rows repeated rows are not judged (small samples repeat by nature). */
export const DUPLICATES_MIN_ROWS = 100;
/** Below this many rows class sizes are not judged (a fixture, not a data set). */
export const RARE_CLASS_MIN_ROWS = 20;

/**
 * Sanity's checks of the data set as a model sees it (`sanity.dataset`): duplicated rows, a
 * constant target, classes too rare to validate, features that copy the target, numeric sentinels,
 * one column split in two spellings of its name (split_column), rows that total others (summary_rows).
 * Every result here failed; a passing data set adds nothing to the report.
 */
export function runDatasetChecks(input: DatasetCheckInput): CheckResult[] {
  const { table, spec, views, locator } = input;
  const rules = spec.sanity.dataset;
  const label = spec.target.column;
  const results: CheckResult[] = [];
  const rows = table.numRows;
  // `petal_width` / `Petal_Width` never filled on one row: one column written two ways (breaker 9 #14).
  for (const split of findSplitColumns(views, input.skip))
    results.push({
      check: 'split_column',
      column: split.spellings[0].column,
      passed: false,
      observed: describeSplitColumn(split, locator),
      expected: splitColumnHint(split),
    });
  // deepchecks' train-test leakage: a repeated row lands on both sides of a split and flatters the holdout.
  // Small samples repeat rows by nature, and so do columns of few values (Likert answers): only the
  // repeats beyond those expected by chance (columns independent, expectedDuplicates) count (#4).
  if (rows >= DUPLICATES_MIN_ROWS && input.duplicates / rows > rules.maxDuplicateShare) {
    const idColumns = input.idColumns ?? [];
    const ids = new Set(idColumns);
    // Copies an export or append done twice leaves: keys repeated too, or a block of rows copied (breaker 10 #1).
    const copies = input.copyOf ? exportCopies(views, rows, input.copyOf, idColumns) : 0;
    // Under a unique id, repeats with distinct ids outside a copied block are genuine records (order
    // lines, survey answers): only the copies count. Without one, repeats beyond chance count too.
    const content = views.filter((v) => !ids.has(v.name));
    // Unless a fine-grained measurement repeats too: two genuine records almost never share one,
    // so a copy shuffled away from its block still shows, against chance.
    const byIds =
      idColumns.length > 0 && input.copyOf !== undefined && !content.some((v) => isMeasurement(v, rows));
    const chance = byIds ? 0 : expectedDuplicates(independentColumns(content, rows), rows);
    const beyond = byIds ? copies : Math.max(input.duplicates - chance, copies);
    const pct = (n: number) => `${((n / rows) * 100).toFixed(1)}%`;
    if (beyond / rows > rules.maxDuplicateShare)
      results.push({
        check: 'duplicates',
        column: '*',
        passed: false,
        observed:
          `${input.duplicates} of ${rows} rows (${pct(input.duplicates)}) repeat an earlier row exactly` +
          (idColumns.length > 0 ? ` (${idColumns.map(quote).join(', ')} aside)` : '') +
          (byIds
            ? `, ${copies} (${pct(copies)}) of them with the same id or in a block copied from earlier rows (a file exported or appended twice?)`
            : chance >= 0.01 * rows
              ? `, ${Math.round(chance)} (${pct(chance)}) expected by chance from the columns' few distinct values: more than chance (a file exported or appended twice? answers copied?)`
              : ' (a file exported or appended twice?)'),
        expected: byIds
          ? // Same ids, or a block copied row for row: copies, not records, so removal leads (RECHECK10 N2).
            `<= ${rules.maxDuplicateShare * 100}% copied rows: rows repeated with their ids, or in a block copied from earlier rows, ` +
            `are an export or append done twice: remove them at the source, or drop them (sanity.flags.duplicate: ` +
            `{ policy: drop, maxFraction: ${suggestedMaxFraction(input.duplicates / rows)} }); only if they are genuine ` +
            `records, allow them (sanity.dataset.maxDuplicateShare: ${suggestedMaxFraction(beyond / rows)})`
          : `<= ${rules.maxDuplicateShare * 100}% duplicates beyond chance: if the repeats are genuine records ` +
            `(the same product bought twice, the same answers given), allow them (sanity.dataset.maxDuplicateShare: ` +
            `${suggestedMaxFraction(beyond / rows)}); if the file was exported or appended twice, remove them at the ` +
            `source, or drop them (sanity.flags.duplicate: { policy: drop, maxFraction: ${suggestedMaxFraction(input.duplicates / rows)} })`,
      });
  }
  // Spreadsheet totals exported with their detail rows (#3, #8): every column reads them, so none is skipped.
  const summaries = rules.summaryRows === 'fail' ? findSummaryRows(views, label) : [];
  if (summaries.length > 0)
    results.push({
      check: 'summary_rows',
      column: '*',
      passed: false,
      observed: describeSummaryRows(summaries, locator),
      expected: summaryRowsHint(summaries, rows, locator),
    });
  const target = views.find((v) => v.name === label);
  if (!target) return results;
  const constant = constantTarget(target);
  if (constant) {
    results.push({
      check: 'constant_target',
      column: label,
      passed: false,
      observed: `one value, ${quoteValue(target, constant.value)}, on all ${constant.count} labeled rows`,
      expected:
        'at least 2 distinct target values: is target.column the right column, or the export filtered?',
    });
    return results;
  }
  let task: 'classification' | 'regression';
  try {
    task = resolveTask(table, label, spec.target.task);
  } catch {
    return results; // a target train cannot use is reported by train, naming why
  }
  // A 12-row fixture has no holdout to speak of; a rare class among real data does (#8, #21).
  const numberLike = numberLikeTarget(target);
  // A numeric target misread as text (`price` with one 'unknown') is numeric_tokens' finding: its
  // hundreds of one-row "classes" are no rare classes (#17).
  // So is a target a numeric_text / numeric_tokens / date check already names (in `skip`): 196 one-row
  // "classes" of `'679 959,8'` are that misreading's noise (#17).
  const misreadNumbers = (target.kind === 'categorical' && numberLike !== null) || input.skip.has(label);
  if (task === 'classification' && rows >= RARE_CLASS_MIN_ROWS && !misreadNumbers) {
    const headerRows = input.headerRows ?? new Set<number>();
    const rares = rareClasses(target, rules.minClassRows).filter(
      // `rows` keeps the first few: a class is a header cell only when all its rows are among them.
      (rare) => !(rare.rows.length === rare.count && rare.rows.every((row) => headerRows.has(row))),
    );
    // Many distinct numbers as classes: a quantity (a 0–20 grade), better regressed (#10).
    const regressionHint =
      numberLike !== null
        ? `; ${label} holds ${numberLike.distinct} distinct numbers (${numberLike.min} … ${numberLike.max}): if it is a quantity, set target.task: regression`
        : '';
    for (const rare of rares.slice(0, LISTED))
      results.push({
        check: 'rare_class',
        column: label,
        passed: false,
        observed: `class ${quoteValue(target, rare.value)} has ${rare.count} row(s) (${describeRows(rare, rows, locator)})`,
        expected:
          `>= ${rules.minClassRows} rows per class so the holdout can check it: fix or remove those rows ` +
          `(${regressionHint ? 'a typo?' : 'a typo? a truncated last line?'}), collect more, or lower sanity.dataset.minClassRows${regressionHint}`,
      });
    if (rares.length > LISTED)
      results.push({
        check: 'rare_class',
        column: label,
        passed: false,
        observed: `and ${rares.length - LISTED} more classes with fewer than ${rules.minClassRows} rows: ${rares
          .slice(LISTED, LISTED + 10)
          .map((r) => quoteValue(target, r.value))
          .join(', ')}${rares.length > LISTED + 10 ? ', …' : ''}`,
        expected: `>= ${rules.minClassRows} rows per class${regressionHint}`,
      });
  }
  // A timestamp rising with the target is a trend, the feature time-ordered data is for; a column the
  // model never sees (dropped, or outside train.features) cannot leak, and those are this check's own ways out.
  const features = views.filter(
    (v) =>
      v.name !== label &&
      !input.skip.has(v.name) &&
      !input.timestamps.has(v.name) &&
      leftOutOfModel(v.name, spec.features, spec.train.features) === null,
  );
  // Totals many times the rest make any two summed columns correlate: that is summary_rows' finding.
  for (const leak of targetLeaks(features, target, task, rules.leakCorrelation).filter(
    (l) => summaries.length === 0 || l.kind === 'mapping' || l.kind === 'presence',
  ))
    results.push({
      check: 'target_leak',
      column: leak.column,
      passed: false,
      observed:
        leak.kind === 'mapping'
          ? `determines ${quote(label)} exactly, value for value: ${leak.detail}`
          : leak.kind === 'presence'
            ? `gives ${quote(label)} away by being empty or filled (a field filled in after the outcome?): ${leak.detail}`
            : `correlates with ${quote(label)} at ${leak.detail} (|r| >= ${rules.leakCorrelation})`,
      expected:
        `a feature known before the answer: drop it (features: [{ drop: [${yamlName(leak.column)}] }], or leave it out of ` +
        `train.features); if it is truly known at prediction time, mark it sanity.schema.columns.${yamlName(leak.column)}.ignore: true`,
    });
  // As for target_leak: a column the model never sees (dropped after a derive read it, or outside
  // train.features) cannot skew its scaling, and that is the hint's own indicator way out (N1).
  const numeric = views.filter(
    (v) => !input.skip.has(v.name) && leftOutOfModel(v.name, spec.features, spec.train.features) === null,
  );
  // A value far outside every column holding it is a file-wide "no data" code: one message for it.
  const fileWide = new Set<number>();
  for (const s of findSentinels(numeric, rules.sentinelShare, rules.sentinelIqr)) {
    const holders = sentinelHolders(views, s.column, s.value, rules.sentinelIqr);
    const codeEverywhere = holders.length > 0 && holders.every((h) => h.far);
    if (codeEverywhere && fileWide.has(s.value)) continue;
    if (codeEverywhere) fileWide.add(s.value);
    results.push({
      check: 'sentinel',
      column: s.column,
      passed: false,
      observed:
        `${s.value} on ${s.count} rows (${locator.list(s.rows)}${s.count > s.rows.length ? ', …' : ''}), ` +
        `far outside the other values (quartiles ${s.q1} … ${s.q3})` +
        (codeEverywhere
          ? `, and far outside the other values of every other column holding it: ${listHolders(holders)}: a file-wide "no data" code`
          : ''),
      expected: codeEverywhere
        ? fileWideSentinelHint(s.value)
        : sentinelHint(s.column, s.value, holders, s.column === label),
    });
  }
  return results;
}

/** `'T' (12 rows), 'RH' (12 rows), and 2 more`. */
function listHolders(holders: SentinelHolder[]): string {
  const listed = holders
    .slice(0, 5)
    .map((h) => `${quote(h.column)} (${h.count} rows)`)
    .join(', ');
  return `${listed}${holders.length > 5 ? `, and ${holders.length - 5} more` : ''}`;
}

/** The way out of a file-wide "no data" code: null it on reading, in every column at once. */
export function fileWideSentinelHint(value: number): string {
  return (
    `a "no data" code read as a number: source.nullValues: ['', '${value}'] (it applies to every column, and no column ` +
    `holds ${value} as a real value; the list replaces the default null tokens, so add any others the file uses, such as 'NA'); ` +
    `then handle the blanks as the null checks ask (impute, or drop the rows)`
  );
}

/**
 * The way out of a sentinel. `source.nullValues` blanks the value in EVERY column, so when other
 * numeric columns hold it legitimately, inside their range (a house with 0 garage places), the hint
 * names them and offers per-column ways instead: fix it upstream, or derive an indicator and drop
 * the raw column (the check skips columns the model never sees, as target_leak does; never for the
 * target, the label itself); and how to accept it. `holders` are the other columns holding the value.
 */
export function sentinelHint(
  column: string,
  value: number,
  holders: SentinelHolder[],
  isTarget = false,
): string {
  const accept =
    `if ${value} is a real value here, accept it (sanity.dataset.sentinelShare / sentinelIqr, or ` +
    `sanity.schema.columns.${yamlName(column)}.ignore: true, which only skips the checks)`;
  const upstream = `replace it with an empty cell in ${quote(column)} upstream`;
  const perColumn = isTarget
    ? `${upstream} (the rows without a label then fail null_fraction, whose hint drops them)`
    : `${upstream}, or let the model see it as a flag instead: ` +
      `derive an indicator and drop the raw column (features: [{ derive: { ${yamlName(`${column}_known`)}: "${expressionName(column)} != ${value}" } }, ` +
      `{ drop: [${yamlName(column)}] }]; a features list then needs encode/impute for text columns)`;
  if (holders.length === 0)
    return (
      `a "no data" code read as a number: source.nullValues: ['${value}'] (it applies to every column; ` +
      `no other column holds ${value}), or ${perColumn}; ${accept}`
    );
  const legitimate = holders.filter((h) => !h.far);
  const codes = holders.filter((h) => h.far);
  return (
    `a "no data" code read as a number, but NOT via source.nullValues: ['${value}']: it applies to every column ` +
    `and would blank the legitimate ${value}s (inside their range) of ${listHolders(legitimate)}` +
    (codes.length > 0 ? ` (in ${listHolders(codes)} it is a code too)` : '') +
    `; instead ${perColumn}; ${accept}`
  );
}

/** How many items of one kind a check lists before it says "and N more". */
const LISTED = 5;

/**
 * The target's distinct values when they look like a quantity rather than classes: more than 10
 * distinct values, ≥ 90% of them numbers (so a column read as text because of a stray token counts). Null otherwise.
 */
function numberLikeTarget(target: ColumnView): { distinct: number; min: number; max: number } | null {
  const values = valueCounts(target).map((c) => c.value);
  if (values.length <= 10) return null;
  const numbers = values.map((v) => Number(v.trim())).filter((x) => Number.isFinite(x));
  if (numbers.length < 0.9 * values.length) return null;
  return { distinct: values.length, min: Math.min(...numbers), max: Math.max(...numbers) };
}

/** `'virgi'` for text, `7` for a number. */
function quoteValue(view: ColumnView, value: string): string {
  return view.kind === 'numeric' ? value : quote(value);
}

/** `line 151, the last row: a truncated last line?` or `lines 3, 17`. */
function describeRows(found: ValueRows, rows: number, locator: RowLocator): string {
  const where = locator.list(found.rows);
  return found.rows.includes(rows - 1)
    ? `${where}; the file's last row: cut short by a truncated download?`
    : where;
}
