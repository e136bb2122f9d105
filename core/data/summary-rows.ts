import { quote } from '../quote';
import type { RowLocator } from '../sources/row-lines';
import type { ColumnView, NumericView } from './column-views';

/**
 * A row that sums up others: a spreadsheet's `Total` / `north subtotal` line exported with the
 * detail rows (Excel's "Subtotal", a pivot table, a SUM row). Training on it teaches the model a
 * value many times any real one; the check names it so it can be skipped.
 */
export interface SummaryRow {
  /** The row, 0-based. */
  row: number;
  /** The text cell that says so (`'north subtotal'` in `region`), if any. */
  word: { column: string; value: string } | null;
  /** Numeric columns whose value here is the sum of the rows above it in its block. */
  sums: { column: string; value: number; from: number; to: number }[];
  /** Otherwise, a numeric column whose value here is far above the column's typical size. */
  outlier: { column: string; value: number; median: number } | null;
}

/** Words a total or subtotal row is labelled with (English, German, Dutch), matched as whole words, any case. */
const SUMMARY_WORD =
  /(?:^|[^\p{L}\p{N}])(?:grand[ _-]?totals?|sub[ _-]?totals?|totals?|sum|summe|gesamt(?:summe)?|totaal|subtotaal)(?:[^\p{L}\p{N}]|$)/iu;
/** A label of more words than this is free text (`total waste of money`), not a total row's label. */
const MAX_LABEL_WORDS = 4;
/** A block summed by a row holds at least this many rows (fewer sum to a third by chance). */
export const MIN_BLOCK_ROWS = 5;
/** How close a value must be to its block's sum: ±0.5% (rounded exports). */
export const SUM_TOLERANCE = 0.005;
/** Negative values (refunds) may make up at most this share of a summed block's positive total. */
const MAX_NEGATIVE_SHARE = 0.1;
/** A labelled total with no matching sum still stands this many times above the column's median |value|. */
const OUTLIER_FACTOR = 5;

/** Whether a text value reads as a total's label (`Total`, `TOTAL:`, `north subtotal`, `Grand Total`, `Gesamt`). */
export function isSummaryLabel(value: string): boolean {
  const words = value.trim().split(/\s+/u);
  return words.length <= MAX_LABEL_WORDS && SUMMARY_WORD.test(value);
}

/**
 * Rows that total the rows above them, in file order. A row counts when a text cell labels it a
 * total (isSummaryLabel) and a numeric value confirms it (the sum of its block, or OUTLIER_FACTOR ×
 * the column's median); or, unlabelled, when it is the last row (a SUM row) and its value equals the
 * sum of the rows above it in the target or in two columns. Sums are judged only where negative
 * values are at most MAX_NEGATIVE_SHARE of the positive ones (amounts and counts with a refund or
 * two; a signed measure's running sum meets its values by chance), over
 * the ≥ MIN_BLOCK_ROWS rows since the previous total (±SUM_TOLERANCE, exceeding each of them); a
 * grand total may also sum every detail row. Inner rows need a label: an unlabelled coincidence in
 * a count column is likelier than an unlabelled subtotal. Null cells never count.
 */
export function findSummaryRows(views: ColumnView[], target: string): SummaryRow[] {
  const numeric = views.filter((v): v is NumericView => v.kind === 'numeric');
  const rows = views[0]?.kind === 'numeric' ? views[0].values.length : (views[0]?.codes.length ?? 0);
  if (numeric.length === 0 || rows === 0) return [];
  const words = labelledRows(views);
  const k = numeric.length;
  const cell = (c: number, i: number) => {
    const v = numeric[c];
    return v.valid && !v.valid[i] ? NaN : v.values[i];
  };
  const blockSum = new Float64Array(k);
  const blockMax = new Float64Array(k);
  const blockCount = new Int32Array(k);
  let blockStart = 0;
  const allSum = new Float64Array(k);
  const allCount = new Int32Array(k);
  // The size of the negative values summed: sums are judged over amounts and counts (a refund or
  // two allowed), not over signed measures, whose running sums meet their values by chance.
  const blockNeg = new Float64Array(k);
  const allNeg = new Float64Array(k);
  const medians = new Map<number, number>();
  const found: SummaryRow[] = [];
  // Only labelled rows and the last row can be totals: sum the stretches between them column by
  // column (tight loops over 1M rows), then judge each candidate in file order.
  const candidates = [...words.keys(), rows - 1].sort((a, b) => a - b).filter((r, i, all) => r !== all[i - 1]);
  const add = (from: number, to: number) => {
    for (let c = 0; c < k; c++) {
      const { values, valid } = numeric[c];
      let sum = 0;
      let max = blockMax[c];
      let count = 0;
      let neg = 0;
      for (let i = from; i < to; i++) {
        const x = values[i];
        if ((valid && !valid[i]) || !Number.isFinite(x)) continue;
        sum += x;
        count++;
        if (x < 0) neg -= x;
        else if (x > max) max = x;
      }
      blockNeg[c] += neg;
      allNeg[c] += neg;
      blockSum[c] += sum;
      blockMax[c] = max;
      blockCount[c] += count;
      allSum[c] += sum;
      allCount[c] += count;
    }
  };
  let next = 0;
  for (const i of candidates) {
    add(next, i);
    next = i + 1;
    const word = words.get(i) ?? null;
    const sums: SummaryRow['sums'] = [];
    for (let c = 0; c < k; c++) {
      const x = cell(c, i);
      if (!(x >= 0)) continue;
      const block =
        blockCount[c] >= MIN_BLOCK_ROWS &&
        blockNeg[c] <= MAX_NEGATIVE_SHARE * (blockSum[c] + blockNeg[c]) &&
        sumMatches(x, blockSum[c], blockMax[c]);
      const all =
        !block &&
        allCount[c] > blockCount[c] &&
        allCount[c] >= MIN_BLOCK_ROWS &&
        allNeg[c] <= MAX_NEGATIVE_SHARE * (allSum[c] + allNeg[c]) &&
        sumMatches(x, allSum[c], 0);
      if (block || all) sums.push({ column: numeric[c].name, value: x, from: block ? blockStart : 0, to: i - 1 });
    }
    let outlier: SummaryRow['outlier'] = null;
    for (let c = 0; c < k && word && sums.length === 0 && !outlier; c++) {
      const x = cell(c, i);
      if (!Number.isFinite(x)) continue;
      const median = medians.get(c) ?? medianAbs(numeric[c]);
      medians.set(c, median);
      if (median > 0 && Math.abs(x) >= OUTLIER_FACTOR * median) outlier = { column: numeric[c].name, value: x, median };
    }
    const summary = word
      ? sums.length > 0 || outlier !== null
      : sums.length >= 2 || sums.some((s) => s.column === target);
    if (summary) {
      // The target's sum first: it is what training would learn from.
      sums.sort((a, b) => Number(b.column === target) - Number(a.column === target));
      found.push({ row: i, word, sums, outlier });
      blockSum.fill(0);
      blockMax.fill(0);
      blockCount.fill(0);
      blockNeg.fill(0);
      blockStart = i + 1;
    } else add(i, i + 1);
  }
  return found;
}

