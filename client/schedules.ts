import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type CalendarSpecDescription,
  type Client,
  type Range,
  type ScheduleDescription,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
  type WorkflowExecutionStatusName,
} from '@temporalio/client';
import {
  defineSearchAttributeKey,
  msNumberToTs,
  msToNumber,
  SearchAttributeType,
  tsToDate,
  type Duration,
  type SearchAttributePair,
} from '@temporalio/common';
import { QuiverError, SpecError } from '../core/errors';
import { openStore } from '../core/checkpoint/store';
import type { CheckpointRef } from '../core/checkpoint/types';
import { assertWithinPayloadLimit, INLINE_LIMIT_BYTES, jsonBytes } from '../core/payload-limits';
import { loadSpecCheckpoint, specPayload, type SpecPayload } from '../core/spec-claim-check';
import type { PipelineInput } from '../core/run-types';
import { applyOverrides, validateSpec } from '../core/spec/load';
import type { PipelineSpec } from '../core/spec/schema';
import { trainingPipeline } from '../workflows';
import { pipelineStartOptions } from './run-start';

/** The overlap policies as users type them (`--overlap buffer-one`). */
export const OVERLAP_POLICIES = {
  skip: ScheduleOverlapPolicy.SKIP,
  'buffer-one': ScheduleOverlapPolicy.BUFFER_ONE,
  'buffer-all': ScheduleOverlapPolicy.BUFFER_ALL,
  'cancel-other': ScheduleOverlapPolicy.CANCEL_OTHER,
  'allow-all': ScheduleOverlapPolicy.ALLOW_ALL,
} as const;
export type OverlapName = keyof typeof OVERLAP_POLICIES;

/** When a schedule fires: exactly one of a cron expression or an interval, plus optional jitter. */
export interface ScheduleTiming {
  cron?: string;
  every?: string;
  jitter?: string;
  /** IANA time zone the cron is read in (`Europe/Paris`); UTC when absent. */
  timezone?: string;
}

/** What `schedule create` needs: a validated spec (overrides already applied) and when to run it. */
export interface ScheduleCreateOptions extends ScheduleTiming {
  scheduleId: string;
  spec: PipelineSpec;
  overrides: string[];
  /** Where the spec came from, shown by `describe`. */
  specFile?: string;
  overlap?: OverlapName;
  pauseOnFailure?: boolean;
}

/** Changes for `schedule update`; anything left out stays as it is. */
export interface ScheduleUpdateOptions extends ScheduleTiming {
  /** A new spec (overrides already applied) replacing the scheduled one. */
  spec?: PipelineSpec;
  specFile?: string;
  /** `--set` overrides applied on top of the scheduled spec (or of `spec` when given). */
  overrides?: string[];
  overlap?: OverlapName;
  pauseOnFailure?: boolean;
}

/** A run a schedule started, with its outcome as Temporal records it. */
export interface ScheduledRun {
  runId: string;
  scheduledAt: string;
  status: WorkflowExecutionStatusName | 'UNKNOWN';
}

/** `schedule describe`: the spec it runs, when, its state, next fire times and recent runs. */
export interface ScheduleView {
  scheduleId: string;
  pipeline: string;
  specFile: string | null;
  overrides: string[];
  /** Cron expressions as the server keeps them: calendars, shown cron-like (`0 3 * * *`). */
  calendars: string[];
  /** IANA zone the calendars are read in; null for UTC. */
  timezone: string | null;
  every: string[];
  jitterMs: number | null;
  overlap: string;
  pauseOnFailure: boolean;
  paused: boolean;
  note: string | null;
  actionsTaken: number;
  nextRuns: string[];
  recentRuns: ScheduledRun[];
  runningRuns: string[];
}

/** One line of `schedule list`. */
export interface ScheduleListEntry {
  scheduleId: string;
  pipeline: string | null;
  paused: boolean;
  nextRun: string | null;
  lastRun: string | null;
}

