import type { TransformSpec } from '../features/types';
import type { CardinalitySpec } from '../spec/data-checks-schema';
import type { ColumnView } from './column-views';
import { yamlName } from '../yaml-name';

/** Distinct values of one string column, and whether that makes it id-like. */
export interface Cardinality {
  column: string;
  distinct: number;
  /** Non-null rows. */
  rows: number;
  /** distinct / rows (0 for an all-null column). */
  share: number;
  /** Id-like, or free text (see `freeText`): a column whose categories mean nothing on new rows. */
  idLike: boolean;
  /**
   * Free text: at least FREE_TEXT_MIN_DISTINCT values, most distinct values sentences (4+ words)
   * and most seen once, so one-hot columns per sentence would never fire on a later file.
   */
  freeText: boolean;
}

/** Distinct values a string column needs before it can be called free text. */
export const FREE_TEXT_MIN_DISTINCT = 20;
/** A free-text value has at least this many words (`Great service` is a category, a sentence is text). */
const SENTENCE_WORDS = 4;

/** Distinct values a string column needs before its distinct share can make it id-like. */
export const SHARE_FLOOR = 50;

/**
 * Each string column's distinct count. Id-like: more than `maxCategories` distinct values; every
 * value distinct once there are `minDistinct` of them; or a distinct share above `maxShare` once it
 * has more than SHARE_FLOOR (and `minDistinct`) values (a 6-row file with 4 colours, 21 country
 * codes in 40 rows are not id-like; 20k customer ids in 200k rows is).
 */
export function stringCardinality(views: ColumnView[], spec: CardinalitySpec): Cardinality[] {
  const result: Cardinality[] = [];
  for (const view of views) {
    if (view.kind !== 'categorical' || view.type !== 'string') continue;
    const counts = new Uint32Array(view.dictionary.length);
    let distinct = 0;
    let rows = 0;
    for (let i = 0; i < view.codes.length; i++) {
      const code = view.codes[i];
      if (code < 0) continue;
      rows++;
      if (counts[code]++ === 0) distinct++;
    }
    const share = rows === 0 ? 0 : distinct / rows;
    // The share rule needs enough values to mean something: 21 country codes in 40 rows are categories.
    const idLikeByCount =
      distinct > spec.maxCategories ||
      (distinct === rows && distinct >= spec.minDistinct) ||
      (distinct > Math.max(SHARE_FLOOR, spec.minDistinct) && share > spec.maxShare);
    const freeText = !idLikeByCount && isFreeText(view.dictionary, counts, distinct);
    result.push({ column: view.name, distinct, rows, share, idLike: idLikeByCount || freeText, freeText });
  }
  return result;
}

/**
 * Whether a column's distinct values are mostly sentences seen once (a comment or review column
 * beside a few stock answers): half its distinct values have SENTENCE_WORDS words or more, and half
 * occur on one row only. Its distinct share may stay below maxShare (60% stock answers).
 */
function isFreeText(dictionary: readonly string[], counts: Uint32Array, distinct: number): boolean {
  if (distinct < FREE_TEXT_MIN_DISTINCT) return false;
  let sentences = 0;
  let once = 0;
  for (let code = 0; code < counts.length; code++) {
    if (counts[code] === 0) continue;
    if (counts[code] === 1) once++;
    if (dictionary[code].trim().split(/\s+/).length >= SENTENCE_WORDS) sentences++;
  }
  return sentences * 2 >= distinct && once * 2 >= distinct;
}

/** Hash buckets a free-text hint's snippet names: room for the stock answers, few enough to learn. */
export const FREE_TEXT_BUCKETS = 32;

/** The other model inputs a features list must then handle itself: text to encode, numbers with nulls to impute. */
export interface OtherInputs {
  text: string[];
  missing: string[];
}

/**
 * What to do about free text: Quiver has no text model, so leave it out or hash it. The hashing
 * snippet is a whole features list that runs as pasted: a features list replaces the default
 * encoding, so it also encodes the other text inputs and imputes numbers with nulls (`others`).
 */
