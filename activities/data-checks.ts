import type { Table } from 'apache-arrow';
import type { ColumnStats } from '../core/arrow-columns';
import type { CheckResult } from './sanity-checks';
import { runSanityChecks } from './sanity-checks';
import { caseRenames, foldCaseRenames } from '../core/data/case-renames';
import type { PipelineSpec } from '../core/spec/schema';
import { columnViews, type ColumnView } from '../core/data/column-views';
import { applyOverrides, checkColumns, inferSchema, type DataSchema } from '../core/data/data-schema';
import { computeDrift, driftToArrow, type FeatureDrift } from '../core/data/drift';
import { filterRows } from '../core/data/filter-rows';
import { profileColumns, profileToArrow, type FeatureProfile } from '../core/data/profile';
import {
  applyPolicies,
  describeDecision,
  flagExamples,
  flagRows,
  flagsToArrow,
} from '../core/data/row-flags';
import {
  boundedByFeatures,
  idLikeHint,
  leftOutOfModel,
  looksLikeQuantity,
  looksLikeTimeIndex,
  numericIdHint,
  quantityIndexHint,
  timeIndexHint,
  numericIdLike,
  stringCardinality,
  freeTextHint,
  type OtherInputs,
} from '../core/data/cardinality';
import {
  describeCommaNumbers,
  describeFormattedNumbers,
  describeTokens,
  findCommaNumbers,
  findFormattedNumbers,
  findNumericTokens,
  findTimestampTokens,
  readsAsNumber,
} from '../core/data/numeric-tokens';
import {
  caseVariantsHint,
  caseVariantsKind,
  describeCaseVariants,
  findCaseVariants,
} from '../core/data/case-variants';
import {
  describeDateText,
  describeNumberDates,
  findDateText,
  findNumberDates,
  numberDatesHint,
} from '../core/data/date-text';
import {
  describeLabelSpellings,
  findLabelSpellings,
  findYesNoFeatures,
  labelSpellingsHint,
  yesNoFeatureHint,
} from '../core/data/label-spellings';
import { describeUnitNumbers, findUnitNumbers } from '../core/data/unit-numbers';
import { describeWrittenNumbers, findWrittenNumbers } from '../core/data/written-numbers';
import {
  describeZeroPaddedCodes,
  findZeroPaddedCodes,
  zeroPaddedCodesHint,
} from '../core/data/zero-padded-codes';
import { isOrdinalScale } from '../core/data/ordinal-scale';
import {
  ambiguousNullsHint,
  dashNullsHint,
  describeAmbiguousNulls,
  describeDashNulls,
  findAmbiguousNulls,
  findDashNulls,
} from '../core/data/ambiguous-nulls';
import { rowLocator } from '../core/sources/row-lines';
import { runDatasetChecks } from './dataset-checks';
import {
  describeExtraHeaderRows,
  extraHeaderRowsHint,
  findExtraHeaderRows,
  type ExtraHeaderRows,
} from '../core/data/header-rows';
import { LOGICAL_TYPE_KEY, parseIsoTimestamp, TEXT_REASON_KEY } from '../core/sources/text-types';
import { ownValue } from '../core/own-keys';
import { describeNonFinite, findNonFinite, NON_FINITE_HINT } from '../core/data/non-finite';
import { describeScaleShift, findScaleShifts, loudDriftWarning } from '../core/data/scale-shift';
import { findRespeltCategories, respeltOutcome } from '../core/data/respelt-categories';

/** What the data checks need besides the data: the pinned schema and the drift reference, if any. */
export interface DataCheckInput {
  table: Table;
  spec: PipelineSpec;
  /** The pipeline's pinned schema; null before its first passing run. */
  pinned: DataSchema | null;
  /** The production model's training-data profile, or why there is none. */
  reference: { profile: FeatureProfile[]; version: number } | { skipped: string };
  /** Where an inferred schema comes from (recorded in it when pinned). */
  origin: DataSchema['inferredFrom'];
}

