import { quote } from '../quote';
import type { RowLocator } from '../sources/row-lines';
import { FALSE_WORDS, NO_WORDS, TRUE_WORDS, YES_WORDS } from '../sources/boolean-words';
import { spellingKey, type Spelling } from './case-variants';
import type { ColumnView } from './column-views';
import { yamlName } from '../yaml-name';

/** Spellings of one class in a target, as two exports or two typists write it. */
export interface LabelSpellings {
  column: string;
  /**
   * `boolean`: yes/no words in two spellings (`Yes`/`No` beside `1`/`0`, or `yes`/`no` beside
   * `Y`/`N`); `near`: classes one letter or a trailing `.` apart (`versicolor`/`versicolour`,
   * `>50K`/`>50K.`); `affix`: a class that is another plus a prefix or suffix word
   * (`Iris-virginica`/`virginica`, `class_a`/`a`, `x_new`/`x`).
   */
  kind: 'boolean' | 'near' | 'affix';
  /** Each group: the spellings of one class, most rows first. */
  groups: Spelling[][];
}

/** Above this many classes a target is not a short label list, and one-letter neighbours may be real classes. */
export const MAX_LABEL_CLASSES = 20;
/** Near-duplicates are looked for only between labels at least this long (`A`/`A+`, `G1`/`G2` are real classes). */
const MIN_NEAR_LENGTH = 5;

// With the yes/no words of other languages (two offices' CRMs merged: `yes`/`no` beside `ja`/`nein`)
// and spreadsheets' TRUE/FALSE in theirs (BREAKER9 #9); keys as spellingKey writes them (`não` is `nao`).
const TRUTHY = new Set(['yes', 'y', 'true', 't', '1', ...YES_WORDS, ...TRUE_WORDS].map(spellingKey));
const FALSY = new Set(['no', 'n', 'false', 'f', '0', ...NO_WORDS, ...FALSE_WORDS].map(spellingKey));

/** Whether `a` and `b` differ by one inserted letter, or by a trailing `.` (`versicolour`, `>50K.`). */
function oneLetterApart(a: string, b: string): boolean {
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  if (long.length !== short.length + 1 || short.length === 0) return false;
  if (long === `${short}.`) return true;
  if (short.length < MIN_NEAR_LENGTH || romanNumeralsApart(short, long)) return false;
  for (let i = 0; i <= short.length; i++) {
    if (long.slice(0, i) + long.slice(i + 1) === short) return /\p{L}/u.test(long[i]);
  }
  return false;
}

/** A last word in Roman numerals (keys are lower case): `stage iii`, `type_ii`, `nyha-iv`. */
const ROMAN_TAIL = /^(.*[\s_\-.:/])?([ivxlcdm]+)$/u;

/**
 * Whether `a` and `b` are one stem with different Roman numerals after it (`Stage I`/`Stage II`,
 * `Type I`/`Type II`, NYHA class III/IV): ordinal classes, as `Stage 1`/`Stage 2` are (BREAKER10 #6).
 */
function romanNumeralsApart(a: string, b: string): boolean {
  const ma = ROMAN_TAIL.exec(a);
  const mb = ROMAN_TAIL.exec(b);
  return ma !== null && mb !== null && (ma[1] ?? '') === (mb[1] ?? '') && ma[2] !== mb[2];
}

/** What joins an affix word to a class: `Iris-virginica`, `class_a`, `x.new`, `x new`. */
const AFFIX_SEPARATORS = new Set(['-', '_', '.', ' ']);

/**
 * Words that make a different class when put before or after one (`very high`, `not spam`,
 * `false positive`, `high-risk`): ordinal and negated labels, not spellings.
 */
const QUALIFIERS = new Set(
  (
    'very not non no un in extra super ultra semi highly slightly mildly moderately severely strongly ' +
    'somewhat less more most least over under pre post anti sub partly partially fully mostly too ' +
    'quite rather near almost false true low high mid medium big small major minor risk level grade'
  ).split(' '),
);

/**
 * The affix word when `long` is `short` with one word and a separator before or after it
 * (`Iris-virginica` from `virginica`: `Iris`); null otherwise. The word must hold a letter
 * (`20`/`20-30` are ranges) and not be a qualifier (`very high` is its own class).
 */
export function affixOf(short: string, long: string): string | null {
  if (short.length === 0 || long.length < short.length + 2) return null;
  let word: string | null = null;
  if (long.endsWith(short) && AFFIX_SEPARATORS.has(long[long.length - short.length - 1]))
    word = long.slice(0, long.length - short.length - 1);
  else if (long.startsWith(short) && AFFIX_SEPARATORS.has(long[short.length]))
    word = long.slice(short.length + 1);
  // One word (`Iris`, `class`, `new`): `No`/`No phone service` are two answers, not two spellings.
  if (word === null || !/\p{L}/u.test(word) || /[-_. ]/u.test(word)) return null;
  return QUALIFIERS.has(word) ? null : word;
}

/**
 * The target's classes that are one class spelt two ways, which label encoding would make competing
 * classes (a "binary" model with 4 classes): yes/no words mixed with `1`/`0` (two exports appended),
 * or, with at most MAX_LABEL_CLASSES classes, labels one letter or a trailing `.` apart, or one label
 * plus a prefix/suffix word (`Iris-virginica`/`virginica`, see affixOf). Case and
 * spacing variants are case_variants' to report. Null when the target is not a text column or none.
 */