export function freeTextHint(c: Cardinality, others: OtherInputs = { text: [], missing: [] }): string {
  const steps = [`{ encode: { columns: [${yamlName(c.column)}], method: hashing, buckets: ${FREE_TEXT_BUCKETS} } }`];
  if (others.text.length) steps.push(`{ encode: { columns: [${others.text.map(yamlName).join(', ')}] } }`);
  if (others.missing.length) steps.push(`{ impute: { columns: [${others.missing.map(yamlName).join(', ')}] } }`);
  const rest =
    others.text.length || others.missing.length
      ? ': a features list replaces the default encoding, so it encodes and fills the other inputs too'
      : '';
  return (
    `free text: leave it out of train.features (a keep-list), or hash it (features: [${steps.join(', ')}]${rest}; ` +
    `its repeated values keep a signal, each value seen once is noise); ` +
    `Quiver has no text model, and a one-hot column per value seen once never fires on new rows. Its categories are never pinned`
  );
}

/** What to do about an id-like column, in the features stage's terms. */
export function idLikeHint(c: Cardinality): string {
  // A features list replaces the model's default encoding, so the keep-list is the one-step way out.
  const drop =
    `leave it out of train.features (a keep-list; the model's default encoding stays on), or drop it in a ` +
    `features list (features: [{ drop: [${yamlName(c.column)}] }], which then needs encode/impute for the other columns)`;
  // Every value distinct: an identifier. Keeping it as an input (categories: any, ignore) trains on
  // the id: one one-hot column per row, memorised, and all zeros for every new row at serving.
  if (c.distinct === c.rows)
    return (
      `${drop}: every value is distinct, so it names rows rather than describing them; ` +
      `sanity.schema.columns.${yamlName(c.column)}.categories: any or ignore: true only silence this check and keep it as a model input`
    );
  return (
    `${drop}, or encode it with a bounded width ` +
    `(features: [{ encode: { columns: [${yamlName(c.column)}], method: hashing, buckets: N } }], or method: onehot ` +
    `with maxCategories: K, rarer values going to an 'other' column), ` +
    `or, if it is a wide category the model should use as is, mark it sanity.schema.columns.${yamlName(c.column)}.categories: any ` +
    `(this keeps it as a model input)`
  );
}

/**
 * Why the spec's features stage makes an id-like column harmless, or null when it does not: the
 * stage drops it (`drop`, or a `select` without it), or encodes it with a bounded width (`encode`
 * by hashing, or one-hot with `maxCategories` and its `other` column). Follows `rename`s; a
 * `train.features` keep-list without the column leaves it out of training too.
 */
export function boundedByFeatures(
  column: string,
  features: readonly TransformSpec[] | undefined,
  trainFeatures?: readonly string[],
): string | null {
  let name = column;
  for (const [i, t] of (features ?? []).entries()) {
    const at = `features[${i}]`;
    const listed = Array.isArray(t.params.columns) ? (t.params.columns as string[]) : undefined;
    if (t.kind === 'drop' && listed?.includes(name)) return `dropped by ${at}`;
    if (t.kind === 'select' && listed && !listed.includes(name)) return `left out by ${at} select`;
    if (t.kind === 'rename' && typeof t.params[name] === 'string') name = t.params[name] as string;
    if (t.kind === 'encode' && (listed === undefined || listed.includes(name))) {
      if (t.params.method === 'hashing') return `hashed into ${String(t.params.buckets)} buckets by ${at}`;
      if (t.params.method === 'onehot' && typeof t.params.maxCategories === 'number')
        return `one-hot encoded by ${at} with at most ${t.params.maxCategories} columns (rarer values: other)`;
    }
  }
  if (trainFeatures && !trainFeatures.includes(name)) return 'not among train.features';
  return null;
}

/**
 * Why the model never sees `column` (dropped or left out by the features stage, or not among
 * `train.features`), or null when it is a model input (encoded columns are inputs too).
 */
export function leftOutOfModel(
  column: string,
  features: readonly TransformSpec[] | undefined,
  trainFeatures?: readonly string[],
): string | null {
  const why = boundedByFeatures(column, features, trainFeatures);
  return why !== null && /^(dropped by|left out by|not among)/.test(why) ? why : null;
}