/** Memo key under which a schedule keeps where its spec came from and the overrides it was given. */
const SCHEDULE_MEMO_KEY = 'quiverSchedule';
interface ScheduleMemo {
  pipeline: string;
  overrides: string[];
}

/** Memo key on each scheduled run (and so on the schedule's action) naming the spec file it came from. */
const SPEC_FILE_MEMO_KEY = 'quiverSpecFile';

/**
 * Quiver's retraining schedules, on Temporal Schedules: every action starts the `trainingPipeline`
 * workflow with the same input and search attributes `quiver run` gives a run, so a scheduled run
 * is a normal run (Temporal adds `TemporalScheduledById` to find it by schedule).
 */
export class QuiverSchedules {
  /**
   * `store` is the checkpoint store URI (QUIVER_STORE) a spec too large to travel inline is written to;
   * without it, a schedule's spec must fit in Temporal's payload limit.
   */
  constructor(
    private readonly temporal: Client,
    private readonly taskQueues: { cpu: string; gpu: string },
    private readonly store?: string,
  ) {}

  async create(options: ScheduleCreateOptions): Promise<string> {
    const timing = scheduleSpec(options);
    const payload = await this.specPayload(options.scheduleId, options.spec);
    const handle = await this.temporal.schedule
      .create({
        scheduleId: options.scheduleId,
        spec: timing,
        action: this.action(
          options.scheduleId,
          payload,
          options.overrides,
          timing.timezone,
          options.specFile,
        ),
        policies: {
          overlap: OVERLAP_POLICIES[options.overlap ?? 'skip'],
          pauseOnFailure: options.pauseOnFailure ?? false,
        },
        memo: {
          [SCHEDULE_MEMO_KEY]: {
            pipeline: options.spec.name,
            overrides: options.overrides,
          } satisfies ScheduleMemo,
        },
      })
      .catch((error: unknown) => {
        if (error instanceof ScheduleAlreadyRunning)
          throw new QuiverError(`schedule ${options.scheduleId} already exists: update or delete it`);
        throw error;
      });
    return handle.scheduleId;
  }

  async list(): Promise<ScheduleListEntry[]> {
    const entries: ScheduleListEntry[] = [];
    for await (const summary of this.temporal.schedule.list()) {
      const memo = summary.memo?.[SCHEDULE_MEMO_KEY] as ScheduleMemo | undefined;
      if (!memo) continue; // not a Quiver schedule
      entries.push({
        scheduleId: summary.scheduleId,
        pipeline: memo.pipeline,
        paused: summary.state.paused,
        nextRun: summary.info.nextActionTimes[0]?.toISOString() ?? null,
        lastRun: summary.info.recentActions.at(-1)?.action.workflow.workflowId ?? null,
      });
    }
    return entries.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
  }

  async describe(scheduleId: string): Promise<ScheduleView> {
    const description = await this.describeRaw(scheduleId);
    const input = scheduledInput(description);
    const recentRuns = await Promise.all(
      description.info.recentActions.map(async (action) => ({
        runId: action.action.workflow.workflowId,
        scheduledAt: action.scheduledAt.toISOString(),
        status: await this.runStatus(action.action.workflow.workflowId),
      })),
    );
    return {
      scheduleId,
      pipeline: input.spec.name,
      specFile: (description.action.memo?.[SPEC_FILE_MEMO_KEY] as string | undefined) ?? null,
      overrides: input.overrides ?? [],
      calendars: (description.spec.calendars ?? []).map(formatCalendar),
      timezone: description.spec.timezone || null,
      every: (description.spec.intervals ?? []).map((i) => formatMs(msToNumber(i.every))),
      jitterMs: description.spec.jitter ?? null,
      overlap: overlapName(description.policies.overlap),
      pauseOnFailure: description.policies.pauseOnFailure,
      paused: description.state.paused,
      note: description.state.note ?? null,
      actionsTaken: description.info.numActionsTaken,
      nextRuns: description.info.nextActionTimes.map((t) => t.toISOString()),
      recentRuns,
      runningRuns: description.info.runningActions.map((a) => a.workflow.workflowId),
    };
  }

