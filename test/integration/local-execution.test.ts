import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunView } from '../../client/api';
import { formatRun } from '../../client/format';
import { progressFromHistory } from '../../client/history-progress';
import { LOCAL_TRAINING_NOTE } from '../../client/live-training';
import { TemporalReader } from '../../client/temporal-read';
import { payloadDecoder } from '../../client/payloads';
import { openStore } from '../../core/checkpoint/store';
import { SpecError } from '../../core/errors';
import { ModelRegistry } from '../../core/registry';
import { STEP_NAMES } from '../../core/run-types';
import { SEARCH_ATTRIBUTES } from '../../core/search-attributes';
import { quiver } from '../support/cli';
import { eventually } from '../support/eventually';
import { startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';

let env: PipelineEnv;
let run: RunView;
const registry = () => ModelRegistry.at(env.config.home);
/** Whether the run's first (and, for a short local run, only) workflow task has started. */
async function started(runId: string): Promise<boolean> {
  const events = (await env.client.temporal.workflow.getHandle(runId).fetchHistory()).events ?? [];
  return events.some((e) => e.workflowTaskStartedEventAttributes);
}

beforeAll(async () => {
  env = await startPipelineEnv('local-exec');
  run = await env.client.wait(
    await env.client.start(env.spec(['execution=local', 'train.epochs=5', 'validate.min.accuracy=0.5'])),
  );
});
afterAll(async () => {
  await env?.close();
});

/**
 * `execution: local`: every step runs as a local activity on the workflow's worker. What a user reads
 * of the run (status, steps, checkpoints with lineage, the deployed model, a resume plan) is the same
 * as for a run of activities; only the history differs (markers, no activity tasks).
 */
describe('execution: local', () => {
  it('runs the pipeline end to end: every step completed once, with its checkpoint and lineage', async () => {
    expect(run.status, run.error ?? '').toBe('COMPLETED');
    expect(run.steps.map((s) => [s.name, s.status, s.attempts])).toEqual(
      STEP_NAMES.map((name) => [name, 'completed', 1]),
    );
    const store = openStore(env.config.store, { home: env.config.home });
    for (const step of run.steps) {
      expect(step.checkpoint?.sha256, step.name).toMatch(/^[0-9a-f]{64}$/);
      expect(step.cacheKey, step.name).toBeTruthy();
      const lineage = await store.readLineage(step.checkpoint!);
      expect(lineage).toMatchObject({ runId: run.runId, step: step.name });
    }
    expect(run.model).toMatchObject({ name: run.pipeline, alias: 'production', moved: true });
    expect(run.model?.aliasVersion).toBe(run.model?.version);
  });

  it('records the steps as local-activity markers: no activity task, one workflow task per step', async () => {
    const history = await env.client.temporal.workflow.getHandle(run.runId).fetchHistory();
    const events = history.events ?? [];
    expect(events.filter((e) => e.activityTaskScheduledEventAttributes)).toHaveLength(0);
    // Six steps, each a local activity marker: the deploy moved the alias itself (same workflow task).
    const localMarkers = events.filter(
      (e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity',
    );
    expect(localMarkers).toHaveLength(STEP_NAMES.length);
    expect(events.filter((e) => e.workflowTaskCompletedEventAttributes).length).toBeLessThanOrEqual(
      STEP_NAMES.length + 1,
    );
  });

  it('shows the last step in QuiverStep through the closing upsert, with no upsert per step', async () => {
    const handle = env.client.temporal.workflow.getHandle(run.runId);
    const attributes = (await handle.describe()).typedSearchAttributes;
    expect(attributes.get(SEARCH_ATTRIBUTES.step)).toBe('deploy');
    expect(attributes.get(SEARCH_ATTRIBUTES.status)).toBe('COMPLETED');
    expect(attributes.get(SEARCH_ATTRIBUTES.datasetSha)).toBe(run.steps[0].summary.datasetSha256);
    const events = (await handle.fetchHistory()).events ?? [];
    // The patch's TemporalChangeVersion, then one closing upsert: the steps share one workflow task.
    expect(events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes)).toHaveLength(2);
  });

  it('rebuilds the same steps from the history alone (the markers), as status does for a run without memo', async () => {
    const history = await env.client.temporal.workflow.getHandle(run.runId).fetchHistory();
    const rebuilt = await progressFromHistory(
      run.runId,
      history,
      payloadDecoder(env.client.temporal),
      'COMPLETED',
    );
    const shape = (steps: RunView['steps']) =>
      steps.map((s) => [s.name, s.status, s.attempts, s.checkpoint?.sha256, s.cacheKey]);
    expect(shape(rebuilt.steps)).toEqual(shape(run.steps));
  });

  it('rebuilds an open local run with the step after the last recorded one running (its marker comes at its end)', async () => {
    const runId = await env.client.start(
      env.spec(['execution=local', 'train.epochs=5000', 'name=local-open']),
    );
    try {
      // The workflow task heartbeats while train runs: the markers of the steps before it are recorded.
      const history = await eventually(async () => {
        const h = await env.client.temporal.workflow.getHandle(runId).fetchHistory();
        const markers = (h.events ?? []).filter((e) => e.markerRecordedEventAttributes).length;
        return markers >= 3 ? h : undefined;
      }, 'the markers of ingest, sanity and features');
      const rebuilt = await progressFromHistory(
        runId,
        history,
        payloadDecoder(env.client.temporal),
        'RUNNING',
      );
      expect(rebuilt.steps.map((s) => [s.name, s.status])).toEqual([
        ['ingest', 'completed'],
        ['sanity', 'completed'],
        ['features', 'completed'],
        ['train', 'running'],
        ['validate', 'pending'],
        ['deploy', 'pending'],
      ]);
    } finally {
      await env.client.temporal.workflow.getHandle(runId).terminate('test done');
    }
  });

  it('status of an open local run answers from its history, not a query its busy workflow task would hold', async () => {
    const runId = await env.client.start(
      env.spec(['execution=local', 'train.epochs=5000', 'name=local-status']),
    );
    try {
      await eventually(async () => {
        const h = await env.client.temporal.workflow.getHandle(runId).fetchHistory();
        const markers = (h.events ?? []).filter((e) => e.markerRecordedEventAttributes).length;
        return markers >= 3 ? true : undefined;
      }, 'the markers of ingest, sanity and features');
      // The query would wait for the task's next report (~8 s) or its end: status must not ask it.
      const query = vi.spyOn(TemporalReader.prototype, 'query');
      let view: RunView;
      try {
        view = await env.client.status(runId);
        expect(query).not.toHaveBeenCalled();
      } finally {
        query.mockRestore();
      }
      expect(view.status).toBe('RUNNING');
      expect(view.progressFrom).toBe('history');
      expect(view.steps.map((s) => [s.name, s.status, s.attempts])).toEqual([
        ['ingest', 'completed', 1],
        ['sanity', 'completed', 1],
        ['features', 'completed', 1],
        ['train', 'running', 0],
        ['validate', 'pending', 0],
        ['deploy', 'pending', 0],
      ]);
      // No heartbeat in a local run, so no live epochs: said so, never an epoch made up.
      const train = view.steps[3];
      expect(train.note).toBe(LOCAL_TRAINING_NOTE);
      expect(train.live).toBeUndefined();
      expect(formatRun(view)).toMatch(/^train +running +0 .*a local run reports no live epochs/m);

      // The CLI says the same, as JSON and as the table.
      const cliEnv = {
        ...process.env,
        TEMPORAL_ADDRESS: env.address,
        QUIVER_HOME: env.config.home,
        QUIVER_QUEUE_PREFIX: env.config.taskQueues.cpu.replace(/quiver-cpu$/, ''),
      };
      const json = await quiver(['--json', 'status', runId], cliEnv);
      expect(json.code, json.stderr).toBe(0);
      const shown = JSON.parse(json.stdout) as RunView;
      expect(shown.progressFrom).toBe('history');
      expect(shown.steps.slice(0, 3).map((s) => s.status)).toEqual(['completed', 'completed', 'completed']);
      expect(shown.steps[3]).toMatchObject({ name: 'train', status: 'running', note: LOCAL_TRAINING_NOTE });
      expect(shown.steps[3]).not.toHaveProperty('live');
      const text = await quiver(['status', runId], cliEnv);
      expect(text.stdout).toMatch(/^train +running +0 .*a local run reports no live epochs/m);
    } finally {
      await env.client.temporal.workflow.getHandle(runId).terminate('test done');
    }
  });

  it('plans a resume that reuses every step by cache key', async () => {
    const plan = await env.client.plan(run.runId);
    expect(plan.steps.map((s) => [s.name, s.action])).toEqual(STEP_NAMES.map((name) => [name, 'reuse']));
    const checkpoints = await env.client.status(run.runId);
    expect(checkpoints.steps.map((s) => s.checkpoint)).toEqual(run.steps.map((s) => s.checkpoint));
  });

  it('fails the run on a non-retryable step error, as a run of activities does (no retries, no pause)', async () => {
    const failed = await env.client.wait(
      await env.client.start(env.spec(['execution=local', 'train.epochs=1', 'validate.min.accuracy=0.999'])),
    );
    expect(failed.status).toBe('FAILED');
    const validate = failed.steps.find((s) => s.name === 'validate')!;
    expect(validate).toMatchObject({ status: 'failed', attempts: 1 });
    expect(validate.error).toMatch(/^step validate failed: ValidationGateError: validation gate failed/);
    expect(failed.steps.find((s) => s.name === 'train')!.status).toBe('completed');
  });

  it('a cancelled run reads its step cancelled from the moment it stops, never failed while the run closes', async () => {
    const runId = await env.client.start(
      env.spec(['execution=local', 'train.epochs=5000', 'name=local-cancel']),
    );
    const trainOf = (view: RunView) => view.steps.find((s) => s.name === 'train')!;
    await eventually(
      async () => ((await env.client.status(runId)).steps[2].status === 'completed' ? true : undefined),
      'the local run to reach train',
    );
    await env.client.cancel(runId);
    // Every status read until the run closes: the train step is pending, running or cancelled, never failed.
    const seen = new Set<string>();
    const closed = await eventually(async () => {
      const view = await env.client.status(runId);
      seen.add(trainOf(view).status);
      return view.status === 'RUNNING' ? undefined : view;
    }, 'the cancelled local run to close');
    expect(closed.status).toBe('CANCELED');
    expect(trainOf(closed).status).toBe('cancelled');
    // Its one attempt ran (a local activity never heartbeats one), and the table says cancelled, not failed.
    expect(trainOf(closed).attempts).toBe(1);
    const trainRow = formatRun(closed)
      .split('\n')
      .find((line) => line.startsWith('train '));
    expect(trainRow).toMatch(/cancelled +1 /);
    expect(trainRow).not.toContain('failed');
    expect([...seen]).not.toContain('failed');
  });

  it('a retried local step reads running while the retry runs and is cancelled, never failed', async () => {
    // Train times out after its one attempt: the run pauses on it; `quiver retry` runs it again.
    const runId = await env.client.start(
      env.spec([
        'execution=local',
        'train.epochs=10000',
        'train.timeout=4s',
        'train.retry={maximumAttempts: 1}',
        'name=local-retry',
      ]),
    );
    const trainOf = (view: RunView) => view.steps.find((s) => s.name === 'train')!;
    const paused = await eventually(async () => {
      const view = await env.client.status(runId);
      return view.status === 'PAUSED' ? view : undefined;
    }, 'the local run to pause on train');
    expect(trainOf(paused)).toMatchObject({ status: 'paused', attempts: 1 });
    await env.client.retry(runId);
    // Status reads through the retried attempt (its workflow task in flight: read from the history).
    const seen: string[] = [];
    const read = async () => {
      const view = await env.client.status(runId);
      seen.push(`${view.status}/${view.progressFrom}: ${trainOf(view).status} ${trainOf(view).attempts}`);
      return view;
    };
    for (let i = 0; i < 4; i++) {
      await read();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await env.client.cancel(runId);
    const closed = await eventually(async () => {
      const view = await read();
      return view.status === 'RUNNING' ? undefined : view;
    }, 'the cancelled local run to close');
    expect(closed.status).toBe('CANCELED');
    expect(seen.filter((s) => s.startsWith('RUNNING/')).length, seen.join('\n')).toBeGreaterThan(0);
    // Running its retried attempt; or, on a machine slow enough that the retry also timed out before
    // the cancel landed, paused again with both attempts counted.
    expect(
      seen.filter((s) => s.startsWith('RUNNING/')).every((s) => / (running 1|paused 2)$/.test(s)),
      seen.join('\n'),
    ).toBe(true);
    expect(
      seen.some((s) => / running 1$/.test(s)),
      seen.join('\n'),
    ).toBe(true);
    expect(seen.join('\n')).not.toContain('failed');
  });

  it('a short local run cancelled while it runs keeps its steps and never moves the alias', async () => {
    // The whole run is one workflow task (3 s of slow registration, under the ~8 s report): the server
    // holds the cancel back until the task ends, but the deploy asks it before the move and stops there.
    const model = `localcancel${process.pid}`;
    process.env.QUIVER_TEST_DEPLOY_DELAY_MS = '3000';
    try {
      const runId = await env.client.start(
        env.spec(['execution=local', 'train.epochs=2', `deploy.model=${model}`, 'validate.min={}']),
      );
      await eventually(
        async () =>
          (await registry().versions(model)).length === 0 && (await started(runId)) ? true : undefined,
        'the local run to start',
      );
      await env.client.cancel(runId);
      const closed = await env.client.wait(runId);
      expect(closed.status).toBe('CANCELED');
      expect(closed.model).toBeNull();
      expect(closed.error).toBe('cancelled during step deploy');
      // The server kept the task's steps: each completed one is recorded, with its checkpoint, for resume.
      expect(closed.steps.map((s) => s.status)).toEqual([
        'completed',
        'completed',
        'completed',
        'completed',
        'completed',
        'cancelled',
      ]);
      expect(await registry().aliases(model)).toEqual({});
      expect(await registry().history(model)).toEqual([]);
      // The version its deploy registered is listed as a cancelled run's (`models ls`: RUN … (cancelled)).
      expect((await registry().versions(model)).map((v) => v.cancelledRun?.reason)).toEqual([
        `run ${runId} was cancelled before its deploy moved an alias`,
      ]);
    } finally {
      delete process.env.QUIVER_TEST_DEPLOY_DELAY_MS;
    }
  });

  it('names the field when execution is unknown or asks for a GPU it cannot reach', () => {
    expect(() => env.spec(['execution=remote'])).toThrow(SpecError);
    expect(() => env.spec(['execution=remote'])).toThrow(/execution: must be 'activities'/);
    expect(() => env.spec(['execution=local', 'train.requireGpu=true'])).toThrow(
      /execution: 'local' runs training on the workflow's worker/,
    );
  });
});
