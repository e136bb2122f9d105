import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../core/csv';
import { LOGICAL_TYPE_KEY, parseIsoTimestamp, zoneKind } from '../../../core/sources/text-types';
import { checkCsv } from '../../support/data-checks';

/** 60 rows `measured_at,x,label`, 2024-01-03 08:00 plus i hours, the zone written by `zone` (hour → text). */
function readings(zone: (hour: number) => string): string {
  const rows = Array.from({ length: 60 }, (_, i) => {
    const at = new Date(Date.UTC(2024, 0, 3, 8 + i));
    const stamp = at.toISOString().slice(0, 19).replace('T', ' ');
    return `${stamp}${zone(i)},${(i * 7) % 11},${i % 2 ? 'a' : 'b'}`;
  });
  return `measured_at,x,label\n${rows.join('\n')}\n`;
}

describe('timestamps with a fixed zone written the BigQuery and PostgreSQL way (BREAKER10 #2/#3)', () => {
  it('reads UTC, GMT, Z and ±hh / ±hhmm / ±hh:mm offsets, with a space or a T', () => {
    const at = Date.UTC(2024, 0, 3, 8);
    for (const text of [
      '2024-01-03 08:00:00 UTC', // BigQuery CSV export
      '2024-01-03 08:00:00 GMT',
      '2024-01-03 08:00:00UTC',
      '2024-01-03 08:00:00+00', // PostgreSQL timestamptz, TimeZone=UTC
      '2024-01-03T08:00:00+00',
      '2024-01-03 09:00:00.000000+01', // a server in Europe/Berlin
      '2024-01-03 10:00:00+0200',
      '2024-01-03T03:00:00-05:00',
      '2024-01-03 08:00:00Z',
    ]) {
      expect([text, parseIsoTimestamp(text)]).toEqual([text, at]);
      expect(zoneKind(text)).toBe('zoned');
    }
  });

  it('still refuses zone abbreviations with no fixed offset and malformed offsets', () => {
    for (const text of [
      '2024-01-03 08:00:00 EST',
      '2024-01-03 08:00:00 CET',
      '2024-01-03 08:00:00+1',
      '2024-01-03 08:00:00 +00',
    ])
      expect([text, parseIsoTimestamp(text)]).toEqual([text, null]);
  });

  for (const [name, zone] of [
    ['BigQuery UTC', () => ' UTC'],
    ['GMT', () => ' GMT'],
    ['PostgreSQL +00', () => '+00'],
    ['PostgreSQL Europe/Berlin +01/+02', (i: number) => (i % 2 ? '+01' : '+02')],
  ] as const)
    it(`types ${name} as a timestamp column and passes sanity (not id-like, not date_text)`, () => {
      const table = parseCsv(readings(zone));
      const field = table.schema.fields.find((f) => f.name === 'measured_at')!;
      expect(field.metadata.get(LOGICAL_TYPE_KEY)).toBe('timestamp');
      expect(table.getChild('measured_at')!.get(0)).toBe(Date.UTC(2024, 0, 3, zone(0) === '+02' ? 6 : 8));
      const { failed } = checkCsv(readings(zone));
      expect(failed.map((r) => `${r.check}(${r.column})`)).toEqual([]);
    });

  it('names an abbreviation layout without calling UTC or CET "EST"', () => {
    const { failed } = checkCsv(readings(() => ' CET'));
    expect(failed.map((r) => `${r.check}(${r.column})`)).toEqual(['date_text(measured_at)']);
    expect(failed[0].observed).toContain('yyyy-mm-dd hh:mm:ss TZ (a zone abbreviation such as EST or CET');
    expect(failed[0].observed).toContain("'2024-01-03 08:00:00 CET' (line 2)");
  });
});