  /**
   * Changes a schedule. A new spec or `--set` overrides are validated here, before the schedule is
   * touched, so a bad change fails now and not at the next fire time.
   */
  async update(scheduleId: string, changes: ScheduleUpdateOptions): Promise<void> {
    const current = scheduledInput(await this.describeRaw(scheduleId));
    const extra = changes.overrides ?? [];
    // Unchanged spec: the action keeps its payload (and claim check) as it is.
    let payload: SpecPayload = {
      spec: current.spec,
      ...(current.specRef ? { specRef: current.specRef } : {}),
    };
    if (changes.spec || extra.length) {
      const base = changes.spec ?? (await this.fullSpec(current));
      const spec = extra.length ? validateSpec(applyOverrides(base, extra), 'spec with --set') : base;
      payload = await this.specPayload(scheduleId, spec);
    }
    const overrides = [...(changes.spec ? [] : (current.overrides ?? [])), ...extra];
    const timing = changes.cron || changes.every ? scheduleSpec(changes) : undefined;
    if (!timing && changes.timezone) checkTimezone(changes.timezone);
    await this.temporal.schedule.getHandle(scheduleId).update((previous) => {
      // A new cron keeps the schedule's zone unless --timezone (or CRON_TZ=) changes it.
      const timezone = timing?.timezone ?? changes.timezone ?? previous.spec.timezone;
      return {
        ...previous,
        spec: {
          ...(timing ?? previous.spec),
          ...(changes.jitter ? { jitter: changes.jitter as Duration } : {}),
          ...(timezone ? { timezone } : {}),
        },
        action: this.action(
          scheduleId,
          payload,
          overrides,
          timezone,
          changes.spec
            ? changes.specFile
            : ((previous.action.memo?.[SPEC_FILE_MEMO_KEY] as string | undefined) ?? undefined),
        ),
        policies: {
          ...previous.policies,
          ...(changes.overlap ? { overlap: OVERLAP_POLICIES[changes.overlap] } : {}),
          ...(changes.pauseOnFailure !== undefined ? { pauseOnFailure: changes.pauseOnFailure } : {}),
        },
      };
    });
  }

  async pause(scheduleId: string, note = 'paused with quiver schedule pause'): Promise<void> {
    await this.handle(scheduleId).pause(note);
  }

  async unpause(scheduleId: string, note = 'unpaused with quiver schedule unpause'): Promise<void> {
    await this.handle(scheduleId).unpause(note);
  }

  /** Starts a run now; `allow-all` so it also runs while another scheduled run is still going. */
  async trigger(scheduleId: string): Promise<void> {
    await this.handle(scheduleId).trigger(ScheduleOverlapPolicy.ALLOW_ALL);
  }

