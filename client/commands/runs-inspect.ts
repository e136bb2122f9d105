import type { Command } from 'commander';
import { SpecError } from '../../core/errors';
import { configFrom, withEnvironment, type GlobalFlags } from '../environment';
import { readRunViews } from '../local-run-views';
import { formatDuration, table } from '../format';
import { emit } from '../output';
import { positiveInteger, runStatus } from '../option-values';
import { RUN_STATUSES } from '../../core/run-types';
import type { ColumnSummary, RunComparison } from '../run-compare';
import type { RunListEntry } from '../run-list';
import type { RunNote } from '../run-notes';

/** The journal's readers, loaded by the actions that show notes (the journal's store stays off `--help`). */
const notesDisplay = () => require('../notes-display') as typeof import('../notes-display');

/** `runs ls`'s table; with `--notes` each entry carries its journal notes and a NOTES column shows the latest. */
export function formatRunList(entries: (RunListEntry & { notes?: RunNote[] })[]): string {
  if (entries.length === 0) return 'no runs';
  const withNotes = entries.some((e) => e.notes);
  return table([
    [
      'RUN',
      'PIPELINE',
      'STATUS',
      'STEP',
      'STARTED',
      'DURATION',
      'MODEL',
      'SCHEDULE',
      ...(withNotes ? ['NOTES'] : []),
    ],
    ...entries.map((e) => [
      e.runId,
      e.pipeline ?? '-',
      e.status,
      e.step ?? '-',
      e.startedAt.replace('T', ' ').slice(0, 19),
      formatDuration(e.durationMs),
      e.modelVersion === null ? '-' : `v${e.modelVersion}`,
      e.schedule ?? '-',
      ...(withNotes ? [notesDisplay().notesCell(e.notes ?? [])] : []),
    ]),
  ]);
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(4);
  if (typeof value === 'string') return /^[0-9a-f]{64}$/.test(value) ? value.slice(0, 12) : value;
  return JSON.stringify(value);
}

function describeSummary(summary: ColumnSummary | null): string {
  if (!summary) return 'absent';
  const parts = [`nulls ${summary.nulls}`];
  if (summary.mean !== undefined)
    parts.push(`min ${cell(summary.min)} max ${cell(summary.max)} mean ${cell(summary.mean)}`);
  if (summary.distinct !== undefined) parts.push(`distinct ${summary.distinct}`);
  if (summary.valueCounts)
    parts.push(
      Object.entries(summary.valueCounts)
        .map(([value, n]) => `'${value}' ${n}`)
        .join(' '),
    );
  else if (summary.valueCountsSha256) parts.push(`counts ${summary.valueCountsSha256}`);
  return parts.join(', ');
}

/**
 * Params, metrics and durations as tables with one column per run; then each checkpoint's verdict;
 * then each run's journal notes (what was tried), when `notes` are given.
 */
