import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../core/csv';
import { seededRandom } from '../../../bench/random';
import type { DataSchema } from '../../../core/data/data-schema';
import { checkAgainstSchema, dataChecksSpec } from '../../support/data-checks';

const WORDS =
  'service slow great price delivery late broken refund support app crashes easy checkout box damaged staff'.split(
    ' ',
  );
const STOCK = [
  'Great service',
  'ok',
  'No comment',
  'Fast delivery',
  'Too expensive',
  'Good',
  'Bad',
  'Will buy again',
];

/** 200 survey rows `score,spend,comment,label`: a stock answer on 3 rows of 5, a sentence of its own on the rest. */
function survey(seed: number): string {
  const next = seededRandom(seed);
  const rows = Array.from({ length: 200 }, (_, i) => {
    const sentence = Array.from(
      { length: 8 + Math.floor(next() * 12) },
      () => WORDS[Math.floor(next() * WORDS.length)],
    );
    const comment = i % 5 < 3 ? STOCK[Math.floor(next() * STOCK.length)] : `${sentence.join(' ')}.`;
    return `${i % 10},${(10 + next() * 290).toFixed(2)},"${comment}",${i % 2 ? 'yes' : 'no'}`;
  });
  return `score,spend,comment,label\n${rows.join('\n')}\n`;
}

/** The data checks on `text`, with `train.features` when given, against `pinned` (null: a first run). */
const checks = (text: string, trainFeatures?: string[], pinned: DataSchema | null = null) =>
  checkAgainstSchema(
    parseCsv(text),
    dataChecksSpec({}, trainFeatures ? { train: { features: trainFeatures } } : {}),
    pinned,
  );

describe('a free-text column fails cardinality and is never pinned (BREAKER9 #12)', () => {
  it('fails a comment column of stock answers and sentences seen once, below the id-like share', () => {
    const result = checks(survey(1));
    const failed = result.failed.filter((r) => r.check === 'cardinality');
    expect(failed.map((r) => r.column)).toEqual(['comment']);
    expect(failed[0].observed).toMatch(/^\d+ distinct in 200 rows \((\d|[1-4]\d)\.\d%\), free text$/);
    expect(failed[0].expected).toContain('free text: leave it out of train.features');
    expect(failed[0].expected).toContain('encode: { columns: [comment], method: hashing');
    expect(result.inferred?.columns.comment.categories).toBe('any');
  });

  it('passes once train.features leaves it out, and next month its new sentences are no unseen categories', () => {
    const first = checks(survey(1), ['score']);
    expect(first.failed).toEqual([]);
    expect(first.inferred?.columns.comment.categories).toBe('any');
    const next = checks(survey(2), ['score'], first.inferred ?? null);
    expect(next.failed).toEqual([]);
  });

  it('keeps short multi-word categories and a small comment column as categories', () => {
    const cities = ['New York City', 'Los Angeles', 'San Francisco Bay Area', 'Rio de Janeiro'];
    const text = `city,label\n${Array.from({ length: 200 }, (_, i) => `${cities[i % 4]},${i % 2}`).join('\n')}\n`;
    expect(checks(text).failed.filter((r) => r.check === 'cardinality')).toEqual([]);
    expect(checks(text).inferred?.columns.city.categories).toHaveLength(4);
  });
});
