import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../core/csv';
import { columnViews, type ColumnView } from '../../../core/data/column-views';
import { applyOverrides, checkColumns, inferSchema } from '../../../core/data/data-schema';
import { computeDrift, psi } from '../../../core/data/drift';
import { duplicateRows } from '../../../core/data/duplicates';
import { filterRows } from '../../../core/data/filter-rows';
import { pinSchema, readPinnedSchema, resetSchema, schemaPath } from '../../../core/data/schema-store';
import { binCounts, profileColumns, profileFromArrow, profileToArrow } from '../../../core/data/profile';
import {
  applyPolicies,
  describeDecision,
  flagRows,
  flagsToArrow,
  type FlagDecision,
} from '../../../core/data/row-flags';
import { rowFlagsSpec } from '../../../core/spec/data-checks-schema';

const origin = { pipeline: 't', inferredFrom: { runId: 'r', dataSha256: 'x', rows: 0 } };
const csv = (text: string) => parseCsv(text);

describe('column views', () => {
  it('reads Float64 and dictionary columns with their nulls, across chunks and slices', () => {
    const table = csv('x,c\n1,a\n,b\n3,\n4,a\n');
    const sliced = new arrow.Table([...table.slice(1).batches, ...table.slice(0, 2).batches]);
    const [x, c] = columnViews(sliced);
    expect(x.kind === 'numeric' && Array.from(x.values)[1]).toBe(3);
    expect(x.kind === 'numeric' && Array.from(x.valid!)).toEqual([0, 1, 1, 1, 0]);
    expect(
      c.kind === 'categorical' && Array.from(c.codes).map((k) => (k < 0 ? null : c.dictionary[k])),
    ).toEqual(['b', null, 'a', 'a', 'b']);
    expect([x.nulls, c.nulls]).toEqual([2, 1]);
  });

  it('views one sliced chunk without copying it, from the slice offset', () => {
    const table = csv('x,c\n1,a\n2,b\n3,c\n4,a\n').slice(1, 3);
    const [x, c] = columnViews(table);
    expect(x.kind === 'numeric' && Array.from(x.values)).toEqual([2, 3]);
    expect(c.kind === 'categorical' && Array.from(c.codes).map((k) => c.dictionary[k])).toEqual(['b', 'c']);
  });
});

describe('data schema', () => {
  const table = csv('x,c,label\n1,a,p\n3,b,q\n,a,p\n');

  it('infers types, nullability, categories and ranges widened by the tolerance', () => {
    const wide = inferSchema(columnViews(csv('v\n1.23456789\n-0.000123\n')), 0, origin).columns.v;
    expect([wide.min, wide.max]).toEqual([-0.000123, 1.23457]);
    const schema = inferSchema(columnViews(table), 0.1, origin);
    expect(schema.columns).toEqual({
      x: { type: 'number', nullable: true, min: 0.8, max: 3.2 },
      c: { type: 'string', nullable: false, categories: ['a', 'b'], distinct: 2 },
      label: { type: 'string', nullable: false, categories: ['p', 'q'], distinct: 2 },
    });
  });

  it('lets the spec override any field, and drops fields that no longer fit the type', () => {
    const schema = inferSchema(columnViews(table), 0, origin);
    const columns = applyOverrides(schema, {
      x: { max: 100, nullable: false },
      c: { type: 'number', min: 0 },
      extra: { type: 'string', categories: ['z'] },
    });
    expect(columns.x).toEqual({ type: 'number', nullable: false, min: 1, max: 100 });
    expect(columns.c).toEqual({ type: 'number', nullable: false, min: 0 });
    expect(columns.extra).toEqual({ type: 'string', nullable: true, categories: ['z'] });
  });

  it('catches a changed column type, a missing column and an unexpected one', () => {
    const pinned = inferSchema(columnViews(table), 0.1, origin);
    const changed = csv('x,label,new\nten,p,1\n');
    const failed = checkColumns(columnViews(changed), pinned.columns).filter((c) => !c.passed);
    expect(failed.map((c) => `${c.check}(${c.column}) ${c.observed}`)).toEqual([
      "schema_type(x) string (not a number: row 0, column 'x': 'ten')",
      "schema_column(c) missing (columns: 'x', 'label', 'new')",
      'schema_column(new) unexpected column (number), added since the schema was pinned',
    ]);
  });
});

