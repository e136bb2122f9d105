import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, describe, expect, it } from 'vitest';
import { runStepActivity } from '../../../activities/step';
import { int32, tableFromColumns } from '../../../core/arrow-columns';
import { openStore } from '../../../core/checkpoint/store';
import type { CheckpointRef } from '../../../core/checkpoint/types';
import { loadConfig } from '../../../core/config';
import { loadSpecFile } from '../../../core/spec/load';
import { IRIS_SPEC } from '../../support/pipeline-env';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-write-all-'));
const config = loadConfig({ QUIVER_HOME: home }, {});
const input = {
  run: { runId: 'run-write-all', pipeline: 'iris' },
  spec: loadSpecFile(IRIS_SPEC).spec,
  inputs: {},
};
const column = (n: number) => tableFromColumns({ x: int32(Array.from({ length: n }, (_, i) => i)) });

afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('StepContext.writeAll (a step writing several outputs at once)', () => {
  it('writes every output as a readable checkpoint, listed in the order given', async () => {
    const result = await runStepActivity('sanity', input, config, async (ctx) => {
      const refs = await ctx.writeAll([
        ['report', column(3)],
        ['flags', column(1)],
        ['drift', column(2)],
      ]);
      expect(refs.map((r) => r.rows)).toEqual([3, 1, 2]);
      return { primary: 'report', summary: {} };
    });
    expect(Object.keys(result.outputs)).toEqual(['report', 'flags', 'drift']);
    const store = openStore(config.store);
    for (const [name, rows] of [
      ['report', 3],
      ['flags', 1],
      ['drift', 2],
    ] as const)
      expect((await store.read(result.outputs[name])).numRows, name).toBe(rows);
  });

  it('fails with the first failure once every write ended, keeping the ones written as outputs', async () => {
    const failure = await runStepActivity('sanity', input, config, async (ctx) => {
      const broken = ctx.writeIntermediate.bind(ctx);
      // The second write fails; the first and third still finish and are listed.
      ctx.writeIntermediate = (output, table) =>
        output === 'flags' ? Promise.reject(new Error('disk full')) : broken(output, table);
      await ctx.writeAll([
        ['report', column(3)],
        ['flags', column(1)],
        ['drift', column(2)],
      ]);
      return { primary: 'report', summary: {} };
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).message).toBe('disk full');
    const [details] = (failure as ApplicationFailure).details as [{ outputs: Record<string, CheckpointRef> }];
    expect(Object.keys(details.outputs)).toEqual(['report', 'drift']);
    expect((await openStore(config.store).read(details.outputs.drift)).numRows).toBe(2);
  });
});