/** `x` is `sum` (±SUM_TOLERANCE, sum ≠ 0) and larger in size than every summed value. */
function sumMatches(x: number, sum: number, max: number): boolean {
  return sum !== 0 && Math.abs(x - sum) <= SUM_TOLERANCE * Math.abs(sum) && Math.abs(x) > max;
}

/** Row → the first text cell reading as a total's label. */
function labelledRows(views: ColumnView[]): Map<number, { column: string; value: string }> {
  const rows = new Map<number, { column: string; value: string }>();
  for (const v of views) {
    if (v.kind !== 'categorical' || v.type !== 'string') continue;
    const labels = v.dictionary.map(isSummaryLabel);
    if (!labels.some(Boolean)) continue;
    for (let i = 0; i < v.codes.length; i++) {
      const code = v.codes[i];
      if (code >= 0 && labels[code] && !rows.has(i)) rows.set(i, { column: v.name, value: v.dictionary[code] });
    }
  }
  return rows;
}

function medianAbs(v: NumericView): number {
  const xs: number[] = [];
  for (let i = 0; i < v.values.length; i++)
    if ((!v.valid || v.valid[i]) && Number.isFinite(v.values[i])) xs.push(Math.abs(v.values[i]));
  xs.sort((a, b) => a - b);
  return xs.length ? xs[Math.floor(xs.length / 2)] : 0;
}

/** How many summary rows a message lists before it counts the rest. */
const LISTED = 5;

/** `line 62 ('north subtotal' in 'region'; 'revenue' 15591.55 = the sum of lines 2–61), …`. */
export function describeSummaryRows(found: SummaryRow[], locator: RowLocator): string {
  const one = (s: SummaryRow) => {
    const parts: string[] = [];
    if (s.word) parts.push(`${quote(s.word.value)} in ${quote(s.word.column)}`);
    const sum = s.sums[0];
    if (sum)
      parts.push(
        `${s.sums.map((x) => `${quote(x.column)} ${round(x.value)}`).join(', ')} = the sum${s.sums.length > 1 ? 's' : ''} of ${span(sum.from, sum.to, locator)}`,
      );
    else if (s.outlier)
      parts.push(`${quote(s.outlier.column)} ${round(s.outlier.value)}, ${round(s.outlier.value / s.outlier.median)}× its median`);
    return `${locator.at(s.row)} (${parts.join('; ')})`;
  };
  const listed = found.slice(0, LISTED).map(one).join(', ');
  return `${found.length} row(s) summing up the rows above them (total/subtotal rows): ${listed}${found.length > LISTED ? `, and ${found.length - LISTED} more` : ''}`;
}

/** The ways out: skip the rows (footer, inner lines), export without totals, or accept them. */
export function summaryRowsHint(found: SummaryRow[], rows: number, locator: RowLocator): string {
  const last = found.some((s) => s.row === rows - 1);
  const inner = found.filter((s) => s.row !== rows - 1).map((s) => locator.line(s.row));
  const skips: string[] = [];
  if (locator.lines) {
    if (last) skips.push('source.skipFooter: 1 (the last row)');
    if (inner.length) skips.push(`source.skipRows: [${inner.join(', ')}] (the inner rows)`);
  }
  return (
    `detail rows only (a total trains the model on a value many times any real one): ` +
    `${skips.length ? `skip them with ${skips.join(' and ')}, or ` : 'remove them, or '}export the data without totals; ` +
    `if they are real records, keep them: sanity.dataset.summaryRows: keep`
  );
}

/** `lines 2–61` (or `rows 0–59`): the rows a total sums. */
function span(from: number, to: number, locator: RowLocator): string {
  return locator.lines ? `lines ${locator.line(from)}–${locator.line(to)}` : `rows ${from}–${to}`;
}

// Ten digits: a value as the file holds it (15591.55), without float noise.
const round = (x: number) => Number(x.toPrecision(10));
