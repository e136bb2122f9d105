import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunView } from '../../../client/api';
import { isLocalRunId, newLocalRunId, RunRecords } from '../../../client/run-records';

const view = (runId: string, startedAt: string) => ({ runId, startedAt }) as unknown as RunView;

describe('run records', () => {
  it('marks in-process runs by their id', () => {
    const id = newLocalRunId('iris', new Date('2026-11-30T13:05:01Z'));
    expect(id).toMatch(/^local-iris-20261130-130501-[a-z0-9]+$/);
    expect(isLocalRunId(id)).toBe(true);
    expect(isLocalRunId('quiver-iris-20261130-130501-abcd')).toBe(false);
  });

  it('saves, loads and lists runs newest first, and knows none it was not given', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-records-'));
    try {
      const records = RunRecords.at(home);
      await records.save(view('local-a', '2026-11-30T10:00:00Z'));
      await records.save(view('quiver-iris-nightly-2026-11-30T03:00:00Z', '2026-11-30T11:00:00Z'));
      expect(await records.load('local-a')).toMatchObject({ runId: 'local-a' });
      expect(await records.load('local-b')).toBeNull();
      expect((await records.list()).map((v) => v.runId)).toEqual([
        'quiver-iris-nightly-2026-11-30T03:00:00Z',
        'local-a',
      ]);
      await expect(records.load('../etc/passwd')).rejects.toThrow('not a run id');
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
