import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { RunClosedError, type RunView } from '../../client/api';
import { deploymentLine } from '../../client/format';
import { formatComparison } from '../../client/commands/runs-inspect';
import { compareRuns } from '../../client/run-compare';
import { listRuns } from '../../client/run-list';
import { QuiverSchedules, scheduleCheckpointRefs } from '../../client/schedules';
import { openStore } from '../../core/checkpoint/store';
import { TEMPORAL_PAYLOAD_LIMIT_BYTES } from '../../core/payload-limits';
import { ModelRegistry } from '../../core/registry';
import { quiver } from '../support/cli';
import { eventually } from '../support/eventually';
import { IRIS_SPEC, REPO, startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';

/** Cancellation, payload limits, code-version authority, fire times and truthful reports, on a real dev server. */
describe('orchestration at the edges', () => {
  let env: PipelineEnv;
  let cliEnv: NodeJS.ProcessEnv;
  const tag = `e${process.pid}`;
  const FAST = ['train.epochs=3', 'validate.min.accuracy=0'];

  beforeAll(async () => {
    env = await startPipelineEnv('edges');
    cliEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      QUIVER_HOME: env.config.home,
      QUIVER_QUEUE_PREFIX: env.config.taskQueues.cpu.replace(/quiver-cpu$/, ''),
    };
  });
  afterAll(async () => {
    delete process.env.QUIVER_TEST_DEPLOY_DELAY_MS;
    await env.close();
  });

  it('a run cancelled during a slow deploy never moves the alias, even when registration finishes later', async () => {
    const model = `cancel${tag}`;
    process.env.QUIVER_TEST_DEPLOY_DELAY_MS = '3000';
    try {
      const runId = await env.client.start(env.spec([...FAST, `deploy.model=${model}`]));
      await eventually(async () => {
        const view = await env.client.status(runId);
        return view.steps.find((s) => s.name === 'deploy')?.status === 'running' ? view : undefined;
      }, 'deploy running');
      await env.client.cancel(runId);
      const closed = await env.client.wait(runId);
      expect(closed.status).toBe('CANCELED');
      expect(closed.model).toBeNull();
      // Said as a cancel, where it happened: not "step deploy failed: " with an empty message.
      expect(closed.error).toBe('cancelled during step deploy');
      // The attempt that was running counts (it read 0).
      expect(closed.steps.find((s) => s.name === 'deploy')).toMatchObject({
        status: 'cancelled',
        attempts: 1,
      });
      // The slow registration, deaf to the cancel, completes; the alias still never moves.
      const registry = ModelRegistry.at(env.config.home);
      const [version] = await eventually(async () => {
        const versions = await registry.versions(model);
        return versions.length === 1 && versions[0].cancelledRun ? versions : undefined;
      }, 'registered, and marked as a cancelled run’s');
      // `models ls` says where it came from.
      expect(version.cancelledRun?.reason).toBe(
        `run ${runId} was cancelled before its deploy moved an alias`,
      );
      expect(await registry.aliases(model)).toEqual({});
      expect(await registry.history(model)).toEqual([]);
      await expect(env.client.cancel(runId)).rejects.toThrow(/already closed as CANCELED/);
    } finally {
      delete process.env.QUIVER_TEST_DEPLOY_DELAY_MS;
    }
  });

  it('a timed-out or cancelled ingest reading an endless source stops reading (the worker closes it); the worker serves the next run', async () => {
    // A FIFO fed by `cat /dev/zero` never ends; when the attempt's reader closes it, cat dies of SIGPIPE:
    // an event that proves the worker stopped the work, with no clock in the assertion.
    const endless = (name: string) => {
      const fifo = path.join(env.config.home, `${name}.csv`);
      execFileSync('mkfifo', [fifo]);
      const feeder = spawn('sh', ['-c', 'exec cat /dev/zero > "$0"', fifo], { stdio: 'ignore' });
      const stopped = once(feeder, 'exit').then(([code, signal]) => ({ code, signal }) as unknown);
      // Runs even when the test times out, so a feeder never outlives it.
      onTestFinished(() => {
        if (feeder.exitCode === null && feeder.signalCode === null) feeder.kill();
      });
      return { fifo, feeder, stopped };
    };
    const timedOut = endless('timed-out');
    const cancelled = endless('cancelled');
    // `run --wait` ends when the run pauses (it would wait for `quiver retry` forever), exit code 1.
    const settings = [
      ...FAST,
      `source.uri=${timedOut.fifo}`,
      'source.timeout=2s',
      'source.retry.maximumAttempts=1',
    ];
    const waited = await quiver(
      ['run', IRIS_SPEC, ...settings.flatMap((s) => ['--set', s]), '--wait', '--json'],
      cliEnv,
    );
    expect(waited.code, waited.stderr).toBe(1);
    const { error, run: paused } = JSON.parse(waited.stdout) as {
      error: { type: string; message: string };
      run: RunView;
    };
    const runId = paused.runId;
    expect(error.type).toBe('RunNotCompletedError');
    expect(error.message).toMatch(
      new RegExp(`^run ${runId} paused: step ingest paused after 1 attempt\\(s\\): `),
    );
    expect(error.message).toContain(`quiver retry ${runId}`);
    // Documented: retries exhausted on a retryable error (a timeout) pause the run for `quiver retry`.
    expect(paused.status).toBe('PAUSED');
    expect(paused.steps[0]).toMatchObject({ name: 'ingest', status: 'paused', attempts: 1 });
    expect(paused.steps[0].error).toMatch(/timeout/i);
    expect((await env.client.status(runId)).status).toBe('PAUSED');
    expect(await timedOut.stopped).toEqual({ code: null, signal: 'SIGPIPE' });
    await env.client.cancel(runId);
    const cancelledWhilePaused = await env.client.wait(runId);
    expect(cancelledWhilePaused.status).toBe('CANCELED');
    // The step it paused on is cancelled now, not paused, and still says why it paused.
    expect(cancelledWhilePaused.steps[0]).toMatchObject({ name: 'ingest', status: 'cancelled' });
    expect(cancelledWhilePaused.steps[0].error).toMatch(/while paused: .*timeout/i);
    expect((await env.client.status(runId)).steps[0].status).toBe('cancelled');

    // A cancel reaches a running ingest through its heartbeat, and the attempt stops reading too.
    const reading = await env.client.start(env.spec([...FAST, `source.uri=${cancelled.fifo}`]));
    await eventually(async () => {
      const view = await env.client.status(reading);
      return view.steps[0].status === 'running' ? true : undefined;
    }, 'ingest reading the endless source');
    await env.client.cancel(reading);
    expect((await env.client.wait(reading)).status).toBe('CANCELED');
    expect(await cancelled.stopped).toEqual({ code: null, signal: 'SIGPIPE' });
    const next = await env.client.wait(await env.client.start(env.spec(FAST)));
    expect(next.status, next.error ?? '').toBe('COMPLETED');
  });

  it('a missing file or an http:// source fails the run at once (one attempt), never pauses it; a directory is refused before start', async () => {
    // A local path that is not a file is bad input before any run starts (exit 2 naming source.uri).
    expect(() => env.spec([...FAST, `source.uri=${path.join(REPO, 'data')}`])).toThrow(
      /source\.uri: .* is a directory, not a regular file/,
    );
    const sources = [path.join(REPO, 'data', 'no-such-file.csv'), 'http://example.com/iris.csv'];
    const runs = await Promise.all(
      sources.map((uri) => env.client.start(env.spec([...FAST, `source.uri=${uri}`]))),
    );
    for (const runId of runs) {
      const view = await env.client.wait(runId);
      expect(view.status).toBe('FAILED');
      const ingest = view.steps.find((s) => s.name === 'ingest')!;
      expect(ingest).toMatchObject({ status: 'failed', attempts: 1 });
      expect(ingest.error).toMatch(/DataError/);
    }
  });

  it('a 5 MB spec travels by reference: the run completes, status reads it, resume reuses every step; the reused deploy says so', async () => {
    const model = `big${tag}`;
    const spec = env.spec([...FAST, `deploy.model=${model}`]);
    const filler = Array.from({ length: 170_000 }, (_, i) => `category-value-${String(i).padStart(12, '0')}`);
    spec.sanity.categories = { species: ['setosa', 'versicolor', 'virginica', ...filler] };
    expect(JSON.stringify(spec).length).toBeGreaterThan(5_000_000);
    const runId = await env.client.start(spec);
    const view = await env.client.wait(runId);
    expect(view.status, view.error ?? '').toBe('COMPLETED');
    expect(view.specRef?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(String(view.spec.sanity.categories.species)).toMatch(/^<large: 5\.\d MB, sha256 [0-9a-f]{12}>$/);
    expect(view.model).toMatchObject({ name: model, version: 1, moved: true, aliasVersion: 1 });

    // One authority for code versions: the plan asks the worker, and agrees with what the run recorded.
    const versions = await env.client.codeVersions();
    for (const step of view.steps) expect(step.stepCodeVersion).toBe(versions[step.name]);

    // Production moves elsewhere; a resume that reuses the deploy must not claim it deployed.
    const registry = ModelRegistry.at(env.config.home);
    const other = await registry.register({
      name: model,
      model: view.steps.find((s) => s.name === 'train')!.checkpoint!,
      metrics: {},
      runId: 'elsewhere',
      pipeline: view.pipeline,
    });
    await registry.promote(model, other.version, 'production');
    const plan = await env.client.plan(runId);
    expect(plan.steps.map((s) => `${s.name}:${s.action}`)).toEqual([
      'ingest:reuse',
      'sanity:reuse',
      'features:reuse',
      'train:reuse',
      'validate:reuse',
      'deploy:reuse',
    ]);
    expect(plan.spec.sanity.categories.species).toHaveLength(filler.length + 3);
    const resumed = await env.client.wait(await env.client.startPlanned(plan));
    expect(resumed.status).toBe('COMPLETED');
    expect(resumed.model).toMatchObject({ version: 1, reusedFrom: runId, aliasVersion: other.version });
    expect(deploymentLine(resumed.model!)).toContain(`alias production is on version ${other.version}`);
    expect((await registry.aliases(model)).production).toBe(other.version);

    // A terminated big-spec run (no memo written) is still readable from its history.
    const stopped = await env.client.start(spec);
    await env.client.temporal.workflow.getHandle(stopped).terminate('test: read a big run after termination');
    const afterTermination = await env.client.status(stopped);
    expect(afterTermination).toMatchObject({ status: 'TERMINATED', pipeline: view.pipeline });
    expect(afterTermination.specRef?.sha256).toMatch(/^[0-9a-f]{64}$/);
    // …and a resume of it plans the full spec, read back through the reference its history carries.
    const replan = await env.client.plan(stopped);
    expect(replan.spec.sanity.categories.species).toHaveLength(filler.length + 3);
  });

  it('a schedule with a 5 MB spec keeps it in the checkpoint store: update reads it back, a fire completes', async () => {
    const spec = env.spec([...FAST, `deploy.model=bigsched${tag}`]);
    const filler = Array.from({ length: 170_000 }, (_, i) => `category-value-${String(i).padStart(12, '0')}`);
    spec.sanity.categories = { species: ['setosa', 'versicolor', 'virginica', ...filler] };
    expect(JSON.stringify(spec).length).toBeGreaterThan(5_000_000);
    const schedules = new QuiverSchedules(env.client.temporal, env.config.taskQueues, env.config.store);
    const scheduleId = `big-${tag}`;
    await schedules.create({ scheduleId, spec, overrides: [], every: '1d' });
    try {
      // A --set on the big spec: the full spec is read back from the store, overridden, stored again.
      await schedules.update(scheduleId, { overrides: ['train.epochs=4'] });
      expect((await schedules.describe(scheduleId)).overrides).toEqual(['train.epochs=4']);
      await schedules.trigger(scheduleId);
      const [fired] = await eventually(async () => {
        const runs = (await schedules.describe(scheduleId)).recentRuns;
        return runs.length ? runs : undefined;
      }, 'the big schedule to fire');
      const view = await env.client.wait(fired.runId);
      expect(view.status, view.error ?? '').toBe('COMPLETED');
      expect(view.specRef?.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(view.spec.train.epochs).toBe(4);
      expect(String(view.spec.sanity.categories.species)).toMatch(/^<large: 5\.\d MB, sha256 [0-9a-f]{12}>$/);
      expect(view.steps.find((s) => s.name === 'sanity')?.status).toBe('completed');
      // `checkpoints gc` keeps the stored spec while the schedule exists.
      await eventually(async () => {
        const refs = await scheduleCheckpointRefs(env.client.temporal);
        return refs.some((r) => r.sha256 === view.specRef!.sha256) ? true : undefined;
      }, 'the schedule’s spec among the references gc keeps');
    } finally {
      await schedules.delete(scheduleId);
    }
  });

  it('refuses a run whose input would exceed Temporal’s payload limit before it starts, naming size and limit', async () => {
    const huge = `note=${'x'.repeat(TEMPORAL_PAYLOAD_LIMIT_BYTES)}`;
    await expect(env.client.start(env.spec(FAST), [huge])).rejects.toThrow(
      /run input .* is 2\.0 MiB \(\d+ bytes\), over Temporal's payload limit of 2\.0 MiB \(2097152 bytes\)/,
    );
  });

  it('cancel of a closed run exits non-zero naming its status; runs ls --status running leaves terminated runs out', async () => {
    const runId = await env.client.start(env.spec([...FAST, 'train.epochs=2000']));
    await env.client.temporal.workflow.getHandle(runId).terminate('test');
    const cancelled = await quiver(['cancel', runId], cliEnv);
    expect(cancelled.code).not.toBe(0);
    expect(cancelled.stderr).toContain(`run ${runId} already closed as TERMINATED`);
    await expect(env.client.cancel(runId)).rejects.toBeInstanceOf(RunClosedError);
    const terminated = await eventually(async () => {
      const runs = await listRuns(env.client.temporal, { status: 'terminated', limit: 100 });
      return runs.some((r) => r.runId === runId) ? runs : undefined;
    }, 'terminated run listed');
    expect(terminated.find((r) => r.runId === runId)?.status).toBe('TERMINATED');
    const running = await listRuns(env.client.temporal, { status: 'running', limit: 100 });
    expect(running.map((r) => r.runId)).not.toContain(runId);
  });

  it('cancel --wait waits for the run to close and prints it cancelled, with exit 0', async () => {
    const runId = await env.client.start(env.spec([...FAST, 'train.epochs=2000']));
    await eventually(async () => {
      const view = await env.client.status(runId);
      return view.steps.find((s) => s.name === 'train')?.status === 'running' ? view : undefined;
    }, 'train running');
    const cancelled = await quiver(['cancel', runId, '--wait', '--json'], cliEnv);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    const view = JSON.parse(cancelled.stdout) as RunView;
    expect(view).toMatchObject({ runId, status: 'CANCELED', error: 'cancelled during step train' });
    expect(view.steps.find((s) => s.name === 'train')?.status).toBe('cancelled');
    expect(view.model).toBeNull();
    // Again, as a script retrying its cancel would: it ended as asked, exit 0, and says it already had.
    const again = await quiver(['cancel', runId, '--wait', '--json'], cliEnv);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`run ${runId} was already cancelled`);
    expect(JSON.parse(again.stdout)).toMatchObject({ runId, status: 'CANCELED' });
    // Without --wait, a closed run still has nothing to cancel.
    const plain = await quiver(['cancel', runId], cliEnv);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain(`run ${runId} already closed as CANCELED: nothing to cancel`);
  });

  it('a namespace the server lacks is bad input naming --namespace, the same from every command', async () => {
    const namespace = `nosuch-${tag}`;
    for (const args of [
      ['runs', 'ls'],
      ['status', 'quiver-iris-x'],
      ['cancel', 'quiver-iris-x'],
      ['run', IRIS_SPEC],
    ]) {
      const result = await quiver([...args, '--namespace', namespace, '--json'], cliEnv);
      expect(result.code, `${args.join(' ')}: ${result.stdout}${result.stderr}`).toBe(2);
      expect(JSON.parse(result.stdout)).toEqual({
        error: {
          type: 'NamespaceNotFoundError',
          message: expect.stringContaining(
            `namespace '${namespace}' not found on the Temporal server`,
          ) as string,
          field: '--namespace',
        },
      });
    }
  });

  it('runs compare notices 50 rows renamed setosa → Setosa (same distinct count, other value counts)', async () => {
    const renamed = path.join(env.config.home, 'iris-renamed.csv');
    fs.writeFileSync(
      renamed,
      fs.readFileSync(path.join(REPO, 'data', 'iris.csv'), 'utf8').replace(/,setosa$/gm, ',Setosa'),
    );
    // Only ingest's data is compared: both runs stop at sanity (too few rows), after ingest wrote it.
    const stopAtSanity = [...FAST, 'sanity.minRows=100000'];
    const [before, after] = await Promise.all(
      [path.join(REPO, 'data', 'iris.csv'), renamed].map(async (uri) =>
        env.client.wait(await env.client.start(env.spec([...stopAtSanity, `source.uri=${uri}`]))),
      ),
    );
    const comparison = await compareRuns([before, after], openStore(env.config.store));
    const data = comparison.checkpoints.find((c) => c.step === 'ingest' && c.output === 'data')!;
    expect(data).toMatchObject({ sameStatistics: false, rows: [150, 150] });
    const text = formatComparison(comparison);
    expect(text).toContain('ingest.data: differs');
    expect(text).not.toContain('ingest.data: same schema');
    expect(text).toMatch(/species: .*'setosa' 50.* \| .*'Setosa' 50/);
  });

  it('backfill: each fire time reaches its run ({{date}} in the zone), ids are unique per re-fire, the alias follows fire time', async () => {
    const model = `fill${tag}`;
    const dataDir = fs.mkdtempSync(path.join(env.config.home, 'days-'));
    const lines = fs
      .readFileSync(path.join(REPO, 'data', 'iris.csv'), 'utf8')
      .trim()
      .split('\n');
    // Paris midnight on Jan 1 and Jan 2 is 23:00 UTC the day before: {{date}} must read Paris' date.
    fs.writeFileSync(path.join(dataDir, 'iris-2026-01-01.csv'), `${lines.join('\n')}\n`);
    fs.writeFileSync(
      path.join(dataDir, 'iris-2026-01-02.csv'),
      `${lines.filter((_, i) => i % 3 !== 1).join('\n')}\n`,
    );
    const schedules = new QuiverSchedules(env.client.temporal, env.config.taskQueues);
    const scheduleId = `days-${tag}`;
    await schedules.create({
      scheduleId,
      spec: env.spec(
        [...FAST, `deploy.model=${model}`, `source.uri=${dataDir}/iris-{{date}}.csv`],
        IRIS_SPEC,
      ),
      overrides: [],
      cron: '0 0 * * *',
      timezone: 'Europe/Paris',
    });
    try {
      expect((await schedules.describe(scheduleId)).timezone).toBe('Europe/Paris');
      const runs = await schedules.backfill(
        scheduleId,
        new Date('2025-12-31T12:00:00Z'),
        new Date('2026-01-02T12:00:00Z'),
      );
      expect(runs.map((r) => r.scheduledAt)).toEqual([
        '2025-12-31T23:00:00.000Z',
        '2026-01-01T23:00:00.000Z',
      ]);
      const again = await schedules.backfill(
        scheduleId,
        new Date('2026-01-01T12:00:00Z'),
        new Date('2026-01-02T12:00:00Z'),
      );
      expect(again).toHaveLength(1);
      expect(new Set([...runs, ...again].map((r) => r.runId)).size).toBe(3);
      const views = await Promise.all([...runs, ...again].map((r) => env.client.wait(r.runId)));
      for (const view of views) expect(view.status, view.error ?? '').toBe('COMPLETED');
      expect(views[0].spec.source.uri).toBe(`${dataDir}/iris-2026-01-01.csv`);
      expect(views[1].spec.source.uri).toBe(`${dataDir}/iris-2026-01-02.csv`);
      expect(views[0].fire).toEqual({ at: '2025-12-31T23:00:00.000Z', timeZone: 'Europe/Paris' });
      expect(views[0].steps[0].summary.rows).toBe(150);
      expect(views[1].steps[0].summary.rows).toBe(100);
      // Whatever order they finished in, production ends on a version of the latest fire time.
      const registry = ModelRegistry.at(env.config.home);
      const production = await registry.resolve(model, 'production');
      expect(production.firedAt).toBe('2026-01-01T23:00:00.000Z');
      for (const view of views)
        if (!view.model!.moved) expect(view.model!.note).toMatch(/stays on version \d+: it fired at/);
    } finally {
      await schedules.delete(scheduleId);
    }
  });

  it('schedule flags: a bad --timezone or a 6-field cron exits 2 naming the flag', async () => {
    const badZone = await quiver(
      [
        'schedule',
        'create',
        `tz-${tag}`,
        '--spec',
        IRIS_SPEC,
        '--cron',
        '0 9 * * *',
        '--timezone',
        'Mars/Olympus',
      ],
      cliEnv,
    );
    expect(badZone.code).toBe(2);
    expect(badZone.stderr).toContain("--timezone 'Mars/Olympus': not an IANA time zone");
    const sixFields = await quiver(
      ['schedule', 'create', `tz-${tag}`, '--spec', IRIS_SPEC, '--cron', '0 0 9 * * *'],
      cliEnv,
    );
    expect(sixFields.code).toBe(2);
    expect(sixFields.stderr).toContain("--cron '0 0 9 * * *': 6 fields given");
  });
});