/** Everything the sanity step writes and decides; tables are written as checkpoints by the activity. */
export interface DataCheckOutcome {
  /** Every check, passed or not: column checks, schema checks, row-flag policies, drift (when it fails runs). */
  report: CheckResult[];
  failed: CheckResult[];
  flags: Table;
  /** The rows training reads, when some were dropped; null when the data is used as it is. */
  clean: Table | null;
  profile: Table;
  drift: Table;
  /** A schema inferred from this data, to pin if the run passes and none is pinned yet. */
  inferred: DataSchema | null;
  summary: Record<string, string | number | boolean | null>;
}

/**
 * The sanity step's decisions, without I/O: schema checks against the pinned (or freshly inferred)
 * schema with the spec's overrides, row-level flags and their policies, the spec's column checks on
 * the rows that remain, the profile of those rows, and drift against the production reference.
 */
export function runDataChecks(input: DataCheckInput): DataCheckOutcome {
  const { table, spec } = input;
  const label = spec.target.column;
  const views = columnViews(table);
  // Messages name a text source's file lines (`line 17`), a typed source's 0-based rows (`row 16`).
  const locator = rowLocator(table);
  const overrides = spec.sanity.schema.columns;
  const notes = columnNotes(table);
  const cardinality = stringCardinality(views, spec.sanity.cardinality);
  // Id-like and free-text columns never have their categories pinned: next month's ids are all new.
  const unpinned = new Set(cardinality.filter((c) => c.idLike).map((c) => c.column));
  const inferred = input.pinned
    ? null
    : inferSchema(
        views,
        spec.sanity.schema.tolerance,
        { pipeline: spec.name, inferredFrom: input.origin },
        { notes: new Map([...notes].map(([name, n]) => [name, n.note])), unpinned },
      );
  const columns = applyOverrides((input.pinned ?? inferred)!, overrides);

  const schemaChecks = checkColumns(views, columns, locator, {
    label,
    pipeline: spec.name,
    leftOut: (column) => leftOutOfModel(column, spec.features, spec.train.features),
  });
  const checked = views.filter((v) => !ownValue(columns, v.name)?.ignore);
  const keptAsText = new Map([...notes].filter(([, n]) => n.keptAsText).map(([name, n]) => [name, n.note]));
  // The source's number format: hints never ask for a setting already set.
  const format = { decimal: spec.source.decimal, thousands: spec.source.thousands };
  // A column the model never sees (dropped, not among train.features) cannot be misread into it: the
  // text-shape checks (numbers, dates) read model inputs only, as target_leak does (#1, N2).
  const modelInputs = checked.filter(
    (v) => v.name === label || leftOutOfModel(v.name, spec.features, spec.train.features) === null,
  );
  // `2, 3, 4, 5more`: an ordinal scale's categories, not numbers with a unit or a stray token (#3).
  const numberShaped = modelInputs.filter((v) => !isOrdinalScale(v));
  const unitChecks = findUnitNumbers(numberShaped, keptAsText, (w) => readsAsNumber(w, format), label).map(
    (u): CheckResult => ({
      check: 'numeric_text',
      column: u.column,
      passed: false,
      observed: `text, yet ${(u.numericShare * 100).toFixed(1)}% numbers ${describeUnitNumbers(u, locator)}`,
      expected: `numbers: ${u.hint}`,
    }),
  );
  const withUnits = new Set(unitChecks.map((c) => c.column));
  const numericTokens = findNumericTokens(
    numberShaped.filter((v) => !withUnits.has(v.name)),
    keptAsText,
    format,
    label,
  );
  const tokenChecks = numericTokens.map((t): CheckResult => ({
    check: 'numeric_tokens',
    column: t.column,
    passed: false,
    observed: `${(t.numericShare * 100).toFixed(1)}% numbers; not numbers: ${describeTokens(t, 5, locator)}`,
    expected: `numbers only: ${t.hint}`,
  }));
  // A column numeric_tokens already names (its odd values, with their lines) is not named twice.
  const withTokens = new Set(tokenChecks.map((c) => c.column));
  const commaChecks = findCommaNumbers(
    modelInputs.filter((v) => !withTokens.has(v.name)),
    keptAsText,
    format,
  ).map((c): CheckResult => ({
    check: 'numeric_text',
    column: c.column,
    passed: false,
    observed: `text, yet ${(c.numericShare * 100).toFixed(1)}% numbers with ${c.mixed ? "decimal points where source.decimal is ','" : c.dotGroups ? 'dot digit groups' : c.mark === 'decimal' ? 'decimal commas' : 'comma digit groups'}: ${describeCommaNumbers(c, locator)}`,
    expected: `numbers: ${c.hint}`,
  }));
  const formattedChecks = findFormattedNumbers(modelInputs, keptAsText, format, label).map(
    (f): CheckResult => ({
      check: 'numeric_text',
      column: f.column,
      passed: false,
      observed: `text, yet ${(f.numericShare * 100).toFixed(1)}% numbers${f.form === 'percent' ? ' with %' : f.form === 'space' ? ' with space digit groups' : ''}: ${describeFormattedNumbers(f, locator)}`,
      expected: `numbers: ${f.hint}`,
    }),
  );
  // `2'800`, `1,70,00,000`, `'5.1`, `0:12:30` on (nearly) every row: numbers no other check names.
  const named = new Set([
    ...withUnits,
    ...withTokens,
    ...commaChecks.map((c) => c.column),
    ...formattedChecks.map((c) => c.column),
  ]);
  const writtenChecks = findWrittenNumbers(
    modelInputs.filter((v) => !named.has(v.name)),
    keptAsText,
    (w) => readsAsNumber(w, format),
    format,
    label,
  ).map((w): CheckResult => ({
    check: w.form === 'badGroups' ? 'numeric_tokens' : 'numeric_text',
    column: w.column,
    passed: false,
    observed: `text, yet ${(w.numericShare * 100).toFixed(1)}% ${describeWrittenNumbers(w, locator)}`,
    expected: `numbers: ${w.hint}`,
  }));
  const nonFiniteChecks = findNonFinite(checked, label).map((c): CheckResult => ({
    check: 'non_finite',
    column: c.column,
    passed: false,
    observed: describeNonFinite(c, locator),
    expected: NON_FINITE_HINT,
  }));
  const notText = modelInputs.filter((v) => !keptAsText.has(v.name));
  const timestampTokens = findTimestampTokens(notText, parseIsoTimestamp);
  const timestampChecks = timestampTokens.map((t): CheckResult => ({
    check: 'timestamp_tokens',
    column: t.column,
    passed: false,
    observed: `${(t.numericShare * 100).toFixed(1)}% ISO-8601 timestamps; not timestamps: ${describeTokens(t, 5, locator)}`,
    expected: `timestamps only: ${t.hint}`,
  }));
  const dateChecks = findDateText(modelInputs, keptAsText, (w) => parseIsoTimestamp(w) !== null).map(
    (d): CheckResult => ({
      check: 'date_text',
      column: d.column,
      passed: false,
      observed: `text, yet ${(d.dateShare * 100).toFixed(1)}% dates, ${describeDateText(d, locator)}`,
      expected: `ISO-8601 timestamps: ${d.hint}`,
    }),
  );
  // `20250126` on every row: a date read as a magnitude (BREAKER9 #10), named rather than trained on.
  const numberDateChecks = findNumberDates(modelInputs, keptAsText, label).map((d): CheckResult => ({
    check: 'date_number',
    column: d.column,
    passed: false,
    observed: describeNumberDates(d, locator),
    expected: numberDatesHint(d),
  }));
  // Default null tokens that fired in text columns only may have eaten a category (`NA` = North America).
  const nullTokenChecks = (spec.source.nullValues ? [] : findAmbiguousNulls(table, checked)).map(
    (a): CheckResult => ({
      check: 'null_tokens',
      column: a.column,
      passed: false,
      observed: describeAmbiguousNulls(a),
      expected: ambiguousNullsHint(a),
    }),
  );
  // `-` read as null in number columns only: Excel's accounting zero, or a missing value? (pandas keeps it as text.)
  const dashChecks = (spec.source.nullValues ? [] : findDashNulls(table, checked)).map((d): CheckResult => ({
    check: 'null_tokens',
    column: d.column,
    passed: false,
    observed: describeDashNulls(d),
    expected: dashNullsHint(),
  }));
  // A column of misread numbers gets the numeric hint alone: its cardinality is the misreading's.
  const misread = new Set(
    [
      ...unitChecks,
      ...tokenChecks,
      ...commaChecks,
      ...formattedChecks,
      ...writtenChecks,
      ...timestampChecks,
      ...dateChecks,
    ].map((c) => c.column),
  );
  const cardinalityChecks = cardinality
    .filter((c) => c.column !== label && !ownValue(columns, c.column)?.ignore && !misread.has(c.column))
    .map((c): CheckResult => {
      // Only the spec accepts an id-like column: the pinned `any` was inferred, not chosen.
      const accepted = ownValue(overrides, c.column)?.categories === 'any';
      // …or its features stage, by dropping the column or encoding it with a bounded width.
      const bounded = c.idLike ? boundedByFeatures(c.column, spec.features, spec.train.features) : null;
      return {
        check: 'cardinality',
        column: c.column,
        passed: !c.idLike || accepted || bounded !== null,
        observed: `${c.distinct} distinct in ${c.rows} rows (${(c.share * 100).toFixed(1)}%)${c.freeText ? ', free text' : c.idLike ? ', id-like' : ''}`,
        expected: c.idLike
          ? accepted
            ? 'any (categories: any)'
            : bounded !== null
              ? `bounded: ${bounded}`
              : c.freeText
                ? freeTextHint(c, otherInputs(modelInputs, [c.column, label]))
                : idLikeHint(c)
          : `<= ${spec.sanity.cardinality.maxCategories} distinct and share <= ${spec.sanity.cardinality.maxShare}`,
      };
    });
  // `Setosa`/`setosa`: one value split in two categories (or classes). A spec's `categories: any`
  // accepts a feature's spellings as distinct, and a target's as distinct classes (genotypes
  // `AA`/`Aa`/`aa`, BREAKER10 #12). Id-like columns (their own check) and columns the features
  // stage drops or bounds are left out.
  const acceptedSpellings = new Set(
    views
      .map((v) => v.name)
      .filter((c) =>
        c === label
          ? ownValue(overrides, c)?.categories === 'any'
          : overrides[c]?.categories === 'any' ||
            unpinned.has(c) ||
            boundedByFeatures(c, spec.features, spec.train.features) !== null,
      ),
  );
  const caseChecks = findCaseVariants(
    checked.filter((v) => !misread.has(v.name)),
    acceptedSpellings,
  ).map((c): CheckResult => ({
    check: 'case_variants',
    column: c.column,
    passed: false,
    observed: `${caseVariantsKind(c)}: ${describeCaseVariants(c, locator)}`,
    expected: caseVariantsHint(c.column, c.column === label, c),
  }));
  // `02134`/`2134`: a code whose leading zeros a spreadsheet dropped, two categories (or classes).
  const zeroChecks = findZeroPaddedCodes(checked, acceptedSpellings).map((z): CheckResult => ({
    check: 'leading_zeros',
    column: z.column,
    passed: false,
    observed: describeZeroPaddedCodes(z, locator),
    expected: zeroPaddedCodesHint(z.column, z.width, z.column === label),
  }));
  // `Yes`/`1`, `versicolor`/`versicolour`: one class spelt two ways in the target (its own check).
  const spellings = findLabelSpellings(checked.find((v) => v.name === label && !misread.has(label)));
  const labelChecks: CheckResult[] =
    spellings && (spellings.kind === 'boolean' || ownValue(overrides, label)?.categories !== 'any')
      ? [
          {
            check: 'label_spellings',
            column: label,
            passed: false,
            observed: describeLabelSpellings(spellings, locator),
            expected: labelSpellingsHint(spellings),
          },
        ]
      : [];
  // `Yes`/`No` beside `Y`/`N` in a feature: the target's yes/no rule, for features (BREAKER10 #9).
  const yesNoChecks = findYesNoFeatures(
    checked.filter((v) => !misread.has(v.name)),
    new Set([label, ...acceptedSpellings]),
  ).map((l): CheckResult => ({
    check: 'label_spellings',
    column: l.column,
    passed: false,
    observed: describeLabelSpellings(l, locator),
    expected: yesNoFeatureHint(l),
  }));
  // Timestamps count up in a time-ordered file; that order is their meaning, not a row number.
  const notIds = new Set([label, ...[...notes].filter(([, n]) => !n.keptAsText).map(([name]) => name)]);
  const numericIdChecks = numericIdLike(checked, notIds).map((c): CheckResult => {
    const bounded = boundedByFeatures(c.column, spec.features, spec.train.features);
    // `week` 1 … 104 in file order counts time: its way out is keeping it, not dropping it (#25).
    const time = c.reason !== 'name' && looksLikeTimeIndex(c.column);
    // `age` 0 … 100, one row per age (a life table): a quantity's own table, not ids: it passes (BREAKER10 #10).
    const quantity = !time && c.reason === 'position' && looksLikeQuantity(c.column);
    return {
      check: 'cardinality',
      column: c.column,
      passed: bounded !== null || quantity,
      observed:
        c.reason === 'position'
          ? `${c.rows} distinct integers in ${c.rows} rows, equal to the row position (${c.first} … ${c.last}), ${time ? `named like a time index (a counter of ${c.column}s)` : quantity ? `named like a quantity (one row per ${c.column}: a table sorted by ${c.column}?)` : 'id-like'}`
          : c.reason === 'row-number'
            ? `${c.rows} integers in ${c.rows} rows, strictly increasing with gaps (${c.first} … ${c.last}): row numbers of an earlier file (a re-exported index), id-like`
            : `${c.distinct} distinct integers in ${c.rows} rows (${((c.distinct / c.rows) * 100).toFixed(1)}%), named like an identifier (${c.first} … ${c.last}), id-like`,
      expected:
        bounded !== null
          ? `bounded: ${bounded}`
          : time
            ? timeIndexHint(c.column)
            : quantity
              ? quantityIndexHint(c.column)
              : numericIdHint(c.column),
    };
  });
  const flags = flagRows(views, columns, label);
  const outcome = applyPolicies(flags, spec.sanity.flags);
  // A column (nearly) all out of range moved as a whole (a unit change): named instead of row remedies.
  const shifts = findScaleShifts(views, columns);
  // `yes` for a pinned `Yes`: a respelling is named, not offered as new categories or classes (#36).
  const respelt = findRespeltCategories(views, columns, label);
  const flagContext = { views, columns, label };
  const flagChecks: CheckResult[] = outcome.decisions.map((d) => {
    const moved = d.check === 'outOfRange' && !d.passed && shifts.length > 0;
    const { observed, expected } = moved
      ? {
          observed: describeDecision(d).observed,
          expected: `${describeDecision({ ...d, passed: true }).expected}; ${shifts.map((s) => describeScaleShift(s, spec.name)).join('; ')}`,
        }
      : d.check === 'unseenCategory' && !d.passed
        ? respeltOutcome(
            describeDecision(d, flagContext),
            describeDecision({ ...d, passed: true }).expected,
            respelt,
          )
        : describeDecision(d, flagContext);
    const examples = d.flagged > 0 ? flagExamples(d.check, flags, views, columns, label, 3, locator) : [];
    return {
      check: 'row_flags',
      column: d.check,
      passed: d.passed,
      observed: examples.length ? `${observed}, e.g. ${examples.join(' | ')}` : observed,
      expected,
    };
  });
  // Question texts and `{"ImportId":…}` rows under the header (#8): one check instead of one per column.
  const headerRows = findExtraHeaderRows([...numericTokens, ...timestampTokens], locator);
  // Whole-data-set checks (duplicates, constant target, rare classes, target copies, sentinels).
  const datasetChecks = runDatasetChecks({
    table,
    spec,
    views,
    duplicates: spec.sanity.flags.duplicate.policy === 'drop' ? 0 : flags.duplicateOf.size,
    idColumns: flags.idColumns,
    copyOf: flags.duplicateOf,
    skip: new Set([...misread, ...views.filter((v) => columns[v.name]?.ignore).map((v) => v.name)]),
    locator,
    timestamps: new Set([...notes].filter(([, n]) => !n.keptAsText).map(([name]) => name)),
    headerRows: new Set(headerRows?.rows ?? []),
  });
  const flagsFailed = outcome.decisions.some((d) => !d.passed);
  const clean = outcome.keep && !flagsFailed ? filterRows(table, views, outcome.keep) : null;
  const keep = flagsFailed ? null : outcome.keep;

  const profile = profileColumns(views, spec.sanity.drift.bins, keep);
  const stats = new Map(profile.map((p) => [p.name, statsFromProfile(p)]));
  const columnChecks = runSanityChecks(clean ?? table, spec, (column) => stats.get(column)!);
  const drift =
    'skipped' in input.reference
      ? null
      : computeDrift(input.reference.profile, views, keep, spec.sanity.drift);
  const driftChecks: CheckResult[] =
    drift && spec.sanity.drift.onBreach === 'fail' ? drift.map(driftCheck) : [];

  const unfoldedCase = foldHeaderRows(headerRows, [
    ...schemaChecks,
    ...nullTokenChecks,
    ...dashChecks,
    ...tokenChecks,
    ...nonFiniteChecks,
    ...unitChecks,
    ...commaChecks,
    ...formattedChecks,
    ...writtenChecks,
    ...timestampChecks,
    ...dateChecks,
    ...numberDateChecks,
    ...cardinalityChecks,
    ...caseChecks,
    ...zeroChecks,
    ...labelChecks,
    ...yesNoChecks,
    ...numericIdChecks,
    ...datasetChecks,
    ...columnChecks,
    ...flagChecks,
    ...driftChecks,
  ]);
  // A header re-cased as a whole (`tenure` → `Tenure`): one failure, not two per column (BREAKER10 #16).
  const renamedCase = caseRenames(
    Object.keys(columns).filter((n) => !columns[n].ignore),
    views.map((v) => v.name),
  );
  const report = foldCaseRenames(unfoldedCase, renamedCase, label, spec.name);
  const failed = report.filter((r) => !r.passed);
  const breaches = drift?.filter((d) => d.breached) ?? [];
  const driftWarning = spec.sanity.drift.onBreach === 'warn' ? loudDriftWarning(breaches) : null;
  return {
    report,
    failed,
    flags: flagsToArrow(flags, outcome, views, columns, label, failed.length > 0, locator),
    clean,
    profile: profileToArrow(profile),
    drift: driftToArrow(drift ?? { skipped: (input.reference as { skipped: string }).skipped }),
    inferred,
    summary: {
      checks: report.length,
      failed: failed.length,
      flaggedRows: flags.mask.reduce((n, bits) => n + (bits ? 1 : 0), 0),
      droppedRows: clean ? outcome.dropped : 0,
      schema: input.pinned ? 'pinned' : 'inferred',
      distinct: cardinality.map((c) => `${c.column} ${c.distinct}`).join(', ') || null,
      drift: drift
        ? breaches.length
          ? `${breaches.length} feature(s) drifted: ${breaches.map(describeBreach).join(', ')}`
          : `none vs version ${(input.reference as { version: number }).version}`
        : `skipped (${(input.reference as { skipped: string }).skipped})`,
      // Warn keeps its documented meaning; a breach far past the threshold is still said out loud.
      ...(driftWarning ? { driftWarning } : {}),
    },
  };
}

