import type { Command } from 'commander';
import { SpecError } from '../../core/errors';
import { withEnvironment, type Environment, type GlobalFlags } from '../environment';
import { table } from '../format';
import { emit } from '../output';
import type * as SchedulesModule from '../schedules';
import type {
  BackfilledRun,
  OverlapName,
  QuiverSchedules,
  ScheduleListEntry,
  ScheduleView,
} from '../schedules';

/** `--overlap` values, as `OVERLAP_POLICIES` names them (a unit test keeps the two equal). */
export const OVERLAP_NAMES = ['skip', 'buffer-one', 'buffer-all', 'cancel-other', 'allow-all'] as const;

// The schedules module loads the Temporal client (slow): each action loads it before use, so that
// `--help` stays fast; the helpers below run only after that.
let S: typeof SchedulesModule;
const loadSchedules = () => (S ??= require('../schedules') as typeof SchedulesModule);
// YAML and zod load with the spec, only when a command reads one.
const loadSpecFile: typeof import('../../core/spec/load').loadSpecFile = (...args) =>
  (require('../../core/spec/load') as typeof import('../../core/spec/load')).loadSpecFile(...args);

const collect = (value: string, previous: string[]) => [...previous, value];

interface TimingFlags {
  cron?: string;
  every?: string;
  jitter?: string;
  timezone?: string;
  overlap?: string;
  pauseOnFailure?: boolean;
  set: string[];
}

/** The flags `create` and `update` share, as the schedules API takes them. */
function timingChanges(options: TimingFlags, overlap: OverlapName | undefined) {
  return {
    overrides: options.set,
    cron: options.cron,
    every: options.every,
    jitter: options.jitter,
    timezone: options.timezone,
    overlap,
    pauseOnFailure: options.pauseOnFailure,
  };
}

function overlapOf(value: string | undefined): OverlapName | undefined {
  if (value === undefined) return undefined;
  if (!(OVERLAP_NAMES as readonly string[]).includes(value))
    throw new SpecError(`--overlap must be one of ${OVERLAP_NAMES.join(', ')}, not ${value}`, [
      { path: '--overlap', message: `unknown policy ${value}` },
    ]);
  return value as OverlapName;
}

function parseTime(flag: string, text: string): Date {
  const time = new Date(text);
  if (Number.isNaN(time.getTime()))
    throw new SpecError(`${flag} ${text}: expected a time such as 2026-11-20T00:00:00Z`, [
      { path: flag, message: 'expected an ISO 8601 time' },
    ]);
  return time;
}

function schedulesOf(env: Environment): QuiverSchedules {
  return new (loadSchedules().QuiverSchedules)(env.client.temporal, env.config.taskQueues, env.config.store);
}

export function formatScheduleView(view: ScheduleView): string {
  const when = [
    ...view.calendars.map((c) => `cron ${c}${view.timezone ? ` (${view.timezone})` : ' (UTC)'}`),
    ...view.every.map((e) => `every ${e}`),
  ].join(', ');
  const lines = [
    `schedule ${view.scheduleId}  pipeline ${view.pipeline}  ${view.paused ? 'PAUSED' : 'active'}`,
    `  spec      ${view.specFile ?? '(inline)'}${view.overrides.length ? ` with ${view.overrides.join(' ')}` : ''}`,
    `  when      ${when}${view.jitterMs ? ` (jitter ${S.formatMs(view.jitterMs)})` : ''}`,
    `  overlap   ${view.overlap}${view.pauseOnFailure ? ', pauses on failure' : ''}`,
    `  runs      ${view.actionsTaken} started${view.runningRuns.length ? `, running: ${view.runningRuns.join(', ')}` : ''}`,
  ];
  if (view.note) lines.push(`  note      ${view.note}`);
  lines.push(`  next      ${view.nextRuns.slice(0, 5).join(', ') || '-'}`);
  if (view.recentRuns.length)
    lines.push(
      '',
      table([
        ['RECENT RUN', 'SCHEDULED AT', 'OUTCOME'],
        ...view.recentRuns.map((r) => [r.runId, r.scheduledAt, r.status]),
      ]),
    );
  return lines.join('\n');
}

function formatScheduleList(entries: ScheduleListEntry[]): string {
  if (entries.length === 0) return 'no schedules';
  return table([
    ['SCHEDULE', 'PIPELINE', 'STATE', 'NEXT RUN', 'LAST RUN'],
    ...entries.map((e) => [
      e.scheduleId,
      e.pipeline ?? '-',
      e.paused ? 'paused' : 'active',
      e.nextRun ?? '-',
      e.lastRun ?? '-',
    ]),
  ]);
}

