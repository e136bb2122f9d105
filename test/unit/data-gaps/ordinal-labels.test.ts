import { describe, expect, it } from 'vitest';
import { checkCsv } from '../../support/data-checks';

/** 60 rows of `x,label`, the label given per 0-based row. */
const labelled = (label: (i: number) => string) =>
  `x,label\n${Array.from({ length: 60 }, (_, i) => `${(i % 7) + 0.5},${label(i)}`).join('\n')}\n`;
const spellings = (text: string) => checkCsv(text).failed.filter((r) => r.check === 'label_spellings');

describe('ordinal classes in Roman numerals are classes, not spellings one letter apart (BREAKER10 #6)', () => {
  it("passes 'Stage I'/'Stage II'/'Stage III', NYHA 'Class III'/'Class IV', 'type_i'/'type_ii'", () => {
    expect(spellings(labelled((i) => `Stage ${['I', 'II', 'III'][i % 3]}`))).toEqual([]);
    expect(spellings(labelled((i) => `Class ${['I', 'II', 'III', 'IV'][i % 4]}`))).toEqual([]);
    expect(spellings(labelled((i) => `type_${['i', 'ii'][i % 2]}`))).toEqual([]);
    expect(spellings(labelled((i) => `Type ${(i % 2) + 1}`))).toEqual([]);
    expect(spellings(labelled((i) => `Grade ${['A', 'B', 'C'][i % 3]}`))).toEqual([]);
  });

  it("still fails a letter slipped into a word: 'versicolour' beside 'versicolor'", () => {
    const found = spellings(
      labelled((i) =>
        i % 3 === 0 ? 'setosa' : i % 3 === 1 ? 'versicolor' : i < 50 ? 'virginica' : 'versicolour',
      ),
    );
    expect(found).toHaveLength(1);
    expect(found[0].observed).toContain("'versicolour'");
  });
});
