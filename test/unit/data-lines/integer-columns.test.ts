import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { runDataChecks } from '../../../activities/data-checks';
import { openStore } from '../../../core/checkpoint/store';
import type { Lineage } from '../../../core/checkpoint/types';
import { parseCsv } from '../../../core/csv';
import { validateSpec } from '../../../core/spec/load';
import { reportToArrow } from '../../../core/validation/report-table';
import type { ValidationReport } from '../../../core/validation/gate';

const root = mkdtempSync(path.join(os.tmpdir(), 'quiver-int-columns-'));
const store = openStore(pathToFileURL(root).href);
afterAll(() => fs.rm(root, { recursive: true, force: true }));

const lineage = (output: string): Lineage => ({
  pipeline: 't',
  runId: 'r',
  step: 'sanity',
  output,
  stepCodeVersion: 'v',
  paramsHash: 'f'.repeat(64),
  inputs: [],
  createdAt: '2024-05-01T12:00:00.000Z',
});

/** The checkpoint as any Arrow reader sees it: the stored file's bytes, read by apache-arrow. */
async function stored(table: arrow.Table, output: string): Promise<arrow.Table> {
  const ref = await store.write(table, lineage(output));
  return arrow.tableFromIPC(await fs.readFile(store.path(ref)));
}
const typeOf = (table: arrow.Table, name: string) => table.schema.fields.find((f) => f.name === name)!.type;
/** `Int32`, `Float64`…: the type as the file declares it (type id and bit width, not a JS class). */
const declared = (table: arrow.Table, name: string) => String(typeOf(table, name));
const isInt32 = (table: arrow.Table, name: string) => {
  const type = typeOf(table, name) as arrow.Int;
  return [name, type.typeId, type.bitWidth] as const;
};

describe('checkpoints write counts, versions and row indices as integers', () => {
  const table = parseCsv('x,c,label\n1,a,p\n50,a,p\n,b,q\n2,zz,q\n1,a,p\n');
  const outcome = runDataChecks({
    table,
    spec: validateSpec({
      name: 't',
      source: { uri: 'x.csv' },
      target: { column: 'label' },
      sanity: { minRows: 1 },
    }),
    pinned: null,
    reference: { skipped: 'none' },
    origin: { runId: 'r', dataSha256: 'x', rows: 0 },
  });

  it('profile: bucket, count, rows and nulls are Int32; edges and moments Float64', async () => {
    const profile = await stored(outcome.profile, 'profile');
    for (const name of ['bucket', 'count', 'rows', 'nulls'])
      expect(isInt32(profile, name)).toEqual([name, arrow.Type.Int, 32]);
    for (const name of ['lower', 'upper', 'min', 'max', 'mean'])
      expect([name, declared(profile, name)]).toEqual([name, 'Float64']);
    const x = profile.toArray().find((r: { feature: string }) => r.feature === 'x') as {
      rows: number;
      nulls: number;
    };
    expect([x.rows, x.nulls]).toEqual([5, 1]);
  });

  it('flags: row and line are Int32', async () => {
    const flags = await stored(outcome.flags, 'flags');
    expect(flags.numRows).toBeGreaterThan(0);
    expect(isInt32(flags, 'row')).toEqual(['row', arrow.Type.Int, 32]);
    expect(isInt32(flags, 'line')).toEqual(['line', arrow.Type.Int, 32]);
  });

  it('validation report: version and rows are Int32', async () => {
    const report = {
      candidate: { role: 'candidate', version: 3, rows: 30, overall: { accuracy: 0.9 }, slices: [] },
      champion: null,
    } as unknown as ValidationReport;
    const table = await stored(reportToArrow(report), 'report');
    expect(isInt32(table, 'version')).toEqual(['version', arrow.Type.Int, 32]);
    expect(isInt32(table, 'rows')).toEqual(['rows', arrow.Type.Int, 32]);
    expect(declared(table, 'value')).toBe('Float64');
  });
});