  /**
   * Starts one run for every time the schedule would have fired between `from` and `to` (as the server
   * computes them, time zone included) and returns them. Each run carries its fire time (`{{date}}` in
   * the spec is that day) and a run id of its own, unique per backfill even when a day is backfilled
   * twice; they run side by side, and their deploys move the alias in fire-time order, never in the
   * order they finish.
   */
  async backfill(scheduleId: string, from: Date, to: Date): Promise<BackfilledRun[]> {
    if (!(from < to)) throw new SpecError(`backfill: --from (${from.toISOString()}) must be before --to`);
    const description = await this.describeRaw(scheduleId);
    const input = scheduledInput(description);
    const matching = await this.temporal.workflowService.listScheduleMatchingTimes({
      namespace: this.temporal.options.namespace,
      scheduleId,
      startTime: msNumberToTs(from.getTime()),
      endTime: msNumberToTs(to.getTime()),
    });
    const fires = (matching.startTime ?? []).map((t) => tsToDate(t));
    const specFile = description.action.memo?.[SPEC_FILE_MEMO_KEY] as string | undefined;
    const runs: BackfilledRun[] = [];
    for (const fire of fires) {
      const runId = backfillRunId(input.spec.name, scheduleId, fire);
      const runInput: PipelineInput = {
        ...input,
        fire: { at: fire.toISOString(), timeZone: description.spec.timezone || null },
      };
      const options = pipelineStartOptions(runInput, this.taskQueues.cpu);
      await this.temporal.workflow.start(trainingPipeline, {
        ...options,
        // As the schedule's own fires carry them: the UI and `runs ls --schedule` find backfilled runs too.
        typedSearchAttributes: [...options.typedSearchAttributes, ...scheduledAttributes(scheduleId, fire)],
        workflowId: runId,
        memo: {
          [BACKFILL_MEMO_KEY]: { scheduleId, firedAt: fire.toISOString() },
          ...(specFile ? { [SPEC_FILE_MEMO_KEY]: specFile } : {}),
        },
      });
      runs.push({ runId, scheduledAt: fire.toISOString() });
    }
    return runs;
  }

  /** Deletes the schedule; the runs it started stay. */
  async delete(scheduleId: string): Promise<void> {
    await this.handle(scheduleId).delete();
  }

  private handle(scheduleId: string) {
    return this.temporal.schedule.getHandle(scheduleId);
  }

  private async describeRaw(scheduleId: string): Promise<ScheduleDescription> {
    try {
      return await this.handle(scheduleId).describe();
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) throw new QuiverError(`no schedule ${scheduleId}`);
      throw error;
    }
  }

  private async runStatus(runId: string): Promise<ScheduledRun['status']> {
    try {
      return (await this.temporal.workflow.getHandle(runId).describe()).status.name;
    } catch {
      return 'UNKNOWN'; // deleted by retention
    }
  }

  /**
   * The spec as the action carries it: inline when small, else written to the checkpoint store (the
   * claim check runs use) and carried as its reference plus a compact copy.
   */
  private async specPayload(scheduleId: string, spec: PipelineSpec): Promise<SpecPayload> {
    if (!this.store || jsonBytes(spec) <= INLINE_LIMIT_BYTES) return { spec };
    return specPayload(openStore(this.store), spec, `schedule-${scheduleId}`);
  }

  /** The full spec a schedule runs, read back from the store when it travels by reference. */
  private async fullSpec(input: PipelineInput): Promise<PipelineSpec> {
    if (!input.specRef) return input.spec;
    if (!this.store)
      throw new QuiverError('this schedule keeps its spec in the checkpoint store: give QUIVER_STORE');
    return loadSpecCheckpoint(openStore(this.store), input.specRef);
  }

  /**
   * The schedule's action: a normal Quiver run. Temporal appends the fire time to the workflow id (so
   * each fire has its own run id) and sets `TemporalScheduledStartTime`, which the run renders
   * `{{date}}` from, in `timeZone`.
   */
  private action(
    scheduleId: string,
    payload: SpecPayload,
    overrides: string[],
    timeZone: string | undefined,
    specFile: string | undefined,
  ): ScheduleOptionsStartWorkflowAction<typeof trainingPipeline> {
    const input: PipelineInput = {
      ...payload,
      overrides,
      taskQueues: this.taskQueues,
      ...(this.store ? { store: this.store } : {}),
      ...(timeZone ? { timeZone } : {}),
    };
    assertWithinPayloadLimit('the scheduled run input (spec, overrides)', input);
    return {
      type: 'startWorkflow',
      workflowType: trainingPipeline,
      workflowId: `quiver-${payload.spec.name}-${scheduleId}`,
      ...pipelineStartOptions(input, this.taskQueues.cpu),
      ...(specFile ? { memo: { [SPEC_FILE_MEMO_KEY]: specFile } } : {}),
    };
  }
}

