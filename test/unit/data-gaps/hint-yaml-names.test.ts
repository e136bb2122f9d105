import { describe, expect, it } from 'vitest';
import { labelSpellingsHint } from '../../../core/data/label-spellings';
import { exponentCodeHint } from '../../../core/data/stray-lines';

/** Hints print column names as YAML that reads back as written (`'Unnamed: 0'`, `'no'`): pasteable as is. */
describe('column names in hints are written as YAML', () => {
  it('the exponent-code hint quotes a name YAML would misread', () => {
    expect(exponentCodeHint(['1A5', '2B3'], ['1E5', '3E2'], 'part: code')).toContain(
      "declare the column text: source.columnTypes: { 'part: code': string }",
    );
    expect(exponentCodeHint(['1A5'], ['1E5'], 'part_code')).toContain(
      'source.columnTypes: { part_code: string }',
    );
  });

  it('the label-spellings hint quotes a target named like a YAML word or mapping', () => {
    const spelling = (value: string) => ({ value, rows: 10, firstRow: 0 });
    const groups = [[spelling('versicolor'), spelling('versicolour')]];
    expect(labelSpellingsHint({ column: 'Class: final', kind: 'near', groups })).toContain(
      "mark sanity.schema.columns.'Class: final'.categories: any",
    );
    expect(labelSpellingsHint({ column: 'species', kind: 'near', groups })).toContain(
      'mark sanity.schema.columns.species.categories: any',
    );
  });
});