/** `quiver schedule …`: Temporal Schedules that start normal Quiver runs. */
export function registerScheduleCommands(program: Command, flagsOf: (cmd: Command) => GlobalFlags): void {
  const schedule = program
    .command('schedule')
    .description('retrain on a schedule (Temporal Schedules): create, list, describe, pause, trigger, …');

  const withTiming = (cmd: Command) =>
    cmd
      .option('--cron <expr>', 'cron expression, e.g. "0 3 * * *" (03:00 UTC every day)')
      .option('--every <duration>', 'interval, e.g. 6h or 1d')
      .option('--set <key=value>', 'override a spec field (repeatable)', collect, [])
      .option('--overlap <policy>', `when a run is still going: ${OVERLAP_NAMES.join('|')}`)
      .option('--pause-on-failure', 'pause the schedule when a scheduled run fails')
      .option('--jitter <duration>', 'start each run up to this much later, at random')
      .option('--timezone <zone>', 'IANA time zone the cron is read in, e.g. Europe/Paris (default UTC)');

  withTiming(
    schedule
      .command('create <id>')
      .description('create a schedule; the spec and overrides are validated now, not at the first run')
      .requiredOption('--spec <file>', 'pipeline spec to run'),
  ).action(async (scheduleId: string, options: TimingFlags & { spec: string }, cmd: Command) => {
    const flags = flagsOf(cmd);
    // Everything the user typed is checked before Temporal is contacted: a bad spec exits 2.
    const { spec, file } = loadSpecFile(options.spec, options.set);
    loadSchedules().scheduleSpec(options);
    const overlap = overlapOf(options.overlap);
    await withEnvironment(flags, { embedded: false }, async (env) => {
      await schedulesOf(env).create({
        scheduleId,
        spec,
        specFile: file,
        ...timingChanges(options, overlap),
      });
      emit(flags, await schedulesOf(env).describe(scheduleId), formatScheduleView);
    });
  });

  withTiming(
    schedule
      .command('update <id>')
      .description('change a schedule (spec, --set, timing, policies); validated before anything changes')
      .option('--spec <file>', 'replace the pipeline spec'),
  ).action(async (scheduleId: string, options: TimingFlags & { spec?: string }, cmd: Command) => {
    const flags = flagsOf(cmd);
    const loaded = options.spec ? loadSpecFile(options.spec) : undefined;
    if (options.cron || options.every) loadSchedules().scheduleSpec(options);
    else if (options.timezone) loadSchedules().checkTimezone(options.timezone);
    const overlap = overlapOf(options.overlap);
    await withEnvironment(flags, { embedded: false }, async (env) => {
      await schedulesOf(env).update(scheduleId, {
        spec: loaded?.spec,
        specFile: loaded?.file,
        ...timingChanges(options, overlap),
      });
      emit(flags, await schedulesOf(env).describe(scheduleId), formatScheduleView);
    });
  });

  schedule
    .command('list')
    .description("Quiver's schedules with their state and next run")
    .action(async (_options: unknown, cmd: Command) => {
      const flags = flagsOf(cmd);
      await withEnvironment(flags, { embedded: false }, async (env) => {
        emit(flags, await schedulesOf(env).list(), formatScheduleList);
      });
    });

  schedule
    .command('describe <id>')
    .description('spec, timing, policies, next fire times, and recent runs with their outcome')
    .action(async (scheduleId: string, _options: unknown, cmd: Command) => {
      const flags = flagsOf(cmd);
      await withEnvironment(flags, { embedded: false }, async (env) => {
        emit(flags, await schedulesOf(env).describe(scheduleId), formatScheduleView);
      });
    });

  for (const [name, description] of [
    ['pause', 'stop starting runs until unpaused'],
    ['unpause', 'start runs again'],
    ['trigger', 'start a run now'],
    ['delete', 'delete the schedule; the runs it started stay'],
  ] as const) {
    schedule
      .command(`${name} <id>`)
      .description(description)
      .action(async (scheduleId: string, _options: unknown, cmd: Command) => {
        const flags = flagsOf(cmd);
        await withEnvironment(flags, { embedded: false }, async (env) => {
          await schedulesOf(env)[name](scheduleId);
          emit(flags, { scheduleId, done: name }, () => `${name}: ${scheduleId}`);
        });
      });
  }

  schedule
    .command('backfill <id>')
    .description(
      'start one run per fire time between --from and --to (each renders {{date}} for its day); deploys follow fire-time order',
    )
    .requiredOption('--from <time>', 'start of the range (ISO 8601)')
    .requiredOption('--to <time>', 'end of the range (ISO 8601)')
    .action(async (scheduleId: string, options: { from: string; to: string }, cmd: Command) => {
      const flags = flagsOf(cmd);
      const from = parseTime('--from', options.from);
      const to = parseTime('--to', options.to);
      await withEnvironment(flags, { embedded: false }, async (env) => {
        const runs = await schedulesOf(env).backfill(scheduleId, from, to);
        emit(flags, { scheduleId, from: from.toISOString(), to: to.toISOString(), runs }, formatBackfill);
      });
    });
}

function formatBackfill(result: {
  scheduleId: string;
  from: string;
  to: string;
  runs: BackfilledRun[];
}): string {
  if (result.runs.length === 0)
    return `backfill ${result.scheduleId}: no fire time between ${result.from} and ${result.to}`;
  return [
    `backfill ${result.scheduleId}: started ${result.runs.length} run(s)`,
    table([['RUN', 'FIRE TIME'], ...result.runs.map((r) => [r.runId, r.scheduledAt])]),
  ].join('\n');
}