describe('row flags', () => {
  const table = csv('x,c,label\n1,a,p\n50,a,p\n,a,q\n2,zz,q\n1,a,p\n3,b,\n');
  const columns = {
    x: { type: 'number' as const, nullable: false, min: 0, max: 10 },
    c: { type: 'string' as const, nullable: false, categories: ['a', 'b'] },
    label: { type: 'string' as const, nullable: false, categories: ['p', 'q'] },
  };

  it('flags each suspicious row once per check, with the row index and the reason', () => {
    const views = columnViews(table);
    const flags = flagRows(views, columns, 'label');
    expect(flags.counts).toEqual({
      missingLabel: 1,
      nullForbidden: 1,
      outOfRange: 1,
      unseenCategory: 1,
      duplicate: 1,
    });
    const outcome = applyPolicies(flags, rowFlagsSpec.parse({ duplicate: { policy: 'keep' } }));
    const rows = flagsToArrow(flags, outcome, views, columns, 'label', true).toArray();
    expect(rows.map((r) => [r.row, r.checks, r.reason])).toEqual([
      [1, 'outOfRange', "row 1, column 'x': 50 > max 10"],
      [2, 'nullForbidden', "row 2, column 'x': null (not nullable)"],
      [3, 'unseenCategory', "row 3, column 'c': 'zz' is not a known category"],
      [4, 'duplicate', 'row 4: duplicate of row 0'],
      [5, 'missingLabel', "row 5, column 'label': null (the label)"],
    ]);
  });

  it('fails under `fail`, drops up to maxFraction under `drop`, and fails past it', () => {
    const flags = flagRows(columnViews(table), columns, 'label');
    const policies = (overrides: object) =>
      rowFlagsSpec.parse({
        missingLabel: { policy: 'drop' },
        nullForbidden: { policy: 'drop', maxFraction: 0.2 },
        outOfRange: { policy: 'drop', maxFraction: 0.2 },
        unseenCategory: { policy: 'keep' },
        ...overrides,
      });
    const dropped = applyPolicies(flags, policies({ missingLabel: { policy: 'drop', maxFraction: 0.2 } }));
    expect(dropped.decisions.every((d) => d.passed)).toBe(true);
    expect(dropped.dropped).toBe(3);
    expect(Array.from(dropped.keep!)).toEqual([1, 0, 0, 1, 1, 0]);

    const tooMany = applyPolicies(flags, policies({ outOfRange: { policy: 'drop', maxFraction: 0.1 } }));
    expect(tooMany.decisions.filter((d) => !d.passed).map((d) => d.check)).toEqual([
      'missingLabel',
      'outOfRange',
    ]);
    const failing = applyPolicies(flags, policies({ duplicate: { policy: 'fail' } }));
    expect(failing.decisions.find((d) => d.check === 'duplicate')!.passed).toBe(false);
  });

  it('finds exact duplicate rows among many, nulls equal to nulls, -0 equal to 0', () => {
    const lines = ['x,c'];
    for (let i = 0; i < 5000; i++) lines.push(`${i % 2500},${i % 3 === 0 ? '' : 'k'}`);
    lines.push('-0,k', '0,k');
    const duplicates = duplicateRows(columnViews(csv(lines.join('\n'))), 5002);
    // The same answer by brute force over the row texts.
    const first = new Map<string, number>();
    const expected = new Map<number, number>();
    lines.slice(1).forEach((line, row) => {
      const key = line.replace(/^-0,/, '0,');
      if (first.has(key)) expected.set(row, first.get(key)!);
      else first.set(key, row);
    });
    expect(expected.size).toBeGreaterThan(800);
    expect(duplicates).toEqual(expected);
    expect([duplicates.get(5000), duplicates.get(5001)]).toEqual([2500, 2500]);
  });

  it('the cleaned table keeps the column types and the kept rows', () => {
    const views = columnViews(table);
    const keep = Uint8Array.from([1, 0, 1, 1, 0, 1]);
    const clean = filterRows(table, views, keep);
    expect(clean.schema.fields.map((f) => String(f.type))).toEqual(
      table.schema.fields.map((f) => String(f.type)),
    );
    expect(clean.toArray().map((r) => [r.x, r.c, r.label])).toEqual([
      [1, 'a', 'p'],
      [null, 'a', 'q'],
      [2, 'zz', 'q'],
      [3, 'b', null],
    ]);
  });
});

