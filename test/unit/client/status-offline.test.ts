import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../../client/api';
import { errorReport, exitCodeOf } from '../../../client/exit-codes';
import { newLocalView } from '../../../client/local-run';
import { RunRecords } from '../../../client/run-records';
import { loadSpecFile } from '../../../core/spec/load';
import { cliOffline } from '../../support/cli-offline';

const IRIS = path.resolve(__dirname, '../../../pipelines/iris.yaml');

describe('status and replay of a durable run with no Temporal server', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-status-offline-'));
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

  it('answers a closed run from the record this machine keeps, saying so; an open one still needs the server', async () => {
    const closed: RunView = {
      ...newLocalView(loadSpecFile(IRIS).spec, 'quiver-iris-20261130-120000-abcd'),
      status: 'COMPLETED',
      closedAt: new Date().toISOString(),
    };
    await RunRecords.at(home).save(closed);
    const status = await cliOffline(home, 'status', closed.runId);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stderr).toContain(`(from the local record of closed run ${closed.runId}: `);
    expect(status.stdout).toContain(`run ${closed.runId}`);
    const json = await cliOffline(home, 'status', closed.runId, '--json');
    expect((JSON.parse(json.stdout) as RunView).status).toBe('COMPLETED');

    const open = { ...closed, runId: 'quiver-iris-20261130-120000-open', status: 'RUNNING', closedAt: null };
    await RunRecords.at(home).save(open as RunView);
    expect((await cliOffline(home, 'status', open.runId)).code).toBe(3);
  });

  it('replay --from with a step that does not exist is bad input naming --from, before any server', async () => {
    const replay = await cliOffline(
      home,
      'replay',
      'quiver-iris-20261130-120000-abcd',
      '--from',
      'nosuch',
      '--json',
    );
    expect(replay.code).toBe(2);
    expect((JSON.parse(replay.stdout) as { error: { field: string } }).error.field).toBe('--from');
  });

  it('a server that stops answering mid-call (gRPC DEADLINE_EXCEEDED) is "cannot reach Temporal", exit 3', () => {
    const deadline = Object.assign(new Error('4 DEADLINE_EXCEEDED: Deadline exceeded'), { code: 4 });
    expect(exitCodeOf(deadline)).toBe(3);
    expect(errorReport(deadline).message).toBe(
      'cannot reach Temporal: 4 DEADLINE_EXCEEDED: Deadline exceeded',
    );
  });
});
