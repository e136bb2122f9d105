import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { parseSource } from '../../../core/sources/index';

const hours = (from: number, n: number, zone: string) =>
  Array.from({ length: n }, (_, i) => `2026-03-01T${String(from + i).padStart(2, '0')}:00:00${zone}`);
const csv = (values: string[], options = {}) =>
  parseSource(
    Buffer.from(`ts,load\n${values.map((v, i) => `${v},${i}`).join('\n')}\n`),
    'csv',
    't.csv',
    options,
  );

describe('timestamps with a zone and without in one column', () => {
  it('fail naming the first line of each kind and the ways out', () => {
    expect(() => csv([...hours(0, 3, '-05:00'), ...hours(6, 3, '')])).toThrow(
      "t.csv: column 'ts' mixes timestamps with a zone and without: line 2 '2026-03-01T00:00:00-05:00' has one, " +
        "line 5 '2026-03-01T06:00:00' has none (read as UTC, one kind would be shifted against the other by the offset; " +
        'pandas refuses the mix): write every value with its offset (or every one without), or declare the column text: ' +
        'source.columnTypes: { ts: string }',
    );
    expect(() => csv([...hours(0, 2, ''), ...hours(3, 2, 'Z')])).toThrow(
      "line 4 '2026-03-01T03:00:00Z' has one, line 2",
    );
  });

  it('in JSON Lines too', () => {
    const text = '{"ts": "2026-03-01T00:00:00Z", "y": 1}\n{"ts": "2026-03-01T01:00:00", "y": 2}\n';
    expect(() => parseSource(Buffer.from(text), 'jsonl', 'j.jsonl')).toThrow(
      "j.jsonl: column 'ts' mixes timestamps with a zone and without: line 1 '2026-03-01T00:00:00Z' has one, line 2",
    );
  });

  it('in the ISO-8601 string columns of an Arrow or Parquet file, naming rows', () => {
    const table = arrow.tableFromArrays({
      ts: ['2026-03-01T00:00:00+01:00', '2026-03-01T01:00:00'],
      y: [1, 2],
    });
    expect(() => parseSource(Buffer.from(arrow.tableToIPC(table)), 'arrow', 'a.arrow')).toThrow(
      "a.arrow: column 'ts' mixes timestamps with a zone and without: row 0 '2026-03-01T00:00:00+01:00' has one, row 1",
    );
  });

  it('a column that never names a zone stays UTC, one that always does reads its offsets', () => {
    expect([...csv(hours(0, 2, '')).getChild('ts')!]).toEqual([
      Date.UTC(2026, 2, 1, 0),
      Date.UTC(2026, 2, 1, 1),
    ]);
    expect([...csv(hours(0, 2, '-05:00')).getChild('ts')!]).toEqual([
      Date.UTC(2026, 2, 1, 5),
      Date.UTC(2026, 2, 1, 6),
    ]);
  });

  it('bare dates are days, neither kind: they may sit beside zoned date-times', () => {
    expect([...csv(['2024-01-05', '2024-01-06T08:30:00Z']).getChild('ts')!]).toEqual([
      Date.UTC(2024, 0, 5),
      Date.UTC(2024, 0, 6, 8, 30),
    ]);
  });

  it('a column declared text is read as written', () => {
    const table = csv([...hours(0, 1, 'Z'), ...hours(1, 1, '')], { columnTypes: { ts: 'string' } });
    expect([...table.getChild('ts')!]).toEqual(['2026-03-01T00:00:00Z', '2026-03-01T01:00:00']);
  });
});
