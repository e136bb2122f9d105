import type { Command } from 'commander';
import { QuiverError, SpecError } from '../../core/errors';
import type { MonitorConfig, OnDrift } from '../../core/monitoring/monitor-config';
import type { PipelineInput } from '../../core/run-types';
import type { PipelineSpec } from '../../core/spec/schema';
import { withEnvironment, type Environment, type GlobalFlags } from '../environment';
import { table } from '../format';
import type { MonitorRunView, QuiverMonitors } from '../monitors';
import { emit } from '../output';
import { positiveInteger, positiveNumber } from '../option-values';

// Loaded on first use, so that `quiver --help` loads neither the Temporal client nor YAML and zod.
const specs = () => require('../../core/spec/load') as typeof import('../../core/spec/load');
const monitorsModule = () => require('../monitors') as typeof import('../monitors');

const collect = (value: string, previous: string[]) => [...previous, value];

interface CreateFlags {
  every: string;
  alias: string;
  onDrift: string;
  retrainSpec?: string;
  retrainSource?: string;
  set: string[];
  schedule?: string;
  rollbackBelow?: string;
  webhook?: string;
  psi: number;
  linf: number;
  minRows: number;
  minFeedback: number;
  id?: string;
}

function monitors(env: Environment): QuiverMonitors {
  return new (monitorsModule().QuiverMonitors)(env.client.temporal, env.config.taskQueues);
}

/** The spec a retraining runs: a spec file (with `--set`, and `--retrain-source` as its source) or a schedule's. */
async function retrainSpec(env: Environment, flags: CreateFlags): Promise<PipelineSpec | undefined> {
  const overrides = [...flags.set, ...(flags.retrainSource ? [`source.uri=${flags.retrainSource}`] : [])];
  if (flags.retrainSpec) return specs().loadSpecFile(flags.retrainSpec, overrides).spec;
  if (!flags.schedule) return undefined;
  const description = await env.client.temporal.schedule.getHandle(flags.schedule).describe();
  const input =
    description.action.type === 'startWorkflow'
      ? (description.action.args?.[0] as PipelineInput | undefined)
      : undefined;
  if (!input?.spec) throw new QuiverError(`schedule ${flags.schedule} is not a Quiver pipeline schedule`);
  return flags.retrainSource
    ? { ...input.spec, source: { ...input.spec.source, uri: flags.retrainSource } }
    : input.spec;
}

function formatRuns(runs: MonitorRunView[]): string {
  if (runs.length === 0) return 'no monitor runs yet';
  const rows = [['RUN', 'STARTED', 'STATUS', 'VERSION', 'ROWS', 'DRIFT', 'LIVE', 'ACTION']];
  const alerts: string[] = [];
  for (const run of runs) {
    const r = run.result;
    const live = r?.quality
      ? [
          r.quality.accuracy !== undefined ? `accuracy ${r.quality.accuracy.toFixed(3)}` : null,
          r.quality.rmse !== undefined ? `rmse ${r.quality.rmse.toPrecision(4)}` : null,
          `${r.quality.labelled} labelled`,
        ]
          .filter(Boolean)
          .join(' · ')
      : '-';
    const action = r?.rolledBack
      ? `rolled back v${r.rolledBack.from} → v${r.rolledBack.to}`
      : r?.retrain
        ? `retraining ${r.retrain}`
        : '-';
    rows.push([
      run.runId,
      run.startedAt.replace('T', ' ').slice(0, 19),
      r ? (r.rolledBack ? 'ROLLED_BACK' : r.breached.length ? 'DRIFT' : 'OK') : run.status,
      r?.version != null ? `v${r.version}` : '-',
      r ? String(r.rows) : '-',
      r ? (r.skipped ?? (r.breached.length ? r.breached.join(',') : 'none')) : '-',
      live,
      action,
    ]);
    if (r?.breached.length)
      for (const d of r.drift.filter((x) => x.breached))
        alerts.push(`ALERT ${run.startedAt.slice(0, 19)} ${r.model} v${r.version}: ${d.feature} ${d.note}`);
    if (r?.rolledBack) alerts.push(`ALERT ${run.startedAt.slice(0, 19)} ${r.rolledBack.reason}`);
  }
  return [table(rows), ...(alerts.length ? ['', ...alerts] : [])].join('\n');
}

