import { describe, expect, it } from 'vitest';
import { columnViews } from '../../../core/data/column-views';
import { inferSchema } from '../../../core/data/data-schema';
import { parseCsv } from '../../../core/csv';

const origin = { pipeline: 't', inferredFrom: { runId: 'r1', dataSha256: 'abc', rows: 3 } };

describe('a pinned numeric range is always finite', () => {
  it('pins the finite range of a column holding ±1e308 sentinels', () => {
    const table = parseCsv('x,y\n-1.7e308,1\n5,2\n1.7976931348623157e308,3\n');
    const schema = inferSchema(columnViews(table), 0.1, origin);
    const x = schema.columns.x;
    expect(Number.isFinite(x.min)).toBe(true);
    expect(Number.isFinite(x.max)).toBe(true);
    expect(x.min).toBeLessThanOrEqual(-1.7e308);
    expect(x.max).toBe(1.7976931348623157e308);
    expect(JSON.parse(JSON.stringify(schema)).columns.x.max).not.toBeNull();
  });
});