export function formatComparison(comparison: RunComparison & { notes?: Record<string, RunNote[]> }): string {
  const header = ['', ...comparison.runs.map((r) => r.runId)];
  const sections = [
    table([header, ['status', ...comparison.runs.map((r) => r.status)]]),
    comparison.params.length
      ? table([
          ['PARAM', ...header.slice(1)],
          ...comparison.params.map((p) => [p.path, ...p.values.map(cell)]),
        ])
      : 'PARAM  (no differences)',
    table([
      ['METRIC', ...header.slice(1)],
      ...comparison.metrics.map((m) => [m.name, ...m.values.map(cell)]),
    ]),
    table([
      ['DURATION', ...header.slice(1)],
      ...comparison.durations.map((d) => [d.step, ...d.values.map(formatDuration)]),
    ]),
  ];
  const checkpointLines = ['CHECKPOINT'];
  for (const c of comparison.checkpoints) {
    const name = `${c.step}.${c.output}`;
    if (c.identical) {
      checkpointLines.push(`  ${name}: same (${c.sha256[0]?.slice(0, 12)})`);
      continue;
    }
    const hashes = c.sha256.map((s) => s?.slice(0, 12) ?? '-').join(' vs ');
    if (c.sameStatistics) {
      checkpointLines.push(`  ${name}: same schema, rows and column statistics; other lineage (${hashes})`);
      continue;
    }
    checkpointLines.push(`  ${name}: differs (${hashes})`);
    checkpointLines.push(`    rows: ${c.rows.map(cell).join(' vs ')}`);
    c.schema.added.forEach((cols, i) => {
      if (cols.length)
        checkpointLines.push(`    ${comparison.runs[i].runId} adds columns: ${cols.join(', ')}`);
    });
    c.schema.removed.forEach((cols, i) => {
      if (cols.length)
        checkpointLines.push(`    ${comparison.runs[i].runId} lacks columns: ${cols.join(', ')}`);
    });
    for (const t of c.schema.typeChanged)
      checkpointLines.push(`    ${t.column}: type ${t.types.map(cell).join(' vs ')}`);
    for (const col of c.columns)
      checkpointLines.push(`    ${col.column}: ${col.summaries.map(describeSummary).join(' | ')}`);
  }
  const noteLines = comparison.notes ? ['NOTES'] : [];
  for (const run of comparison.notes ? comparison.runs : []) {
    const notes = comparison.notes![run.runId] ?? [];
    noteLines.push(
      `  ${run.runId}:${notes.length ? '' : ' none'}`,
      ...notes.map((n) => `    ${notesDisplay().noteLine(n)}`),
    );
  }
  return [...sections, checkpointLines.join('\n'), ...(noteLines.length ? [noteLines.join('\n')] : [])].join(
    '\n\n',
  );
}

/** `quiver runs ls` and `quiver runs compare`. */
export function registerRunsInspectCommands(program: Command, flagsOf: (cmd: Command) => GlobalFlags): void {
  const runs = program.command('runs').description('list and compare runs');

  runs
    .command('ls')
    .description("runs from Temporal's visibility store, newest first")
    .option('--pipeline <name>', 'only runs of this pipeline')
    .option('--status <status>', `only runs in this status: ${RUN_STATUSES.join(', ')}`, runStatus)
    .option('--schedule <id>', 'only runs this schedule started')
    .option('--limit <n>', 'at most N runs', positiveInteger, 20)
    .option('--notes', "add each run's journal notes (a NOTES column with the latest)")
    .action(
      async (
        options: { pipeline?: string; status?: string; schedule?: string; limit: number; notes?: boolean },
        cmd: Command,
      ) => {
        const flags = flagsOf(cmd);
        const limit = options.limit;
        await withEnvironment(flags, { embedded: false }, async (env) => {
          const entries = await env.client.list({ ...options, limit });
          if (!options.notes) return emit(flags, entries, formatRunList);
          const notes = await notesDisplay().notesOf(
            env.config,
            entries.map((e) => e.runId),
          );
          emit(
            flags,
            entries.map((e) => ({ ...e, notes: notes.get(e.runId) ?? [] })),
            formatRunList,
          );
        });
      },
    );

  runs
    .command('compare <runs...>')
    .description('params, metrics, step durations, checkpoint differences and notes of two or more runs')
    .action(async (runIds: string[], _options: unknown, cmd: Command) => {
      const flags = flagsOf(cmd);
      if (runIds.length < 2) throw new SpecError('runs compare needs at least two runs');
      const { openStore } =
        require('../../core/checkpoint/store') as typeof import('../../core/checkpoint/store');
      const { compareRuns } = require('../run-compare') as typeof import('../run-compare');
      const config = configFrom(flags);
      // Local runs and closed runs read before come from their records: Temporal only for the rest.
      const views = await readRunViews(flags, runIds);
      const notes = await notesDisplay().notesOf(config, runIds);
      emit(
        flags,
        { ...(await compareRuns(views, openStore(config.store))), notes: Object.fromEntries(notes) },
        formatComparison,
      );
    });
}