/** `x (psi 0.4123 > 0.2)`: a drifted feature with its measure, as the summary lists it. */
function describeBreach(d: FeatureDrift): string {
  return d.value === null
    ? `${d.feature} (${d.note})`
    : `${d.feature} (${d.metric} ${d.value.toFixed(4)} > ${d.threshold})`;
}

/** Per column, what ingest's field metadata says: a timestamp, or why number-like values are text. */
function columnNotes(table: Table): Map<string, { note: string; keptAsText: boolean }> {
  const notes = new Map<string, { note: string; keptAsText: boolean }>();
  for (const field of table.schema.fields) {
    const reason = field.metadata.get(TEXT_REASON_KEY);
    if (reason) notes.set(field.name, { note: reason, keptAsText: true });
    else if (field.metadata.get(LOGICAL_TYPE_KEY) === 'timestamp')
      notes.set(field.name, { note: 'timestamp (ms since 1970-01-01 UTC)', keptAsText: false });
  }
  return notes;
}

function driftCheck(d: FeatureDrift): CheckResult {
  return {
    check: 'drift',
    column: d.feature,
    passed: !d.breached,
    observed: d.value === null ? d.note : `${d.metric} ${d.value.toFixed(4)}`,
    expected: d.threshold === null ? '' : `<= ${d.threshold}`,
  };
}