/** `quiver monitor create|status|run|delete`: drift and live-quality monitoring of a served model. */
export function registerMonitorCommands(program: Command, flagsOf: (cmd: Command) => GlobalFlags): void {
  const monitor = program
    .command('monitor')
    .description('watch a served model: drift, live quality, retraining');

  monitor
    .command('create <model>')
    .description('a Temporal Schedule of monitorModel runs over the prediction log')
    .requiredOption('--every <duration>', 'how often to look at new traffic (e.g. 1h)')
    .option('--alias <alias>', 'the alias whose served version is watched', 'production')
    .option('--on-drift <action>', 'alert (default) or retrain', 'alert')
    .option('--retrain-spec <file>', 'the pipeline spec a retraining runs')
    .option('--retrain-source <uri>', "the recent data a retraining trains on (the spec's source.uri)")
    .option('--set <k=v>', 'override a field of the retraining spec (repeatable)', collect, [])
    .option('--schedule <id>', "retrain with this Quiver schedule's spec instead of --retrain-spec")
    .option(
      '--rollback-below <metric=value,…>',
      'roll the alias back when a live metric falls below (rmse: above)',
    )
    .option('--webhook <url>', 'POST a JSON alert here on drift and on rollback')
    .option('--psi <n>', 'PSI threshold for numeric features', positiveNumber, 0.2)
    .option('--linf <n>', 'L-infinity threshold for categorical features', positiveNumber, 0.1)
    .option('--min-rows <n>', 'fewer new rows are not judged', positiveInteger, 100)
    .option('--min-feedback <n>', 'live metrics are judged from this many labels on', positiveInteger, 20)
    .option('--id <id>', 'monitor id (default monitor-MODEL-ALIAS)')
    .action(async (model: string, flags: CreateFlags, cmd: Command) => {
      const global = flagsOf(cmd);
      if (!['alert', 'retrain'].includes(flags.onDrift))
        throw new SpecError(`--on-drift ${flags.onDrift}: expected alert or retrain`, [
          { path: '--on-drift', message: 'expected alert or retrain' },
        ]);
      await withEnvironment(global, { embedded: false }, async (env) => {
        const spec = await retrainSpec(env, flags);
        if (flags.onDrift === 'retrain' && !spec)
          throw new SpecError('--on-drift retrain needs --retrain-spec FILE or --schedule ID', [
            { path: '--retrain-spec', message: 'required with --on-drift retrain' },
          ]);
        const config: MonitorConfig = {
          id: flags.id ?? monitorsModule().monitorId(model, flags.alias),
          model,
          alias: flags.alias,
          onDrift: flags.onDrift as OnDrift,
          psi: flags.psi,
          linf: flags.linf,
          minRows: flags.minRows,
          minFeedback: flags.minFeedback,
          ...(spec ? { retrainSpec: spec } : {}),
          ...(flags.schedule ? { retrainSchedule: flags.schedule } : {}),
          ...(flags.rollbackBelow
            ? { rollbackBelow: monitorsModule().parseBounds(flags.rollbackBelow, '--rollback-below') }
            : {}),
          ...(flags.webhook ? { webhook: flags.webhook } : {}),
        };
        await monitors(env).create(config, flags.every);
        emit(
          global,
          config,
          (c) => `monitor ${c.id} watches ${c.model}@${c.alias} every ${flags.every}; on drift: ${c.onDrift}`,
        );
      });
    });

  monitor
    .command('status <monitor>')
    .description("a monitor's recent runs: drift, live quality, alerts, rollbacks and retrainings")
    .option('--limit <n>', 'at most N runs', positiveInteger, 10)
    .action(async (id: string, options: { limit: number }, cmd: Command) => {
      const global = flagsOf(cmd);
      await withEnvironment(global, { embedded: false }, async (env) => {
        const m = monitors(env);
        const config = await m.config(id);
        emit(global, { config, runs: await m.runs(config, options.limit) }, (v) => formatRuns(v.runs));
      });
    });

  monitor
    .command('run <monitor>')
    .description('run a monitor now, outside its timetable')
    .action(async (id: string, _options: unknown, cmd: Command) => {
      const global = flagsOf(cmd);
      await withEnvironment(global, { embedded: false }, async (env) => {
        await monitors(env).trigger(id);
        emit(global, { triggered: id }, () => `monitor ${id} triggered`);
      });
    });

  monitor
    .command('delete <monitor>')
    .description("delete a monitor's schedule (its past runs and reports stay)")
    .action(async (id: string, _options: unknown, cmd: Command) => {
      const global = flagsOf(cmd);
      await withEnvironment(global, { embedded: false }, async (env) => {
        await monitors(env).delete(id);
        emit(global, { deleted: id }, () => `monitor ${id} deleted`);
      });
    });
}
