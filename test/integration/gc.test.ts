import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { QuiverClient, type RunView } from '../../client/api';
import { checkpointGc, type GcReport } from '../../client/checkpoint-gc';
import { collectCheckpointReferences, OpenRunUnreadableError } from '../../client/checkpoint-references';
import { collectGarbage } from '../../core/checkpoint/gc';
import { openStore, type CheckpointStore } from '../../core/checkpoint/store';
import type { CheckpointRef } from '../../core/checkpoint/types';
import { ModelRegistry } from '../../core/registry';
import { connectTemporal, ensureNamespace, ensureSearchAttributes } from '../../infra/temporal-setup';
import { quiver } from '../support/cli';
import { pollUntil } from '../support/durability';
import { eventually } from '../support/eventually';
import { startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';

/*
 * gc reads every run in its namespace and refuses while an open run cannot be asked, so this suite
 * gets a namespace of its own: runs other suites leave open (their workers gone) must not stop it.
 */
const NAMESPACE = `quiver-gc-${process.pid}`;
const HOUR = 3_600_000;

let env: PipelineEnv;
let store: CheckpointStore;
let cliEnv: NodeJS.ProcessEnv;
let run: RunView;
let registryOnly: CheckpointRef;
const savedNamespace = process.env.TEMPORAL_NAMESPACE;

const refsOf = (view: RunView) => view.steps.flatMap((s) => Object.values(s.outputs));
const fileOf = (ref: CheckpointRef) => store.path(ref);

function orphanTable(seed: number) {
  return new arrow.Table({ x: arrow.vectorFromArray([seed, seed * 2], new arrow.Float64()) });
}

/** A checkpoint nothing refers to, with lineage of a run that never existed. */
function writeOrphan(seed: number): Promise<CheckpointRef> {
  return store.write(orphanTable(seed), {
    pipeline: 'ghost',
    runId: `ghost-${seed}-${randomUUID()}`,
    step: 'ingest',
    output: 'data',
    stepCodeVersion: 'none',
    paramsHash: '0'.repeat(64),
    inputs: [],
    createdAt: new Date().toISOString(),
  });
}

/** Backdates every file under the store, so only references (not age) keep anything. */
function ageStore(ms: number): void {
  const when = new Date(Date.now() - ms);
  for (const entry of fs.readdirSync(store.root, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) fs.utimesSync(path.join(entry.parentPath, entry.name), when, when);
}

/** Visibility is eventually consistent: wait until the listing shows the run closed. */
async function listedClosed(runId: string): Promise<void> {
  await eventually(async () => {
    for await (const info of env.client.temporal.workflow.list({ query: `WorkflowId = '${runId}'` }))
      if (info.status.name !== 'RUNNING') return true;
    return undefined;
  }, `run ${runId} to show up closed in the listing`);
}

async function gcCli(args: string[]): Promise<GcReport> {
  const result = await quiver(['checkpoints', 'gc', ...args, '--json'], cliEnv);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as GcReport;
}

beforeAll(async () => {
  const connection = await connectTemporal(inject('temporalAddress'));
  try {
    await ensureNamespace(connection, NAMESPACE);
    await ensureSearchAttributes(connection, NAMESPACE, 30_000);
  } finally {
    await connection.close();
  }
  process.env.TEMPORAL_NAMESPACE = NAMESPACE;
  env = await startPipelineEnv('gc');
  store = openStore(env.config.store);
  const { QUIVER_STORE: _store, ...inherited } = process.env;
  cliEnv = {
    ...inherited,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: NAMESPACE,
    QUIVER_HOME: env.config.home,
    QUIVER_QUEUE_PREFIX: `gc-cli-${process.pid}-`,
  };
  // No intermediate epoch checkpoint (a slow machine trains past checkpointEvery): the kept set is exactly the run's.
  run = await env.client.wait(
    await env.client.start(env.spec(['train.epochs=30', 'train.checkpointEvery=1h'])),
  );
  expect(run.status, run.error ?? '').toBe('COMPLETED');
  await listedClosed(run.runId);
  // A model version whose checkpoint no run lists: only the registry keeps it.
  registryOnly = await writeOrphan(1);
  await ModelRegistry.at(env.config.home).register({
    name: 'gc-registry-only',
    model: registryOnly,
    metrics: {},
    runId: 'a-run-long-gone',
    pipeline: 'gc',
  });
});

afterAll(async () => {
  await env?.close();
  if (savedNamespace === undefined) delete process.env.TEMPORAL_NAMESPACE;
  else process.env.TEMPORAL_NAMESPACE = savedNamespace;
});

describe('quiver checkpoints gc', () => {
  it("collects every run's checkpoints and every registered model version as references", async () => {
    const refs = await collectCheckpointReferences(env.client, ModelRegistry.at(env.config.home));
    expect(refs.runs).toEqual({ open: 0, closed: 1 });
    expect(refs.modelVersions).toBe(2); // iris from the run + the registry-only one
    const expected = [...refsOf(run), registryOnly].map((r) => r.sha256);
    expect([...refs.keep].sort()).toEqual([...new Set(expected)].sort());
  });

  it('removes an aged orphan and a crashed write, keeps what runs and models need; --dry-run removes nothing', async () => {
    const orphan = await writeOrphan(2);
    const temp = path.join(store.root, `.tmp-99999-${randomUUID()}.arrow`);
    fs.writeFileSync(temp, 'half-written');
    const foreign = path.join(store.root, 'README.txt');
    fs.writeFileSync(foreign, 'not a checkpoint');
    ageStore(2 * HOUR);

    const dry = await gcCli(['--older-than', '0s', '--dry-run']);
    expect(dry.dryRun).toBe(true);
    expect(dry.removed.map((f) => f.sha256 ?? path.basename(f.path)).sort()).toEqual(
      [orphan.sha256, path.basename(temp)].sort(),
    );
    expect(fs.existsSync(fileOf(orphan))).toBe(true);
    expect(fs.existsSync(temp)).toBe(true);

    const human = await quiver(['checkpoints', 'gc', '--older-than', '0s', '--dry-run'], cliEnv);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(orphan.sha256.slice(0, 16));
    expect(human.stdout).toMatch(/would remove 2 files .*dry run, nothing deleted/);

    const done = await gcCli(['--older-than', '0s']);
    expect(done.removed.map((f) => f.path).sort()).toEqual([fileOf(orphan), temp].sort());
    expect(done.bytesFreed).toBe(orphan.bytes + 'half-written'.length);
    expect(done.references).toMatchObject({ runs: { open: 0, closed: 1 }, modelVersions: 2 });
    expect(done.keptReferenced).toBe(new Set([...refsOf(run), registryOnly].map((r) => r.sha256)).size);
    expect(fs.existsSync(fileOf(orphan))).toBe(false);
    expect(fs.existsSync(temp)).toBe(false);
    expect(fs.readFileSync(foreign, 'utf8')).toBe('not a checkpoint');
    for (const ref of [...refsOf(run), registryOnly]) await store.verify(ref);
    // The run can still be resumed with everything reused.
    const plan = await env.client.plan(run.runId);
    expect(plan.steps.map((s) => `${s.name}:${s.action}`)).toEqual([
      'ingest:reuse',
      'sanity:reuse',
      'features:reuse',
      'train:reuse',
      'validate:reuse',
      'deploy:reuse',
    ]);
  });

  it('keeps a fresh orphan by default (--older-than 1h), and takes it once it is old enough', async () => {
    const fresh = await writeOrphan(3);
    const report = await gcCli([]);
    expect(report.olderThanMs).toBe(HOUR);
    expect(report.removed).toEqual([]);
    expect(report.keptRecent).toBe(1);
    expect(fs.existsSync(fileOf(fresh))).toBe(true);

    // The library call with a clock two hours ahead sees it as old.
    const { keep } = await collectCheckpointReferences(env.client, ModelRegistry.at(env.config.home));
    const later = await collectGarbage(store, keep, { now: Date.now() + 2 * HOUR, dryRun: true });
    expect(later.removed.map((f) => f.sha256)).toEqual([fresh.sha256]);
    const now = await checkpointGc(env.client, env.config, { olderThan: '0s' });
    expect(now.removed.map((f) => f.sha256)).toEqual([fresh.sha256]);
  });

  it('keeps the checkpoints of a terminated run (no memo) from its history', async () => {
    const runId = await env.client.start(env.spec(['train.epochs=500', 'train.heartbeatTimeout=5s']));
    const view = await pollUntil(
      'training to start',
      () => env.client.status(runId),
      (v) => v.steps[3].status === 'running',
      15_000,
      50,
    );
    await env.client.temporal.workflow.getHandle(runId).terminate('gc test');
    await listedClosed(runId);
    const written = refsOf(view);
    expect(written.length).toBeGreaterThanOrEqual(2); // ingest data, sanity report
    ageStore(2 * HOUR);

    const report = await checkpointGc(env.client, env.config, { olderThan: '0s' });
    expect(report.references.runs.closed).toBe(2);
    expect(report.removed.map((f) => f.sha256)).not.toEqual(
      expect.arrayContaining(written.map((r) => r.sha256)),
    );
    for (const ref of written) await store.verify(ref);
  });

  it('refuses, removing nothing, while an open run cannot be asked for its checkpoints', async () => {
    // A run on task queues no worker polls: it stays open and cannot answer its progress query.
    const stranded = await QuiverClient.connect({
      address: env.address,
      namespace: NAMESPACE,
      uiUrl: 'http://localhost',
      taskQueues: { cpu: `nobody-${process.pid}-cpu`, gpu: `nobody-${process.pid}-gpu` },
      store: env.config.store,
    });
    const runId = await stranded.start(env.spec());
    try {
      const orphan = await writeOrphan(4);
      ageStore(2 * HOUR);
      await expect(
        checkpointGc(env.client, env.config, { olderThan: '0s', queryTimeoutMs: 1000 }),
      ).rejects.toThrow(OpenRunUnreadableError);
      // Refused after 1 s of an unanswered query, not the default 10 s: the outcome is the same.
      const cli = await quiver(['checkpoints', 'gc', '--older-than', '0s'], {
        ...cliEnv,
        QUIVER_GC_QUERY_TIMEOUT_MS: '1000',
      });
      expect(cli.code).toBe(1);
      expect(cli.stderr).toContain(`cannot list the checkpoints of open run ${runId}`);
      expect(cli.stderr).toContain('nothing was removed');
      expect(fs.existsSync(fileOf(orphan))).toBe(true);
    } finally {
      await stranded.temporal.workflow.getHandle(runId).terminate('gc test');
      await stranded.close();
    }
  });
});
