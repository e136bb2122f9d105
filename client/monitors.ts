import type { Client } from '@temporalio/client';
import { ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { QuiverError } from '../core/errors';
import type { MonitorConfig, MonitorResult } from '../core/monitoring/monitor-config';
import type { PipelineInput } from '../core/run-types';
import { SEARCH_ATTRIBUTES } from '../core/search-attributes';
import { monitorModel, MONITOR_MEMO_KEY, type MonitorWorkflowInput } from '../workflows';
import { scheduleSpec } from './schedules';

/** One monitor run as `monitor status` lists it. */
export interface MonitorRunView {
  runId: string;
  status: string;
  startedAt: string;
  result: MonitorResult | null;
}

/** `quiver monitor …` on Temporal Schedules of the `monitorModel` workflow. */
export class QuiverMonitors {
  constructor(
    private readonly temporal: Client,
    private readonly taskQueues: { cpu: string; gpu: string },
  ) {}

  /** Creates the monitor's schedule; every run of it is one `monitorModel` workflow. */
  async create(config: MonitorConfig, every: string): Promise<void> {
    const input: MonitorWorkflowInput = { config, taskQueues: this.taskQueues };
    try {
      await this.temporal.schedule.create({
        scheduleId: config.id,
        spec: scheduleSpec({ every }),
        action: {
          type: 'startWorkflow',
          workflowType: monitorModel,
          workflowId: `quiver-${config.id}`,
          taskQueue: this.taskQueues.cpu,
          args: [input],
          typedSearchAttributes: [
            { key: SEARCH_ATTRIBUTES.pipeline, value: `monitor:${config.model}` },
            { key: SEARCH_ATTRIBUTES.status, value: 'RUNNING' },
            { key: SEARCH_ATTRIBUTES.step, value: 'monitor' },
          ],
          staticSummary: `monitor ${config.model}@${config.alias} · on drift: ${config.onDrift}`,
        },
        // A monitor run that is still reading must not be joined by the next one (same position).
        policies: { overlap: ScheduleOverlapPolicy.SKIP },
      });
    } catch (error) {
      if ((error as Error).name === 'ScheduleAlreadyRunning')
        throw new QuiverError(
          `monitor ${config.id} exists already: \`quiver monitor delete ${config.id}\` first`,
        );
      throw error;
    }
  }

  /** Runs the monitor now (its schedule's action, outside the timetable). */
  async trigger(id: string): Promise<void> {
    await this.guard(id, () => this.temporal.schedule.getHandle(id).trigger());
  }

  async delete(id: string): Promise<void> {
    await this.guard(id, () => this.temporal.schedule.getHandle(id).delete());
  }

  /** The monitor's configuration as its schedule carries it. */
  async config(id: string): Promise<MonitorConfig> {
    const description = await this.guard(id, () => this.temporal.schedule.getHandle(id).describe());
    const input =
      description.action.type === 'startWorkflow'
        ? (description.action.args?.[0] as MonitorWorkflowInput | PipelineInput)
        : undefined;
    if (!input || !('config' in input)) throw new QuiverError(`schedule ${id} is not a Quiver monitor`);
    return input.config;
  }

  /** The monitor's recent runs, newest first, with what each found (from their memo: no worker needed). */
  async runs(config: MonitorConfig, limit = 10): Promise<MonitorRunView[]> {
    const query = `WorkflowType = 'monitorModel' AND QuiverPipeline = 'monitor:${config.model}'`;
    const out: MonitorRunView[] = [];
    for await (const execution of this.temporal.workflow.list({ query })) {
      if (!execution.workflowId.startsWith(`quiver-${config.id}`)) continue;
      const memo = (await execution.memo) as Record<string, unknown> | undefined;
      out.push({
        runId: execution.workflowId,
        status: execution.status.name,
        startedAt: execution.startTime.toISOString(),
        result: (memo?.[MONITOR_MEMO_KEY] as MonitorResult | undefined) ?? null,
      });
      if (out.length >= limit * 4) break;
    }
    return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, limit);
  }

  private async guard<T>(id: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) throw new QuiverError(`no monitor ${id}`);
      throw error;
    }
  }
}

/** The default monitor id: one monitor per model alias. */
export function monitorId(model: string, alias: string): string {
  return `monitor-${model}-${alias}`;
}

/** `accuracy=0.8,macroF1=0.7` → `{ accuracy: 0.8, macroF1: 0.7 }`. */
export function parseBounds(text: string, flag: string): Record<string, number> {
  const bounds: Record<string, number> = {};
  for (const part of text.split(',')) {
    const [metric, value] = part.split('=');
    const bound = Number(value);
    if (!metric || !['accuracy', 'macroF1', 'rmse'].includes(metric.trim()) || !Number.isFinite(bound))
      throw new QuiverError(
        `${flag} ${text}: expected METRIC=NUMBER[,…] with METRIC accuracy, macroF1 or rmse`,
      );
    bounds[metric.trim()] = bound;
  }
  return bounds;
}