describe('profile and drift', () => {
  function data(shift: number, rows = 4000) {
    const lines = ['x,c'];
    for (let i = 0; i < rows; i++)
      lines.push(`${((i * 7919) % 1000) / 10 + shift},${i % 4 === 0 ? 'b' : 'a'}`);
    return columnViews(csv(lines.join('\n')));
  }

  it('round-trips through its Arrow checkpoint', () => {
    const profile = profileColumns(data(0), 10, null);
    const numeric = profile[0];
    expect(numeric.kind === 'numeric' && numeric.edges.length).toBe(9);
    expect(numeric.kind === 'numeric' && numeric.counts.reduce((a, b) => a + b)).toBe(4000);
    expect(profileFromArrow(profileToArrow(profile))).toEqual(profile);
  });

  it('profiles only the kept rows', () => {
    const keep = new Uint8Array(4000).fill(1, 0, 100);
    const [x, c] = profileColumns(data(0), 10, keep);
    expect([x.rows, c.rows]).toEqual([100, 100]);
  });

  it('finds no drift in the same data and a breach in a shifted copy', () => {
    const reference = profileColumns(data(0), 10, null);
    const spec = { psi: 0.2, linf: 0.1 };
    expect(computeDrift(reference, data(0), null, spec).map((d) => [d.feature, d.value, d.breached])).toEqual(
      [
        ['x', 0, false],
        ['c', 0, false],
      ],
    );
    const shifted = computeDrift(reference, data(30), null, spec);
    expect(shifted[0]).toMatchObject({ feature: 'x', metric: 'psi', breached: true });
    expect(shifted[0].value!).toBeGreaterThan(1);
    const lines = ['x,c'];
    for (let i = 0; i < 1000; i++) lines.push(`${i % 100},${i % 2 ? 'b' : 'a'}`);
    const categorical = computeDrift(reference, columnViews(csv(lines.join('\n'))), null, spec)[1];
    expect(categorical).toMatchObject({ metric: 'linf', breached: true });
    expect(categorical.value).toBeCloseTo(0.25, 6);
  });

  it('PSI grows with the shift and counts empty bins as a small share', () => {
    expect(psi([50, 50], [50, 50])).toBe(0);
    expect(psi([50, 50], [60, 40])).toBeCloseTo(0.1 * Math.log(1.2 / 1) * 1 + 0.1 * Math.log(1.25), 1);
    expect(psi([50, 50], [100, 0])).toBeGreaterThan(psi([50, 50], [90, 10]));
    expect(Number.isFinite(psi([100, 0], [0, 100]))).toBe(true);
  });
});

describe('bin counts', () => {
  it('match a plain count against the edges, values on and between edges included', () => {
    const values: number[] = [];
    for (let i = 0; i < 3000; i++) values.push(((i * 37) % 1000) / 7 - 20, i % 50, -1e9, 1e9);
    const view = columnViews(csv(`v\n${values.join('\n')}\n`))[0] as Extract<ColumnView, { kind: 'numeric' }>;
    const edges = [0, 0.5, 3, 3.0000001, 17, 49, 100];
    const expected = new Array(edges.length + 1).fill(0);
    for (const v of values) expected[edges.filter((e) => e <= v).length]++;
    expect(binCounts(view, edges, null)).toEqual(expected);
    expect(binCounts(view, [], null)).toEqual([values.length]);
    expect(binCounts(view, [5], null)).toEqual([
      values.filter((v) => v < 5).length,
      values.filter((v) => v >= 5).length,
    ]);
  });
});

describe('schema store', () => {
  it('pins once (a second pin keeps the first), reads it back, resets it, and refuses odd names', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-schema-'));
    try {
      const first = inferSchema(columnViews(csv('x\n1\n2\n')), 0, origin);
      const second = inferSchema(columnViews(csv('x\n5\n9\n')), 0, origin);
      expect(await readPinnedSchema(home, 't')).toBeNull();
      expect((await pinSchema(home, first)).pinned).toBe(true);
      const again = await pinSchema(home, second);
      expect(again.pinned).toBe(false);
      expect(again.schema.columns.x).toEqual(first.columns.x);
      expect((await readPinnedSchema(home, 't'))?.columns.x).toEqual({
        type: 'number',
        nullable: false,
        min: 1,
        max: 2,
      });
      expect(fs.readdirSync(path.dirname(schemaPath(home, 't')))).toEqual(['t.json']); // no temp files left
      expect(await resetSchema(home, 't')).toBe(true);
      expect(await resetSchema(home, 't')).toBe(false);
      expect(() => schemaPath(home, '../etc/passwd')).toThrow('not a pipeline name');
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('row flag failures name their setting (#13)', () => {
  const decision = (check: FlagDecision['check'], passed: boolean): FlagDecision => ({
    check,
    policy: 'fail',
    flagged: passed ? 0 : 11,
    fraction: passed ? 0 : 11 / 344,
    maxFraction: 0.05,
    passed,
  });

  it('missingLabel, nullForbidden and unseenCategory point to their policy field and the schema override', () => {
    expect(describeDecision(decision('missingLabel', false)).expected).toContain(
      'sanity.flags.missingLabel: { policy: drop, maxFraction: 0.05 }',
    );
    const nulls = describeDecision(decision('nullForbidden', false)).expected;
    expect(nulls).toContain('sanity.schema.columns.<column>.nullable: true');
    expect(nulls).toContain('sanity.flags.nullForbidden: { policy: drop');
    expect(describeDecision(decision('unseenCategory', false)).expected).toContain(
      'sanity.flags.unseenCategory: { policy: drop',
    );
    expect(describeDecision(decision('missingLabel', true)).expected).toBe('none (policy fail)');
  });
});
