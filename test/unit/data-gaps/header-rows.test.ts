import { describe, expect, it } from 'vitest';
import { checkCsv } from '../../support/data-checks';

/** A survey export in Qualtrics' layout: names, question texts, `{"ImportId":…}`, then 120 responses. */
function qualtrics(): string {
  const json = (id: string) => `"{""ImportId"":""${id}""}"`;
  const rows = Array.from({ length: 120 }, (_, i) => {
    const day = String((i % 28) + 1).padStart(2, '0');
    return `2025-03-${day}T10:00:00Z,${60 + ((i * 37) % 900)},${(i % 5) + 1},${(i * 7) % 11},${18 + ((i * 13) % 60)},${i % 3 ? 'yes' : 'no'}`;
  });
  return [
    'StartDate,Duration (in seconds),Q1,Q2,Q3,label',
    'Start Date,Duration (in seconds),How satisfied are you? (1-5),How many times did you call?,Your age,Would you recommend us?',
    [json('startDate'), json('duration'), json('QID1'), json('QID2'), json('QID3'), json('QID4')].join(','),
    ...rows,
  ].join('\n');
}

describe('extra header rows under the header fail once with the skipRows fix (BREAKER9 #8)', () => {
  it('names 2 more header rows (a Qualtrics export) and source.skipRows: [2, 3], instead of per-column advice', () => {
    const { failed } = checkCsv(qualtrics());
    expect(failed.map((r) => r.check)).toEqual(['header_rows']);
    expect(failed[0].observed).toContain(
      "5 column(s) ('Duration (in seconds)', 'Q1', 'Q2', 'Q3', 'StartDate') hold non-values on lines 2, 3 only",
    );
    expect(failed[0].expected).toContain(
      '2 more header rows under the header (a Qualtrics/SurveyMonkey export?): source.skipRows: [2, 3]',
    );
  });

  it('passes once the lines are skipped as printed', () => {
    expect(checkCsv(qualtrics(), { skipRows: [2, 3] }).failed).toEqual([]);
  });

  it('keeps per-column advice when a token also sits further down', () => {
    const text = qualtrics().replace(/\n(2025-03-05T10:00:00Z,\d+),\d+,/, '\n$1,N/Ax,');
    const { failed } = checkCsv(text);
    expect(failed.map((r) => r.check)).not.toContain('header_rows');
    expect(failed.map((r) => r.check)).toContain('numeric_tokens');
  });
});