/** The column statistics the spec's column checks read, from the profile of the same rows. */
function statsFromProfile(p: FeatureProfile): ColumnStats {
  return p.kind === 'numeric'
    ? { name: p.name, kind: 'numeric', rows: p.rows, nulls: p.nulls, min: p.min, max: p.max, categories: [] }
    : {
        name: p.name,
        kind: 'categorical',
        rows: p.rows,
        nulls: p.nulls,
        min: null,
        max: null,
        categories: p.categories,
      };
}

/**
 * `report` with the per-column token failures of extra header rows replaced by one `header_rows`
 * failure, placed where the first of them was (the target's rare classes on those rows only, its
 * question text and ImportId, are left out by the dataset checks). Unchanged when `h` is null.
 */
function foldHeaderRows(h: ExtraHeaderRows | null, report: CheckResult[]): CheckResult[] {
  if (!h) return report;
  const columns = new Set(h.columns);
  const folded = (r: CheckResult): boolean =>
    (r.check === 'numeric_tokens' || r.check === 'timestamp_tokens') && columns.has(r.column);
  const first = report.findIndex(folded);
  const result = report.filter((r) => !folded(r));
  result.splice(first, 0, {
    check: 'header_rows',
    column: h.columns[0],
    passed: false,
    observed: describeExtraHeaderRows(h),
    expected: extraHeaderRowsHint(h),
  });
  return result;
}

/** The model inputs besides `except` a features list must encode (text) or impute (numbers with nulls). */
function otherInputs(inputs: ColumnView[], except: string[]): OtherInputs {
  const rest = inputs.filter((v) => !except.includes(v.name));
  return {
    text: rest.filter((v) => v.kind === 'categorical' && v.type === 'string').map((v) => v.name),
    missing: rest.filter((v) => v.kind === 'numeric' && v.nulls > 0).map((v) => v.name),
  };
}
