import { describe, expect, it } from 'vitest';
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
});
