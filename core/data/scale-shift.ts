import type { ColumnView } from './column-views';
import type { SchemaColumn } from './data-schema';
import type { FeatureDrift } from './drift';
import { ownValue } from '../own-keys';
import { quote } from '../quote';

/**
 * A pinned numeric column whose values (nearly) all fall outside the pinned range: the whole column
 * moved (a unit or scale change: cents for dollars, grams for kilograms), not a few odd rows.
 */
export interface ScaleShift {
  column: string;
  /** Non-null finite values, and how many of them are outside the pinned range. */
  present: number;
  outside: number;
  /** Median of the present values. */
  median: number;
  /** The pinned range; its middle stands for the pinned data's centre (the schema keeps no median). */
  min: number;
  max: number;
  /** median / the pinned range's middle; null when that middle is 0 or the signs differ. */
  ratio: number | null;
}

/** At least this share of a column's values outside the pinned range means the column moved. */
export const SHIFT_SHARE = 0.9;
/** Below this many values a column is not called moved (a handful of rows proves little). */
const MIN_VALUES = 5;
/** Ratios named by their round factor when within 10% of it: units that usually change. */
const FACTORS = [10, 12, 24, 60, 100, 1000, 1024, 3600, 1e6];

/** The pinned numeric columns that moved as a whole: ≥ `minShare` of their values out of range. */
export function findScaleShifts(
  views: ColumnView[],
  columns: Record<string, SchemaColumn>,
  minShare = SHIFT_SHARE,
): ScaleShift[] {
  const shifts: ScaleShift[] = [];
  for (const view of views) {
    const column = ownValue(columns, view.name);
    if (view.kind !== 'numeric' || !column || column.ignore || column.type !== 'number') continue;
    if (column.min === undefined || column.max === undefined) continue;
    const values: number[] = [];
    let outside = 0;
    for (let i = 0; i < view.values.length; i++) {
      const v = view.values[i];
      if ((view.valid !== null && view.valid[i] === 0) || !Number.isFinite(v)) continue;
      values.push(v);
      if (v < column.min || v > column.max) outside++;
    }
    if (values.length < MIN_VALUES || outside < minShare * values.length) continue;
    values.sort((a, b) => a - b);
    const half = values.length >> 1;
    const median = values.length % 2 ? values[half] : (values[half - 1] + values[half]) / 2;
    const middle = (column.min + column.max) / 2;
    const ratio = middle !== 0 && median / middle > 0 ? median / middle : null;
    shifts.push({ column: view.name, present: values.length, outside, median, min: column.min, max: column.max, ratio });
  }
  return shifts;
}

/** `≈ ×100`, `≈ ÷12`, `≈ ×23`: a ratio as a factor, by its round unit factor when close to one. */
export function describeRatio(ratio: number): string {
  const up = ratio >= 1;
  const factor = up ? ratio : 1 / ratio;
  const round = FACTORS.find((f) => Math.abs(factor / f - 1) <= 0.1);
  const shown = round ?? Number(factor.toPrecision(2));
  return `≈ ${up ? '×' : '÷'}${shown}`;
}

/**
 * What a moved column's failure says instead of per-row remedies (dropping or widening cannot fix
 * it: every row is off, and a model trained on the new unit would misread callers' old one).
 */
export function describeScaleShift(s: ScaleShift, pipeline: string): string {
  const share = ((s.outside / s.present) * 100).toFixed(1);
  const middle = Number(((s.min + s.max) / 2).toPrecision(4));
  const ratio = s.ratio === null ? '' : ` (${describeRatio(s.ratio)})`;
  const convert =
    s.ratio === null ? 'convert it back upstream' : `convert it back upstream (${describeRatio(1 / s.ratio).slice(2)})`;
  return (
    `the whole column ${quote(s.column)} moved: ${s.outside} of ${s.present} values (${share}%) outside the pinned ` +
    `[${s.min}, ${s.max}], median ${Number(s.median.toPrecision(6))} vs the pinned range's middle ${middle}${ratio}: ` +
    `a unit or scale change? ${convert}, or accept the new scale: quiver schema reset ${pipeline} ` +
    `(then whatever calls the model must send the new unit too); dropping or keeping the rows cannot fix a moved column`
  );
}

/** A breach this many times over its threshold is called out loudly even when drift only warns. */
export const LOUD_DRIFT = 10;

/**
 * With `drift.onBreach: warn`, the features whose drift is at least LOUD_DRIFT × the threshold, in
 * words for the step's summary (`tenure psi 8.38 is 42× the threshold 0.2: …`); null when none.
 */
export function loudDriftWarning(breaches: FeatureDrift[]): string | null {
  const loud = breaches.filter(
    (d) => d.value !== null && d.threshold !== null && d.threshold > 0 && d.value >= LOUD_DRIFT * d.threshold,
  );
  if (loud.length === 0) return null;
  const named = loud
    .map((d) => `${quote(d.feature)} ${d.metric} ${d.value!.toFixed(2)} is ${Math.round(d.value! / d.threshold!)}× the threshold ${d.threshold}`)
    .join(', ');
  return (
    `WARNING ${named}: far beyond ordinary drift (a unit, scale or meaning change?); ` +
    `drift.onBreach is warn, so this run goes on to deploy: check the column, or set sanity.drift.onBreach: fail to stop such runs`
  );
}