/**
 * Every checkpoint reference Quiver's schedules carry (a large spec's claim check), so `checkpoints gc`
 * keeps a schedule's spec for as long as the schedule exists. A schedule deleted meanwhile is skipped.
 */
export async function scheduleCheckpointRefs(temporal: Client): Promise<CheckpointRef[]> {
  const refs: CheckpointRef[] = [];
  for await (const summary of temporal.schedule.list()) {
    if (!summary.memo?.[SCHEDULE_MEMO_KEY]) continue; // not a Quiver schedule
    const description = await temporal.schedule
      .getHandle(summary.scheduleId)
      .describe()
      .catch((error: unknown) => {
        if (error instanceof ScheduleNotFoundError) return undefined;
        throw error;
      });
    const specRef = description && (description.action.args?.[0] as PipelineInput | undefined)?.specRef;
    if (specRef) refs.push(specRef);
  }
  return refs;
}

/** The pipeline input a schedule's action carries. */
function scheduledInput(description: ScheduleDescription): PipelineInput {
  const input = description.action.args?.[0] as PipelineInput | undefined;
  if (!input?.spec) throw new QuiverError(`schedule ${description.scheduleId} is not a Quiver schedule`);
  return input;
}

/**
 * `--cron` or `--every` (exactly one), `--jitter` and `--timezone`, as a Temporal schedule spec.
 * Cron is the standard Unix dialect: five fields (minute hour day-of-month month day-of-week) or a
 * macro (`@daily`); a seconds field (Quartz/Spring's six or seven fields) is refused, not misread. A
 * `CRON_TZ=`/`TZ=` prefix is taken as `--timezone`, so `describe` shows it.
 */
export function scheduleSpec(timing: ScheduleTiming): ScheduleSpec {
  if (Boolean(timing.cron) === Boolean(timing.every))
    throw new SpecError('schedule: give exactly one of --cron EXPR or --every DURATION', [
      { path: '--cron/--every', message: 'exactly one is required' },
    ]);
  if (timing.every) checkDuration('--every', timing.every);
  if (timing.jitter) checkDuration('--jitter', timing.jitter);
  let { cron, timezone } = timing;
  const prefixed = cron?.trim().match(/^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/);
  if (prefixed) {
    if (timezone && timezone !== prefixed[1])
      throw new SpecError(`--cron names zone ${prefixed[1]} but --timezone is ${timezone}: give one`, [
        { path: '--timezone', message: 'conflicts with the CRON_TZ= prefix of --cron' },
      ]);
    timezone = prefixed[1];
    cron = prefixed[2];
  }
  if (cron) checkCron(cron);
  if (timezone) checkTimezone(timezone);
  return {
    ...(cron ? { cronExpressions: [cron.trim()] } : {}),
    ...(timing.every ? { intervals: [{ every: timing.every as Duration }] } : {}),
    ...(timing.jitter ? { jitter: timing.jitter as Duration } : {}),
    ...(timezone ? { timezone } : {}),
  };
}

const CRON_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const CRON_FIELDS = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'];
const CRON_FIELD = /^[0-9A-Za-z*?/,-]+$/;

/** Five standard fields or a macro; anything else exits 2 naming `--cron` and what was wrong. */
function checkCron(cron: string): void {
  const fields = cron.trim().split(/\s+/);
  const fail = (why: string) => new SpecError(`--cron '${cron}': ${why}`, [{ path: '--cron', message: why }]);
  if (fields[0].startsWith('@')) {
    if (fields.length !== 1 || !CRON_MACROS.includes(fields[0]))
      throw fail(`unknown macro; use one of ${CRON_MACROS.join(', ')}`);
    return;
  }
  if (fields.length === 6 || fields.length === 7)
    throw fail(
      `${fields.length} fields given; Quiver reads standard 5-field cron (${CRON_FIELDS.join(' ')}), with no seconds or year field: '${fields.slice(1, 6).join(' ')}' may be what you mean`,
    );
  if (fields.length !== 5)
    throw fail(
      `expected 5 fields (${CRON_FIELDS.join(' ')}) or a macro such as @daily, got ${fields.length}`,
    );
  fields.forEach((field, i) => {
    if (!CRON_FIELD.test(field)) throw fail(`${CRON_FIELDS[i]} field '${field}' is not a cron field`);
  });
}

