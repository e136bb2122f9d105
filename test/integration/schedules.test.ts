import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { listRuns } from '../../client/run-list';
import { QuiverSchedules, type ScheduleView } from '../../client/schedules';
import { SEARCH_ATTRIBUTES } from '../../core/search-attributes';
import { quiver } from '../support/cli';
import { eventually } from '../support/eventually';
import { IRIS_SPEC, startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';

const SCHEDULED_BY = defineSearchAttributeKey('TemporalScheduledById', SearchAttributeType.KEYWORD);
const SCHEDULED_AT = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/** Temporal Schedules that start normal Quiver runs, through the CLI and the typed API. */
describe('quiver schedule against a real dev server', () => {
  let env: PipelineEnv;
  let schedules: QuiverSchedules;
  let cliEnv: NodeJS.ProcessEnv;
  const scheduleId = `nightly-${process.pid}`;
  const pipeline = `sched${process.pid}`;
  let triggeredRun = '';
  const OVERRIDES = [`name=${pipeline}`, 'train.epochs=5', 'validate.min.accuracy=0'];

  beforeAll(async () => {
    env = await startPipelineEnv('sched');
    schedules = new QuiverSchedules(env.client.temporal, env.config.taskQueues);
    cliEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      QUIVER_HOME: env.config.home,
      QUIVER_QUEUE_PREFIX: env.config.taskQueues.cpu.replace(/quiver-cpu$/, ''),
    };
  });
  afterAll(async () => {
    await schedules.delete(scheduleId).catch(() => undefined);
    await env.close();
  });

  it('refuses an invalid spec or timing at create, naming the field, and creates nothing', async () => {
    const badSpec = await quiver(
      [
        'schedule',
        'create',
        `${scheduleId}-bad`,
        '--spec',
        IRIS_SPEC,
        '--every',
        '1d',
        '--set',
        'train.epochs=zero',
      ],
      cliEnv,
    );
    expect(badSpec.code).toBe(2);
    expect(badSpec.stderr).toContain('train.epochs: expected number, received string');
    const badTiming = await quiver(
      ['schedule', 'create', `${scheduleId}-bad`, '--spec', IRIS_SPEC, '--every', 'nightly'],
      cliEnv,
    );
    expect(badTiming.code).toBe(2);
    expect(badTiming.stderr).toContain('--every nightly: expected a duration');
    await expect(schedules.describe(`${scheduleId}-bad`)).rejects.toThrow(`no schedule ${scheduleId}-bad`);
  });

  it('creates a schedule with the CLI; describe shows its timing, policies and next fire times', async () => {
    const created = await quiver(
      [
        'schedule',
        'create',
        scheduleId,
        '--spec',
        IRIS_SPEC,
        '--every',
        '1d',
        '--set',
        `name=${pipeline}`,
        '--set',
        'train.epochs=5',
        '--set',
        'validate.min.accuracy=0', // five epochs train fast, not well: the gate is not what is tested here
        '--overlap',
        'allow-all',
        '--pause-on-failure',
        '--json',
      ],
      cliEnv,
    );
    expect(created.code, created.stderr).toBe(0);
    const view = JSON.parse(created.stdout) as ScheduleView;
    expect(view).toMatchObject({
      scheduleId,
      pipeline,
      specFile: IRIS_SPEC,
      overrides: OVERRIDES,
      every: ['1d'],
      overlap: 'allow-all',
      pauseOnFailure: true,
      paused: false,
    });
    // Intervals are aligned to the epoch: every next fire time is a UTC midnight.
    expect(view.nextRuns.length).toBeGreaterThan(0);
    for (const next of view.nextRuns) expect(next).toMatch(/T00:00:00\.000Z$/);
    await expect(
      schedules.create({ scheduleId, spec: env.spec(), overrides: [], every: '1d' }),
    ).rejects.toThrow(`schedule ${scheduleId} already exists`);
  });

  it('trigger starts a normal Quiver run, linked to its schedule, whose outcome describe reports', async () => {
    await schedules.trigger(scheduleId);
    const recent = await eventually(async () => {
      const runs = (await schedules.describe(scheduleId)).recentRuns;
      return runs.length ? runs : undefined;
    }, 'the triggered run');
    triggeredRun = recent[0].runId;
    expect(triggeredRun.startsWith(`quiver-${pipeline}-${scheduleId}-`)).toBe(true);
    const finished = await env.client.wait(triggeredRun);
    expect(finished.status).toBe('COMPLETED');
    expect(finished.spec.train.epochs).toBe(5);

    const description = await env.client.temporal.workflow.getHandle(triggeredRun).describe();
    expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.pipeline)).toBe(pipeline);
    expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.status)).toBe('COMPLETED');
    expect(description.typedSearchAttributes.get(SCHEDULED_BY)).toBe(scheduleId);
    expect(await description.staticSummary()).toBe(
      `${pipeline}: iris.csv → species · ${OVERRIDES.join(' ')}`,
    );

    const outcome = (await schedules.describe(scheduleId)).recentRuns.find((r) => r.runId === triggeredRun);
    expect(outcome?.status).toBe('COMPLETED');
    const bySchedule = await eventually(async () => {
      const runs = await listRuns(env.client.temporal, { schedule: scheduleId });
      return runs.some((r) => r.runId === triggeredRun) ? runs : undefined;
    }, 'runs ls --schedule to find the run');
    expect(bySchedule.every((r) => r.schedule === scheduleId && r.pipeline === pipeline)).toBe(true);
  });

  it('pauses and unpauses; list shows the state', async () => {
    await schedules.pause(scheduleId, 'data migration');
    const paused = await schedules.describe(scheduleId);
    expect(paused).toMatchObject({ paused: true, note: 'data migration' });
    const listed = await quiver(['schedule', 'list', '--json'], cliEnv);
    expect(listed.code, listed.stderr).toBe(0);
    const entry = (
      JSON.parse(listed.stdout) as { scheduleId: string; paused: boolean; pipeline: string }[]
    ).find((e) => e.scheduleId === scheduleId);
    // Schedule listing goes through visibility: it may lag the pause by a moment.
    expect(entry?.pipeline).toBe(pipeline);
    await schedules.unpause(scheduleId);
    expect((await schedules.describe(scheduleId)).paused).toBe(false);
  });

  it('backfills the runs a past range would have started, and names them', async () => {
    // Daily at UTC midnight: 2026-01-01 and 2026-01-02 fall in the range.
    const printed = await quiver(
      ['schedule', 'backfill', scheduleId, '--from', '2025-12-31T12:00:00Z', '--to', '2026-01-02T12:00:00Z'],
      cliEnv,
    );
    expect(printed.code, printed.stderr).toBe(0);
    // The command names every run it started with its fire time, not only "backfill requested".
    expect(printed.stdout).toContain(`backfill ${scheduleId}: started 2 run(s)`);
    const backfilled = printed.stdout
      .split('\n')
      .filter((line) => line.startsWith(`quiver-${pipeline}-`))
      .map((line) => {
        const [runId, scheduledAt] = line.trim().split(/\s+/);
        return { runId, scheduledAt };
      });
    expect(backfilled.map((r) => r.scheduledAt)).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-01-02T00:00:00.000Z',
    ]);
    for (const run of backfilled) {
      const view = await env.client.wait(run.runId);
      expect(view.status).toBe('COMPLETED');
      expect(view.fire?.at).toBe(run.scheduledAt);
      // Marked like the schedule's own fires, so the UI's "scheduled by" filter finds them too.
      const attributes = (await env.client.temporal.workflow.getHandle(run.runId).describe())
        .typedSearchAttributes;
      expect(attributes.get(SCHEDULED_BY)).toBe(scheduleId);
      expect(attributes.get(SCHEDULED_AT)?.toISOString()).toBe(run.scheduledAt);
    }
    const bySchedule = await eventually(async () => {
      const runs = await listRuns(env.client.temporal, { schedule: scheduleId });
      return backfilled.every((b) => runs.some((r) => r.runId === b.runId)) ? runs : undefined;
    }, 'runs ls --schedule to list the backfilled runs');
    expect(bySchedule.every((r) => r.schedule === scheduleId)).toBe(true);
  });

  it('update validates --set before changing anything, then applies the new timing and params', async () => {
    await expect(schedules.update(scheduleId, { overrides: ['train.epochs=many'] })).rejects.toThrow(
      /train\.epochs: expected number/,
    );
    expect((await schedules.describe(scheduleId)).overrides).toEqual(OVERRIDES);
    await schedules.update(scheduleId, {
      overrides: ['train.epochs=7'],
      cron: '30 2 * * *',
      overlap: 'skip',
    });
    const updated = await schedules.describe(scheduleId);
    expect(updated).toMatchObject({
      specFile: IRIS_SPEC,
      overrides: [...OVERRIDES, 'train.epochs=7'],
      calendars: ['30 2 * * *'],
      every: [],
      overlap: 'skip',
    });
    for (const next of updated.nextRuns) expect(next).toMatch(/T02:30:00\.000Z$/);
  });

  it('deletes the schedule; the runs it started stay', async () => {
    const deleted = await quiver(['schedule', 'delete', scheduleId], cliEnv);
    expect(deleted.code, deleted.stderr).toBe(0);
    await expect(schedules.describe(scheduleId)).rejects.toThrow(`no schedule ${scheduleId}`);
    expect((await env.client.status(triggeredRun)).status).toBe('COMPLETED');
  });
});