/** A numeric column that identifies rows: named like an id and (nearly) all distinct, or the row number. */
export interface NumericIdLike {
  column: string;
  /** Non-null rows. */
  rows: number;
  distinct: number;
  /**
   * `name`: named like an identifier, ≥ 95% distinct integers; `position`: equal to 1..n or 0..n-1;
   * `row-number`: strictly increasing from 0 or 1 with gaps (an earlier file's row numbers).
   */
  reason: 'name' | 'position' | 'row-number';
  first: number;
  last: number;
}

/** Below this many rows a column is not called an id (a 12-row `x = 0..11` fixture is data). */
export const NUMERIC_ID_MIN_ROWS = 20;
/** A column named like an identifier is one once this share of its values are distinct. */
const ID_NAME_DISTINCT_SHARE = 0.95;
/**
 * `id`, `customer_id`, `index`, `row`, `key`, `#` (any case), and the row index pandas writes back
 * (`Unnamed: 0`, `Unnamed: 0.1` from `to_csv` without `index=False`; `level_0`, `unnamed_0`).
 */
const ID_NAME = /^(id|index|row|key|#)$|[_\s.-]id$|^unnamed[:_\s]\s*\d+(\.\d+)?$|^level_\d+$/i;
/** camelCase `customerId`, `customerID`. */
const CAMEL_ID = /[a-z0-9](Id|ID)$/;

/** Whether a column's name says it identifies rows (`id`, `*_id`, `*Id`, `index`, `row`, `key`, `#`). */
export function looksLikeIdName(name: string): boolean {
  return ID_NAME.test(name.trim()) || CAMEL_ID.test(name.trim());
}

/**
 * Integer columns that identify rows, in a table of at least `minRows` rows: one named like an
 * identifier (looksLikeIdName) whose values are ≥ 95% distinct (a swapped pair or a duplicate
 * still leaks the label when the file is sorted by it), or one equal to the row position (1..n or
 * 0..n-1 in file order, whatever its name). Years, ages and epoch seconds named otherwise pass:
 * monotonic alone is no id. Columns in `skip` (the target, timestamps, ignored ones) are not checked.
 */
export function numericIdLike(
  views: ColumnView[],
  skip: ReadonlySet<string>,
  minRows = NUMERIC_ID_MIN_ROWS,
): NumericIdLike[] {
  const found: NumericIdLike[] = [];
  for (const view of views) {
    if (view.kind !== 'numeric' || skip.has(view.name) || view.values.length < minRows) continue;
    const { values: v, valid } = view;
    const present: number[] = [];
    for (let i = 0; i < v.length; i++) if (!valid || valid[i]) present.push(v[i]);
    if (present.length < minRows || !present.every(Number.isInteger)) continue;
    const first = present[0];
    const last = present[present.length - 1];
    const offset = v[0];
    const position = view.nulls === 0 && (offset === 0 || offset === 1) && v.every((x, i) => x === i + offset);
    if (position) {
      found.push({ column: view.name, rows: v.length, distinct: v.length, reason: 'position', first, last });
      continue;
    }
    // Row numbers kept from a file rows were since dropped from (pandas' index after dropna()):
    // strictly increasing from 0 or 1, with gaps no wider than the rows themselves. Years, ages and
    // epoch seconds start far from 0, so sorted measurements are not taken for row numbers.
    if (view.nulls === 0 && (first === 0 || first === 1) && last < 2 * v.length && strictlyIncreasing(v)) {
      found.push({ column: view.name, rows: v.length, distinct: v.length, reason: 'row-number', first, last });
      continue;
    }
    if (!looksLikeIdName(view.name)) continue;
    const distinct = new Set(present).size;
    if (distinct / present.length >= ID_NAME_DISTINCT_SHARE)
      found.push({ column: view.name, rows: present.length, distinct, reason: 'name', first, last });
  }
  return found;
}

function strictlyIncreasing(values: Float64Array): boolean {
  for (let i = 1; i < values.length; i++) if (!(values[i] > values[i - 1])) return false;
  return true;
}

/** `week`, `t`, `period`, `day_no`, `time_index`: a name that says a counter counts time. */
const TIME_NAME =
  /^(t|time|period|step|day|week|wk|month|quarter|year|hour|epoch)([_\s.-]?(no|num|number|idx|index|id|count|step))?$|^time[_\s.-]?(idx|index|step)$/i;

/** Whether a column's name says it counts time (`week`, `t`, `period`, `month_no`, `time_index`). */
export function looksLikeTimeIndex(name: string): boolean {
  return TIME_NAME.test(name.trim());
}

/**
 * What to do about a time counter equal to the row position (`week` 1 … 104): it is the series'
 * time index, so keeping it (`ignore: true`) comes first; dropping it, only if it merely numbers rows.
 * The split is random (there is no time-based split), which the hint says (#25).
 */
export function timeIndexHint(column: string): string {
  return (
    `a time index, not an id: to keep it as the trend's input, mark it sanity.schema.columns.${yamlName(column)}.ignore: true ` +
    `(ignore only skips the checks; note split.holdout draws rows at random, so the holdout's ${column}s lie between ` +
    `training ones: an interpolation score, not a forecast); if it only numbers the rows, drop it ` +
    `(features: [{ drop: [${yamlName(column)}] }], or leave it out of train.features)`
  );
}

/**
 * `age`, `dose_mg`, `floor`, `depth_m`, `size`: a name that says the column measures something,
 * so counting up one per row means one row per value (a life table's ages 0 … 100), not row numbers.
 */
const QUANTITY_NAME =
  /^(age|size|dose|dosage|floor|storey|story|level|depth|height|length|width|weight|mass|distance|count|qty|quantity|temperature|temp|speed|duration|amount|price|load|concentration|conc|voltage|power|pressure)([_\s.-]?[a-z]{1,6})?$/i;

/** Whether a column's name says it is a quantity (`age`, `dose_mg`, `floor`), not a row number. */
export function looksLikeQuantity(name: string): boolean {
  return QUANTITY_NAME.test(name.trim()) && !looksLikeIdName(name);
}

/**
 * What a quantity equal to the row position (`age` 0 … 100 in a life table) is: a table with one row
 * per value, whose column is its main input, so the check passes it, saying so in its report; only
 * if it merely numbers the rows is dropping it right (BREAKER10 #10).
 */
export function quantityIndexHint(column: string): string {
  return (
    `a quantity with one row per value, not an id: kept as a model input (split.holdout draws rows at random, so the holdout's ${column}s lie between ` +
    `training ones); if it only numbers the rows, drop it (features: [{ drop: [${yamlName(column)}] }], or leave it out of train.features)`
  );
}

/** What to do about a numeric id-like column: drop it, or say it is a real feature. */
export function numericIdHint(column: string): string {
  return (
    `an identifier, not a feature: drop it (features: [{ drop: [${yamlName(column)}] }], or leave it out of train.features); ` +
    `only if its order is a real feature, mark it sanity.schema.columns.${yamlName(column)}.ignore: true ` +
    `(ignore only skips the checks: the column stays a model input)`
  );
}

/**
 * Columns that name a row rather than describe it, judged from the values alone: numeric ids
 * (numericIdLike), and text columns of at least NUMERIC_ID_MIN_ROWS values that are all distinct, or
 * ≥ 95% distinct and named like an identifier. Rows equal apart from these are one record stored
 * twice (re-inserted with a fresh auto-increment key), so the copy checks compare rows without them.
 */
export function idLikeColumns(views: ColumnView[], skip: ReadonlySet<string>): Set<string> {
  const ids = new Set(numericIdLike(views, skip).map((c) => c.column));
  for (const view of views) {
    if (view.kind !== 'categorical' || view.type !== 'string' || skip.has(view.name)) continue;
    const seen = new Uint8Array(view.dictionary.length);
    let rows = 0;
    let distinct = 0;
    for (const code of view.codes) {
      if (code < 0) continue;
      rows++;
      if (seen[code] === 0) {
        seen[code] = 1;
        distinct++;
      }
    }
    if (rows < NUMERIC_ID_MIN_ROWS) continue;
    const share = distinct / rows;
    if (share === 1 || (share >= ID_NAME_DISTINCT_SHARE && looksLikeIdName(view.name))) ids.add(view.name);
  }
  return ids;
}