/** An IANA zone name the runtime knows (`Europe/Paris`, `UTC`); exits 2 naming `--timezone` otherwise. */
export function checkTimezone(zone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new SpecError(
      `--timezone '${zone}': not an IANA time zone (e.g. Europe/Paris, America/New_York, UTC)`,
      [{ path: '--timezone', message: `unknown time zone '${zone}'` }],
    );
  }
}

/** Set by Temporal on each run a schedule fires: its schedule and fire time. */
const SCHEDULED_BY_ID = defineSearchAttributeKey('TemporalScheduledById', SearchAttributeType.KEYWORD);
const SCHEDULED_START_TIME = defineSearchAttributeKey(
  'TemporalScheduledStartTime',
  SearchAttributeType.DATETIME,
);

/** The search attributes Temporal gives a scheduled fire, for a run a backfill starts itself. */
function scheduledAttributes(scheduleId: string, fire: Date): SearchAttributePair[] {
  return [
    { key: SCHEDULED_BY_ID, value: scheduleId },
    { key: SCHEDULED_START_TIME, value: fire },
  ];
}

/** A run a backfill started, and the fire time it stands for. */
export interface BackfilledRun {
  runId: string;
  scheduledAt: string;
}

/** Memo key on a backfilled run: the schedule and fire time it was started for. */
const BACKFILL_MEMO_KEY = 'quiverBackfill';

/** `quiver-iris-nightly-20261120T030000Z-x7k2`: the fire time, plus a suffix so a re-fire is a new run. */
export function backfillRunId(pipeline: string, scheduleId: string, fire: Date): string {
  const stamp = fire
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `quiver-${pipeline}-${scheduleId}-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

function checkDuration(flag: string, value: string): void {
  let ms: number;
  try {
    ms = msToNumber(value as Duration);
  } catch {
    ms = NaN;
  }
  if (!(ms > 0))
    throw new SpecError(`${flag} ${value}: expected a duration such as 30m, 1h or 1d`, [
      { path: flag, message: 'expected a duration' },
    ]);
}

/** The user's name for an overlap policy (`buffer-one`); the server's default is `skip`. */
function overlapName(policy: ScheduleOverlapPolicy | undefined): string {
  const entry = Object.entries(OVERLAP_POLICIES).find(([, value]) => value === policy);
  return entry?.[0] ?? (policy ? String(policy).toLowerCase() : 'skip');
}

/** A calendar as five cron-like fields: minute hour day-of-month month day-of-week. */
function formatCalendar(calendar: CalendarSpecDescription): string {
  const field = (ranges: Range<number | string>[], full: [number | string, number | string]) =>
    ranges
      .map((r) => {
        if (r.start === full[0] && r.end === full[1] && r.step <= 1) return '*';
        const span = r.end === r.start ? String(r.start) : `${r.start}-${r.end}`;
        return r.step > 1 ? `${span}/${r.step}` : span;
      })
      .join(',') || '*';
  return [
    field(calendar.minute, [0, 59]),
    field(calendar.hour, [0, 23]),
    field(calendar.dayOfMonth, [1, 31]),
    field(calendar.month, ['JANUARY', 'DECEMBER']),
    field(calendar.dayOfWeek, ['SUNDAY', 'SATURDAY']),
  ].join(' ');
}

export function formatMs(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  for (const [unit, size] of units) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
