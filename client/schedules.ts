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
import { msToNumber, type Duration } from '@temporalio/common';
import { QuiverError, SpecError } from '../core/errors';
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
  constructor(
    private readonly temporal: Client,
    private readonly taskQueues: { cpu: string; gpu: string },
  ) {}

  async create(options: ScheduleCreateOptions): Promise<string> {
    const handle = await this.temporal.schedule
      .create({
        scheduleId: options.scheduleId,
        spec: scheduleSpec(options),
        action: this.action(options.scheduleId, options.spec, options.overrides, options.specFile),
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
    const base = changes.spec ?? current.spec;
    const extra = changes.overrides ?? [];
    const spec = extra.length ? validateSpec(applyOverrides(base, extra), 'spec with --set') : base;
    const overrides = [...(changes.spec ? [] : (current.overrides ?? [])), ...extra];
    const timing = changes.cron || changes.every ? scheduleSpec(changes) : undefined;
    await this.temporal.schedule.getHandle(scheduleId).update((previous) => ({
      ...previous,
      spec: timing ?? {
        ...previous.spec,
        ...(changes.jitter ? { jitter: changes.jitter as Duration } : {}),
      },
      action: this.action(
        scheduleId,
        spec,
        overrides,
        changes.spec
          ? changes.specFile
          : ((previous.action.memo?.[SPEC_FILE_MEMO_KEY] as string | undefined) ?? undefined),
      ),
      policies: {
        ...previous.policies,
        ...(changes.overlap ? { overlap: OVERLAP_POLICIES[changes.overlap] } : {}),
        ...(changes.pauseOnFailure !== undefined ? { pauseOnFailure: changes.pauseOnFailure } : {}),
      },
    }));
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

  /** Takes every action the schedule would have taken between `from` and `to`, as if it had been running. */
  async backfill(
    scheduleId: string,
    from: Date,
    to: Date,
    overlap: OverlapName = 'allow-all',
  ): Promise<void> {
    if (!(from < to)) throw new SpecError(`backfill: --from (${from.toISOString()}) must be before --to`);
    await this.handle(scheduleId).backfill({ start: from, end: to, overlap: OVERLAP_POLICIES[overlap] });
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

  /** The schedule's action: a normal Quiver run (Temporal appends the fire time to the workflow id). */
  private action(
    scheduleId: string,
    spec: PipelineSpec,
    overrides: string[],
    specFile: string | undefined,
  ): ScheduleOptionsStartWorkflowAction<typeof trainingPipeline> {
    const input: PipelineInput = { spec, overrides, taskQueues: this.taskQueues };
    return {
      type: 'startWorkflow',
      workflowType: trainingPipeline,
      workflowId: `quiver-${spec.name}-${scheduleId}`,
      ...pipelineStartOptions(input, this.taskQueues.cpu),
      ...(specFile ? { memo: { [SPEC_FILE_MEMO_KEY]: specFile } } : {}),
    };
  }
}

/** The pipeline input a schedule's action carries. */
function scheduledInput(description: ScheduleDescription): PipelineInput {
  const input = description.action.args?.[0] as PipelineInput | undefined;
  if (!input?.spec) throw new QuiverError(`schedule ${description.scheduleId} is not a Quiver schedule`);
  return input;
}

/** `--cron` or `--every` (exactly one) and `--jitter`, as a Temporal schedule spec. */
export function scheduleSpec(timing: ScheduleTiming): ScheduleSpec {
  if (Boolean(timing.cron) === Boolean(timing.every))
    throw new SpecError('schedule: give exactly one of --cron EXPR or --every DURATION', [
      { path: '--cron/--every', message: 'exactly one is required' },
    ]);
  if (timing.every) checkDuration('--every', timing.every);
  if (timing.jitter) checkDuration('--jitter', timing.jitter);
  if (timing.cron && timing.cron.trim().split(/\s+/).length < 5 && !timing.cron.startsWith('@'))
    throw new SpecError(
      `--cron ${timing.cron}: expected 5 fields (minute hour day month weekday) or @daily`,
      [{ path: '--cron', message: 'expected 5 fields' }],
    );
  return {
    ...(timing.cron ? { cronExpressions: [timing.cron] } : {}),
    ...(timing.every ? { intervals: [{ every: timing.every as Duration }] } : {}),
    ...(timing.jitter ? { jitter: timing.jitter as Duration } : {}),
  };
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
