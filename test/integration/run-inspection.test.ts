import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunView } from '../../client/api';
import { compareRuns } from '../../client/run-compare';
import { listRuns, type RunListEntry } from '../../client/run-list';
import { openStore } from '../../core/checkpoint/store';
import { SEARCH_ATTRIBUTES } from '../../core/search-attributes';
import { quiver } from '../support/cli';
import { eventually } from '../support/eventually';
import { IRIS_SPEC, REPO, startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';

/** Search attributes, summaries and current details in Temporal; `runs ls` and `runs compare`. */
describe('run inspection against a real dev server', () => {
  let env: PipelineEnv;
  let cliEnv: NodeJS.ProcessEnv;
  const pipeline = `inspect${process.pid}`;
  // Five epochs train fast but not well: the validation gate is not what these tests look at.
  const common = [`name=${pipeline}`, 'validate.min.accuracy=0'];
  let small: RunView;
  let wide: RunView;
  let failed: RunView;
  // QuiverDatasetSha names the source file's bytes (ingest's datasetSha256), not the checkpoint's.
  const irisSha = createHash('sha256')
    .update(fs.readFileSync(path.join(REPO, 'data', 'iris.csv')))
    .digest('hex');

  async function runToEnd(overrides: string[]): Promise<RunView> {
    const runId = await env.client.start(env.spec(overrides), overrides);
    return env.client.wait(runId);
  }

  beforeAll(async () => {
    env = await startPipelineEnv('inspect');
    cliEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      QUIVER_HOME: env.config.home,
      QUIVER_QUEUE_PREFIX: env.config.taskQueues.cpu.replace(/quiver-cpu$/, ''),
    };
    // The same iris rows plus a constant column: a schema change `runs compare` must report.
    const lines = fs
      .readFileSync(path.join(REPO, 'data', 'iris.csv'), 'utf8')
      .trim()
      .split('\n');
    const widened = path.join(env.config.home, 'iris-wide.csv');
    fs.writeFileSync(widened, lines.map((line, i) => `${line},${i === 0 ? 'batch' : '1'}`).join('\n') + '\n');
    small = await runToEnd([...common, 'train.epochs=5']);
    // The first run pinned the schema; the new column is declared, as a user adding one would.
    wide = await runToEnd([
      ...common,
      'train.epochs=8',
      `source.uri=${widened}`,
      'sanity.schema.columns.batch={type: number}',
    ]);
    failed = await runToEnd([...common, 'sanity.minRows=1000']);
  });
  afterAll(async () => {
    await env.close();
  });

  it('sets search attributes that follow the run: pipeline, status, current step, dataset, model', async () => {
    expect([small.status, wide.status, failed.status]).toEqual(['COMPLETED', 'COMPLETED', 'FAILED']);
    const attributes = (await env.client.temporal.workflow.getHandle(small.runId).describe())
      .typedSearchAttributes;
    expect(attributes.get(SEARCH_ATTRIBUTES.pipeline)).toBe(pipeline);
    expect(attributes.get(SEARCH_ATTRIBUTES.status)).toBe('COMPLETED');
    expect(attributes.get(SEARCH_ATTRIBUTES.step)).toBe('deploy');
    expect(small.steps[0].summary.datasetSha256).toBe(irisSha);
    expect(attributes.get(SEARCH_ATTRIBUTES.datasetSha)).toBe(irisSha);
    expect(attributes.get(SEARCH_ATTRIBUTES.modelVersion)).toBe(small.model!.version);
    // A run that failed in sanity shows where it stopped.
    const stopped = (await env.client.temporal.workflow.getHandle(failed.runId).describe())
      .typedSearchAttributes;
    expect(stopped.get(SEARCH_ATTRIBUTES.status)).toBe('FAILED');
    expect(stopped.get(SEARCH_ATTRIBUTES.step)).toBe('sanity');
    expect(stopped.get(SEARCH_ATTRIBUTES.modelVersion)).toBeUndefined();
  });

  it('gives each run a static summary and details, each activity a summary, and current details', async () => {
    const handle = env.client.temporal.workflow.getHandle(small.runId);
    const description = await handle.describe();
    expect(await description.staticSummary()).toBe(
      `${pipeline}: iris.csv → species · ${common.join(' ')} train.epochs=5`,
    );
    const details = await description.staticDetails();
    expect(details).toContain(`pipeline: ${pipeline}`);
    expect(details).toContain(`source: ${path.join(REPO, 'data', 'iris.csv')}`);
    expect(details).toContain('overrides: name=');

    const history = await handle.fetchHistory();
    const summaries = (history.events ?? [])
      .filter((event) => event.activityTaskScheduledEventAttributes)
      .map((event) => defaultPayloadConverter.fromPayload<string>(event.userMetadata!.summary!));
    expect(summaries).toEqual([
      'ingest · iris.csv',
      'sanity · min 100 rows',
      'features · split only',
      'train · 5 epochs · hidden 16-16',
      'validate · accuracy',
      // The deploy step registers the version; the workflow then moves the alias as a local activity.
      'deploy · alias production',
    ]);

    // QuiverStep is debounced (quiver-brisk-run): one visibility write each time the step timer fires
    // (a step running for 2 s), plus the TemporalChangeVersion of the run's one patch marker and the
    // closing status, with the dataset, the model and the last step riding along.
    const events = history.events ?? [];
    const upserted = events
      .map((event) => event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields)
      .filter((fields) => fields)
      .map((fields) => Object.keys(fields!).sort());
    const timersFired = events.filter((event) => event.timerFiredEventAttributes).length;
    expect(events.filter((event) => event.timerStartedEventAttributes).length).toBeGreaterThanOrEqual(1);
    expect(upserted).toHaveLength(2 + timersFired);
    expect(upserted[0]).toEqual(['TemporalChangeVersion']);
    expect(upserted.at(-1)).toEqual(expect.arrayContaining(['QuiverModelVersion', 'QuiverStatus']));
    expect(new Set(upserted.flat())).toEqual(
      new Set([
        'TemporalChangeVersion',
        'QuiverDatasetSha',
        'QuiverStep',
        'QuiverModelVersion',
        'QuiverStatus',
      ]),
    );

    const metadata = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails.split('\n').slice(0, 3)).toEqual([
      `**${pipeline}** · COMPLETED`,
      '',
      expect.stringMatching(/^- ✓ ingest · completed · \d+ ms$/),
    ]);
    expect(metadata.currentDetails).toContain(`model ${pipeline} v${small.model!.version} → production`);
  });

  it('QuiverStep names a step that has run 2 s: a long training is found by QuiverStep = "train" while it runs', async () => {
    // A pipeline of its own: the runs ls test below counts this file's three runs.
    const runId = await env.client.start(env.spec([`name=${pipeline}live`, 'train.epochs=10000']));
    const handle = env.client.temporal.workflow.getHandle(runId);
    try {
      const query = `WorkflowId = "${runId}" AND QuiverStep = "train" AND QuiverStatus = "RUNNING"`;
      const found = await eventually(async () => {
        for await (const info of env.client.temporal.workflow.list({ query })) return info;
        return undefined;
      }, 'the running training listed by QuiverStep = "train"');
      expect(found.typedSearchAttributes.get(SEARCH_ATTRIBUTES.step)).toBe('train');
      // Each visibility write past the patch's is a fired step timer, never one per step started.
      const events = (await handle.fetchHistory()).events ?? [];
      const upserts = events
        .map((event) => event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields)
        .filter((fields) => fields)
        .map((fields) => Object.keys(fields!).sort().join(','));
      const timersFired = events.filter((event) => event.timerFiredEventAttributes).length;
      expect(upserts[0]).toBe('TemporalChangeVersion');
      expect(upserts[1]).toBe('QuiverDatasetSha,QuiverStep');
      expect(upserts).toHaveLength(1 + timersFired);
    } finally {
      await handle.terminate('test done');
    }
  });

  it('runs ls filters by pipeline and status on the visibility store, newest first', async () => {
    const all = await eventually(async () => {
      const runs = await listRuns(env.client.temporal, { pipeline });
      return runs.length === 3 && runs.every((r) => r.closedAt) ? runs : undefined;
    }, 'three closed runs in visibility');
    expect(all.map((r) => r.runId)).toEqual([failed.runId, wide.runId, small.runId]);
    expect(all[0]).toMatchObject({ status: 'FAILED', step: 'sanity', modelVersion: null, schedule: null });
    expect(all[2]).toMatchObject({
      status: 'COMPLETED',
      step: 'deploy',
      datasetSha: irisSha,
      modelVersion: small.model!.version,
    });
    expect((await listRuns(env.client.temporal, { pipeline, status: 'failed' })).map((r) => r.runId)).toEqual(
      [failed.runId],
    );
    expect((await listRuns(env.client.temporal, { pipeline, limit: 1 })).map((r) => r.runId)).toEqual([
      failed.runId,
    ]);
    // The CLI's read path (TemporalReader: HTTP/2 and a slice of the schema) lists exactly what the SDK does.
    expect(await env.client.list({ pipeline })).toEqual(all);

    const cli = await quiver(
      ['runs', 'ls', '--pipeline', pipeline, '--status', 'COMPLETED', '--json'],
      cliEnv,
    );
    expect(cli.code, cli.stderr).toBe(0);
    expect((JSON.parse(cli.stdout) as RunListEntry[]).map((r) => r.runId)).toEqual([wide.runId, small.runId]);
    const bad = await quiver(['runs', 'ls', '--status', 'DONE', '--json'], cliEnv);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toEqual({
      error: {
        type: 'UsageError',
        message:
          "option '--status <status>' argument 'DONE' is invalid. Expected one of RUNNING, PAUSED, WAITING_APPROVAL, COMPLETED, FAILED, CANCELED, TERMINATED, TIMED_OUT.",
        field: '--status',
      },
    });
  });

  it('runs compare shows differing params, metrics, durations and what changed in each checkpoint', async () => {
    const comparison = await compareRuns([small, wide], openStore(env.config.store));
    expect(comparison.params.map((p) => p.path)).toEqual([
      'sanity.schema.columns.batch.type',
      'source.uri',
      'train.epochs',
    ]);
    expect(comparison.params[2].values).toEqual([5, 8]);
    expect(comparison.metrics.find((m) => m.name === 'train.epochs')?.values).toEqual([5, 8]);
    expect(comparison.metrics.find((m) => m.name === 'ingest.columns')?.values).toEqual([5, 6]);
    expect(comparison.durations.map((d) => d.step)).toEqual([
      'ingest',
      'sanity',
      'features',
      'train',
      'validate',
      'deploy',
    ]);
    for (const d of comparison.durations) expect(d.values.every((v) => typeof v === 'number')).toBe(true);

    const data = comparison.checkpoints.find((c) => c.step === 'ingest' && c.output === 'data')!;
    expect(data.identical).toBe(false);
    expect(data.rows).toEqual([150, 150]);
    expect(data.schema.added).toEqual([[], ['batch']]);
    expect(data.columns.map((c) => c.column)).toEqual(['batch']);
    expect(data.columns[0].summaries[0]).toBeNull();
    expect(data.columns[0].summaries[1]).toMatchObject({ nulls: 0, min: 1, max: 1, mean: 1 });
    const history = comparison.checkpoints.find((c) => c.step === 'train' && c.output === 'history')!;
    expect(history.rows).toEqual([5, 8]);
    expect(history.columns.map((c) => c.column)).toContain('loss');

    // The same run against itself: every checkpoint identical, no params differ.
    const self = await compareRuns([small, small], openStore(env.config.store));
    expect(self.params).toEqual([]);
    expect(self.checkpoints.every((c) => c.identical)).toBe(true);
    expect(data.sameStatistics).toBe(false);
    // Same data, another run: the files differ (lineage), their contents' statistics do not.
    const rerun = await compareRuns([small, failed], openStore(env.config.store));
    const rerunData = rerun.checkpoints.find((c) => c.step === 'ingest' && c.output === 'data')!;
    expect(rerunData).toMatchObject({ identical: false, sameStatistics: true, columns: [] });

    const cli = await quiver(['runs', 'compare', small.runId, wide.runId], cliEnv);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/train\.epochs +5 +8/);
    expect(cli.stdout).toContain('ingest.data: differs');
    expect(cli.stdout).toContain(`${wide.runId} adds columns: batch`);
  });

  it('run --wait prints plain progress lines when not attached to a terminal', async () => {
    const result = await quiver(
      [
        'run',
        IRIS_SPEC,
        '--set',
        `name=${pipeline}-plain`,
        '--set',
        'train.epochs=5',
        '--set',
        'validate.min.accuracy=0',
        '--wait',
      ],
      cliEnv,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('\u001b['); // no cursor movement or colours in a pipe
    const lines = result.stderr.split('\n');
    for (const step of ['ingest', 'sanity', 'features', 'train', 'validate', 'deploy'])
      expect(lines.filter((l) => new RegExp(`^  ✓ ${step} +\\d`).test(l))).toHaveLength(1);
    expect(result.stdout).toContain('status COMPLETED');
  });
});
