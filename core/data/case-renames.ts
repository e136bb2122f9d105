import { quote } from '../quote';
import { yamlName } from '../yaml-name';

/** A sanity report row, as every check writes one. */
interface ReportRow {
  check: string;
  column: string;
  passed: boolean;
  observed: string;
  expected: string;
}

/**
 * Pinned column → the file's column of the same name in another case (`tenure` → `Tenure`), when
 * the header's case changed as a whole: at least two pinned columns are missing and every one of
 * them has exactly one case-only match among the file's new columns (a BI tool's or Excel's
 * "Proper" export). Else an empty map: one renamed column is schema_column's own business.
 */
export function caseRenames(pinned: readonly string[], fileNames: readonly string[]): Map<string, string> {
  const present = new Set(fileNames);
  const missing = pinned.filter((n) => !present.has(n));
  const added = fileNames.filter((n) => !pinned.includes(n));
  const renames = new Map<string, string>();
  for (const name of missing) {
    const matches = added.filter((a) => a.toLowerCase() === name.toLowerCase());
    if (matches.length !== 1) return new Map();
    renames.set(name, matches[0]);
  }
  return renames.size >= 2 ? renames : new Map();
}

/**
 * Folds the failures one header-case change causes (a missing and an unexpected column per column,
 * the target's label_present) into one `schema_column(*)` failure that names the change, the target
 * among it, and ways out that work: rename upstream, or accept the new names everywhere they are set.
 */
export function foldCaseRenames<R extends ReportRow>(
  report: R[],
  renames: Map<string, string>,
  label: string,
  pipeline: string,
): R[] {
  if (renames.size === 0) return report;
  const names = new Set([...renames.keys(), ...renames.values()]);
  const folded = (r: R): boolean =>
    !r.passed && ((r.check === 'schema_column' && names.has(r.column)) || (r.check === 'label_present' && renames.has(r.column)));
  const first = Math.max(0, report.findIndex(folded));
  const pairs = [...renames].map(([from, to]) => `${quote(from)} → ${quote(to)}`);
  const shown = pairs.length > 4 ? `${pairs.slice(0, 4).join(', ')} and ${pairs.length - 4} more` : pairs.join(', ');
  const target = renames.get(label);
  const targetNote = target === undefined ? '' : `; the target ${quote(label)} is now ${quote(target)}`;
  const accept = target === undefined ? '' : ` and target.column: ${yamlName(target)}`;
  const row = {
    check: 'schema_column',
    column: '*',
    passed: false,
    observed: `every column name changed case: ${shown} (${renames.size} columns)${targetNote}`,
    expected:
      `the pinned names: rename upstream (write the header as before: ${[...renames.keys()].slice(0, 6).map(quote).join(', ')}${renames.size > 6 ? ', …' : ''}), ` +
      `or accept the new names: quiver schema reset ${pipeline}${accept}, with every setting that names a column (train.features, sanity.schema.columns, …) in the new case`,
  } as R;
  const result = report.filter((r) => !folded(r));
  result.splice(first, 0, row);
  return result;
}