export function findLabelSpellings(view: ColumnView | undefined): LabelSpellings | null {
  if (!view || view.kind !== 'categorical' || view.type !== 'string') return null;
  const byKey = new Map<string, Spelling>();
  // One key per dictionary entry, not per row: the folding (NFKC, NFD, case) is not cheap.
  const keyOf = view.dictionary.map(spellingKey);
  for (let i = 0; i < view.codes.length; i++) {
    const code = view.codes[i];
    if (code < 0) continue;
    const key = keyOf[code];
    const s = byKey.get(key);
    if (s) s.rows++;
    else byKey.set(key, { value: view.dictionary[code], rows: 1, firstRow: i });
  }
  const keys = [...byKey.keys()];
  const byRows = (g: Spelling[]) => g.sort((a, b) => b.rows - a.rows);
  if (keys.length > 2 && keys.every((k) => TRUTHY.has(k) || FALSY.has(k))) {
    const yes = keys.filter((k) => TRUTHY.has(k)).map((k) => byKey.get(k)!);
    const no = keys.filter((k) => FALSY.has(k)).map((k) => byKey.get(k)!);
    return { column: view.name, kind: 'boolean', groups: [yes, no].filter((g) => g.length > 1).map(byRows) };
  }
  if (keys.length > MAX_LABEL_CLASSES) return null;
  const groups: Spelling[][] = [];
  keys.forEach((a, i) =>
    keys.slice(i + 1).forEach((b) => {
      if (oneLetterApart(a, b)) groups.push(byRows([byKey.get(a)!, byKey.get(b)!]));
    }),
  );
  if (groups.length > 0) return { column: view.name, kind: 'near', groups };
  // `Iris-virginica` beside `virginica`: a second export's prefixed spelling (UCI's iris.data).
  keys.forEach((a, i) =>
    keys.slice(i + 1).forEach((b) => {
      const [short, long] = a.length < b.length ? [a, b] : [b, a];
      if (affixOf(short, long) !== null) groups.push(byRows([byKey.get(a)!, byKey.get(b)!]));
    }),
  );
  return groups.length > 0 ? { column: view.name, kind: 'affix', groups } : null;
}

/** `'Yes' (300 rows, first line 2) = '1' (100 rows, first line 5); …`. */
export function describeLabelSpellings(l: LabelSpellings, locator: RowLocator): string {
  const groups = l.groups.map((g) =>
    g.map((s) => `${quote(s.value)} (${s.rows} row${s.rows === 1 ? '' : 's'}, first ${locator.at(s.firstRow)})`).join(' = '),
  );
  return `${describeKind(l)}: ${groups.join('; ')}`;
}

/** The kind in words; `1/0` is named only when a group holds `1` or `0` (`Y`/`N` beside `yes`/`no` is not). */
function describeKind(l: LabelSpellings): string {
  if (l.kind === 'near') return 'classes one letter apart';
  if (l.kind === 'affix') return 'one class with and without a prefix or suffix word';
  const digits = l.groups.some((g) => g.some((s) => s.value.trim() === '1' || s.value.trim() === '0'));
  return digits ? 'yes/no words mixed with 1/0' : 'yes/no words in two spellings';
}

/** What to do: one spelling per class upstream; near-duplicates that are truly distinct classes can be accepted. */
export function labelSpellingsHint(l: LabelSpellings): string {
  const fix = `one spelling per class: map them to one upstream (e.g. ${l.groups
    .map((g) => g.map((s) => quote(s.value)).join(' and '))
    .slice(0, 2)
    .join('; ')} as one value each); as they are, the model learns them as competing classes`;
  return l.kind !== 'boolean'
    ? `${fix}; if they truly are different classes, mark sanity.schema.columns.${yamlName(l.column)}.categories: any`
    : fix;
}

/**
 * Features holding yes/no words in two spellings (`Yes`/`No` from one CRM export beside `Y`/`N` from
 * another, BREAKER10 #9): one-hot encoding makes each answer two categories, and serving answers
 * `Y` and `Yes` differently. The target's own rule (findLabelSpellings' `boolean` kind), applied to
 * every text column not in `skip` (the target, `categories: any`, id-like or dropped columns).
 */
export function findYesNoFeatures(views: ColumnView[], skip: ReadonlySet<string>): LabelSpellings[] {
  return views
    .filter((v) => !skip.has(v.name))
    .map((v) => findLabelSpellings(v))
    .filter((l): l is LabelSpellings => l?.kind === 'boolean');
}

/** What to do about a feature's yes/no spellings: one spelling upstream, or keep them as categories. */
export function yesNoFeatureHint(l: LabelSpellings): string {
  const pairs = l.groups.map((g) => g.map((s) => quote(s.value)).join(' and ')).join('; ');
  return (
    `one spelling per answer: map them to one upstream (e.g. ${pairs} as one value each); as they are, ` +
    `each answer is two categories, or mark sanity.schema.columns.${yamlName(l.column)}.categories: any to keep them`
  );
}
