import type { Command } from 'commander';
// Heavy modules (registry and store: the AWS SDK; Arrow; TensorFlow.js) load inside actions, so
// `quiver --help` stays fast (test/unit/client/cli-startup.test.ts).
import type { StepName } from '../../core/run-types';
import { configFrom, type GlobalFlags } from '../environment';
import { formatDuration, formatSummary, shortRef, table } from '../format';
import type { StepRunResult } from '../local-run-step';
import { emit, info } from '../output';
import { nonNegativeInteger } from '../option-values';
import { formatComparison } from './runs-inspect';
import { cell, rowsOf } from './checkpoints';

const collect = (value: string, previous: string[]) => [...previous, value];

/** What `step run` prints: the local run, params changed, summary, outputs, the head, and the diff. */
function formatStepRun(r: StepRunResult & { head: Record<string, unknown>[] }): string {
  const { run, step, source } = r;
  const names = r.head.length ? Object.keys(r.head[0]) : [];
  return [
    `step ${step.name} of ${source.runId} ran in-process as ${run.runId} in ${formatDuration(step.durationMs)} (no Temporal server)`,
    `params: ${r.paramChanges.join(', ') || `as in ${source.runId}`}`,
    `summary: ${formatSummary(step.summary)}`,
    `outputs: ${Object.entries(step.outputs)
      .map(([name, ref]) => `${name} ${shortRef(ref)}`)
      .join(' · ')}`,
    '',
    `${step.primary} (first ${r.head.length} rows):`,
    names.length ? table([names, ...r.head.map((row) => names.map((n) => cell(row[n])))]) : '(no rows)',
    '',
    `against ${source.runId}'s ${step.name}:`,
    formatComparison(r.comparison),
  ].join('\n');
}

/** `quiver step run STEP --from RUN`: one step's production code, in this process, no server. */
export function registerStepCommands(program: Command, flagsOf: (cmd: Command) => GlobalFlags): void {
  const step = program.command('step').description('run one pipeline step in-process');

  step
    .command('run <step>')
    .description(
      "run STEP's production code in this process on RUN's input checkpoints (no Temporal server); " +
        "print its summary, the head of its output and what changed against RUN's",
    )
    .requiredOption('--from <run>', 'the run whose input checkpoints STEP reads (a durable or local-… run)')
    .option('--set <key=value>', 'override a spec field (repeatable)', collect, [])
    .option('--spec <file>', "run under this spec file instead of RUN's spec")
    .option('--head <n>', 'rows of the primary output to show', nonNegativeInteger, 5)
    .option(
      '--allow-deploy',
      'let `step run deploy` register a new model version and move its alias (refused without it)',
    )
    .action(
      async (
        name: string,
        options: { from: string; set: string[]; spec?: string; head: number; allowDeploy?: boolean },
        cmd: Command,
      ) => {
        const flags = flagsOf(cmd);
        const head = options.head;
        const config = configFrom(flags);
        const { Quiver } = require('../library') as typeof import('../library');
        const quiver = new Quiver({
          home: config.home,
          address: config.temporalAddress,
          namespace: config.namespace,
        });
        if (!flags.json) info(`running ${name} of ${options.from} in-process…`);
        const result = await quiver.runStep(name as StepName, {
          from: options.from,
          set: options.set,
          spec: options.spec,
          allowDeploy: options.allowDeploy,
        });
        const primary = result.step.checkpoint;
        const { openStore } =
          require('../../core/checkpoint/store') as typeof import('../../core/checkpoint/store');
        const rows = primary ? rowsOf(await openStore(config.store).read(primary), head) : [];
        emit(flags, { ...result, head: rows }, formatStepRun);
      },
    );
}
