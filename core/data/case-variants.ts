import { quote } from '../quote';
import type { RowLocator } from '../sources/row-lines';
import type { ColumnView } from './column-views';
import { yamlName } from '../yaml-name';
import {
  dropVariationSelectors,
  escapeVariationSelectors,
  foldCase,
  foldedDifferences,
  foldTypography,
  stripAccents,
  undoMojibake,
} from './text-folding';

/** One spelling of a value, as a case-variant group lists it. */
export interface Spelling {
  value: string;
  /** Rows holding exactly this spelling. */
  rows: number;
  /** First row (0-based) holding it. */
  firstRow: number;
}

/** Values of one text column that differ only by case, inner spacing or Unicode form. */
export interface CaseVariants {
  column: string;
  /** Each group: two or more spellings of one value, in file order of their first row. */
  groups: Spelling[][];
}

/** Groups shown in a message; the rest are counted. */
const GROUPS_SHOWN = 5;

/**
 * What two spellings of one value share: Unicode NFKC (full-width `Ｓ` is `S`, `ﬁ` is `fi`), full case
 * folding (`ß` is `ss`), and whitespace runs collapsed to one space with none at the ends; one layer
 * of mojibake undone (`ZÃ¼rich` is `Zürich`), emoji variation selectors dropped (`❤️` is `❤`),
 * typographic quotes and dashes written as ASCII (`Don’t` is `Don't`, `18–24` is `18-24`) and
 * accents on Latin letters removed (`São Paulo` is `Sao Paulo`).
 */
export function spellingKey(value: string): string {
  const nfkc = dropVariationSelectors(undoMojibake(value)).normalize('NFKC');
  return stripAccents(foldCase(foldTypography(nfkc))).replace(/\s+/gu, ' ').trim();
}

/**
 * String columns (the target included) holding values that differ only by case, spacing or Unicode
 * normalisation (`Setosa` and `setosa`): one-hot encoding and label encoding would treat them as two
 * categories or two classes, splitting one value's rows in two. Only values present in some row count.
 */
export function findCaseVariants(views: ColumnView[], skip: ReadonlySet<string>): CaseVariants[] {
  const found: CaseVariants[] = [];
  for (const view of views) {
    if (view.kind !== 'categorical' || view.type !== 'string' || skip.has(view.name)) continue;
    const counts = new Float64Array(view.dictionary.length);
    const firstRow = new Int32Array(view.dictionary.length).fill(-1);
    for (let i = 0; i < view.codes.length; i++) {
      const code = view.codes[i];
      if (code >= 0 && counts[code]++ === 0) firstRow[code] = i;
    }
    const byKey = new Map<string, Spelling[]>();
    view.dictionary.forEach((value, code) => {
      if (counts[code] === 0) return;
      const key = spellingKey(value);
      const spellings = byKey.get(key) ?? [];
      // A dictionary may repeat a word across chunks; one spelling is one entry.
      const same = spellings.find((s) => s.value === value);
      if (same) {
        same.rows += counts[code];
        same.firstRow = Math.min(same.firstRow, firstRow[code]);
      } else spellings.push({ value, rows: counts[code], firstRow: firstRow[code] });
      byKey.set(key, spellings);
    });
    const groups = [...byKey.values()]
      .filter((g) => g.length > 1)
      .map((g) => g.sort((a, b) => a.firstRow - b.firstRow))
      .sort((a, b) => a[0].firstRow - b[0].firstRow);
    if (groups.length > 0) found.push({ column: view.name, groups });
  }
  return found;
}

/** `'Setosa' (3 rows, first line 2) = 'setosa' (47 rows, first line 5); …`: each group, its spellings. */
export function describeCaseVariants(c: CaseVariants, locator: RowLocator): string {
  const shown = c.groups.slice(0, GROUPS_SHOWN).map((group) =>
    group
      .map((s) => `${escapeVariationSelectors(quote(s.value))} (${s.rows} row${s.rows === 1 ? '' : 's'}, first ${locator.at(s.firstRow)})`)
      .join(' = '),
  );
  const more = c.groups.length - shown.length;
  return `${shown.join('; ')}${more > 0 ? `; and ${more} more group(s)` : ''}`;
}

/** The kinds of difference among a finding's groups beyond case and spacing. */
function differences(c: CaseVariants | undefined): Set<string> {
  return new Set(c?.groups.flatMap((g) => [...foldedDifferences(g.map((s) => s.value))]));
}

/**
 * How a finding's spellings differ: by case or spacing, and, when some group's do, by mojibake
 * (`ZÃ¼rich`: UTF-8 decoded as Latin-1 once), an emoji variation selector (`❤` and `❤\ufe0f`),
 * typographic quotes or dashes, accents, or `ß` written `SS`.
 */
export function caseVariantsKind(c: CaseVariants): string {
  const kinds = differences(c);
  const extra = [
    kinds.has('mojibake') ? "by mojibake (UTF-8 text decoded once as Latin-1: 'ZÃ¼rich' is 'Zürich')" : '',
    kinds.has('variation selector') ? 'by an emoji variation selector (U+FE0E/U+FE0F)' : '',
    kinds.has('typography')
      ? "by typographic quotes or dashes (autocorrect's \u2019 U+2019 for ', \u2013 U+2013 for -)"
      : '',
    kinds.has('accents') ? "by accents ('São Paulo' is 'Sao Paulo' once accents are removed)" : '',
    kinds.has('sharp s') ? "by ß written as SS (full case folding: 'Straße' is 'STRASSE')" : '',
  ].filter(Boolean);
  return `values differing only by case or spacing${extra.length ? `, or ${extra.join(', or ')}` : ''}`;
}

/**
 * What to do about case variants in `column`: one spelling upstream, or `categories: any` when the
 * spellings are truly different values (a feature's categories, or a target's classes: `AA`/`Aa`).
 */
export function caseVariantsHint(column: string, isTarget: boolean, c?: CaseVariants): string {
  const kinds = differences(c);
  const extra = [
    kinds.has('mojibake') ? "mojibake repaired (the rows' text decoded from cp1252 back to UTF-8 bytes, as ftfy does)" : '',
    kinds.has('variation selector') ? 'variation selectors U+FE0E/U+FE0F removed' : '',
    kinds.has('typography') ? `typographic quotes and dashes written as ' " and -` : '',
    kinds.has('accents') ? 'accents written the same way on every row' : '',
    kinds.has('sharp s') ? 'ß written the same way on every row' : '',
  ].filter(Boolean);
  const normalise = `one spelling per value: normalise the values upstream (same case, single spaces, Unicode NFKC${extra.map((e) => `; ${e}`).join('')})`;
  return isTarget
    ? `${normalise}; as a target they would be separate classes: if they truly are different classes${extra.length ? '' : " (as genotypes 'AA'/'Aa'/'aa' are)"}, mark sanity.schema.columns.${yamlName(column)}.categories: any to keep them`
    : `${normalise}, or mark sanity.schema.columns.${yamlName(column)}.categories: any to keep them as distinct categories`;
}
