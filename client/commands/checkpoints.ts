import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import type { Table } from 'apache-arrow';
import type { CheckpointStore } from '../../core/checkpoint/store';
import type { CheckpointRef } from '../../core/checkpoint/types';
import { lineageFromMetadata } from '../../core/checkpoint/lineage';
import { CheckpointNotFoundError } from '../../core/errors';
import { configFrom, withEnvironment, type GlobalFlags } from '../environment';
import { formatBytes, table } from '../format';
import { emit } from '../output';

/**
 * Resolves what a user typed into a reference: a full SHA-256, a unique prefix of one (8+ hex
 * characters), or a `file://` URI. Reads verify the hash, so a guessed reference is never trusted.
 */
export function resolveCheckpoint(store: CheckpointStore, text: string): CheckpointRef {
  const { contentPath } =
    require('../../core/checkpoint/store') as typeof import('../../core/checkpoint/store'); // Arrow: loaded on demand
  const sha = /^file:\/\//.test(text) ? path.basename(fileURLToPath(text), '.arrow') : text.toLowerCase();
  if (!/^[0-9a-f]{8,64}$/.test(sha))
    throw new CheckpointNotFoundError(
      `not a checkpoint reference: ${text} (give a sha256, a prefix of 8+ hex digits, or a file:// URI)`,
    );
  const dir = path.dirname(contentPath(store.root, sha));
  const matches = (fs.existsSync(dir) ? fs.readdirSync(dir) : []).filter(
    (f) => f.startsWith(sha) && f.endsWith('.arrow'),
  );
  if (matches.length === 0) throw new CheckpointNotFoundError(`no checkpoint ${text} in ${store.root}`);
  if (matches.length > 1)
    throw new CheckpointNotFoundError(`checkpoint prefix ${text} is ambiguous (${matches.length} matches)`);
  const file = path.join(dir, matches[0]);
  return {
    uri: pathToFileURL(file).href,
    sha256: path.basename(file, '.arrow'),
    rows: -1,
    bytes: fs.statSync(file).size,
  };
}

/** The first `head` rows as plain objects. */
export function rowsOf(data: Table, head: number): Record<string, unknown>[] {
  return data
    .slice(0, head)
    .toArray()
    .map((row: { toJSON(): Record<string, unknown> }) => row.toJSON());
}

/** One value as a short table cell (lists show their first four items). */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return '∅';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toPrecision(6);
  if (typeof value === 'object' && 'length' in (value as object))
    return `[${Array.from(value as ArrayLike<unknown>)
      .slice(0, 4)
      .map(cell)
      .join(', ')}${(value as ArrayLike<unknown>).length > 4 ? ', …' : ''}]`;
  const text = String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** One verified read; the lineage comes from the decoded schema, so the file is read once. */
async function readVerified(store: CheckpointStore, ref: CheckpointRef) {
  const data = await store.read(ref);
  return { data, lineage: lineageFromMetadata(data.schema.metadata, ref.uri) };
}

export function registerCheckpointCommands(program: Command, flagsOf: (cmd: Command) => GlobalFlags): void {
  const checkpoints = program.command('checkpoints').description('browse and export checkpoints');

  checkpoints
    .command('ls <run>')
    .description("list a run's checkpoints, step by step")
    .action(async (runId: string, _options: unknown, cmd: Command) => {
      const flags = flagsOf(cmd);
      await withEnvironment(flags, { embedded: false }, async (env) => {
        const view = await env.client.status(runId);
        const list = view.steps.flatMap((step) =>
          Object.entries(step.outputs).map(([output, ref]) => ({ step: step.name, output, ...ref })),
        );
        emit(flags, list, (items) =>
          table([
            ['STEP', 'OUTPUT', 'SHA256', 'ROWS', 'SIZE', 'URI'],
            ...items.map((c) => [
              c.step,
              c.output,
              c.sha256.slice(0, 16),
              String(c.rows),
              formatBytes(c.bytes),
              c.uri,
            ]),
          ]),
        );
      });
    });

  checkpoints
    .command('show <ref>')
    .description('schema, lineage and the first rows of a checkpoint (ref: sha256, prefix, or file:// URI)')
    .option('--head <n>', 'rows to show', '10')
    .action(async (text: string, options: { head: string }, cmd: Command) => {
      const flags = flagsOf(cmd);
      const { openStore } =
        require('../../core/checkpoint/store') as typeof import('../../core/checkpoint/store');
      const store = openStore(configFrom(flags).store);
      const ref = resolveCheckpoint(store, text);
      const { data, lineage } = await readVerified(store, ref);
      const head = Number(options.head);
      const result = {
        ref: { ...ref, rows: data.numRows },
        schema: data.schema.fields.map((f) => ({ name: f.name, type: String(f.type), nullable: f.nullable })),
        lineage,
        rows: rowsOf(data, head),
      };
      emit(flags, result, (r) => {
        const names = r.schema.map((f) => f.name);
        return [
          `checkpoint ${r.ref.sha256} (${r.ref.rows} rows, ${formatBytes(r.ref.bytes)}) — sha256 verified`,
          `lineage: pipeline ${lineage.pipeline} · run ${lineage.runId} · step ${lineage.step}/${lineage.output} · code ${lineage.stepCodeVersion} · params ${lineage.paramsHash.slice(0, 12)} · created ${lineage.createdAt}`,
          `inputs: ${lineage.inputs.map((s) => s.slice(0, 12)).join(', ') || 'none'}`,
          `schema: ${r.schema.map((f) => `${f.name}: ${f.type}`).join(', ')}`,
          '',
          table([names, ...r.rows.map((row) => names.map((n) => cell(row[n])))]),
        ].join('\n');
      });
    });

  checkpoints
    .command('path <ref>')
    .description('print the local file of a checkpoint (verified), for pyarrow, DuckDB or Polars')
    .action(async (text: string, _options: unknown, cmd: Command) => {
      const flags = flagsOf(cmd);
      const { openStore } =
        require('../../core/checkpoint/store') as typeof import('../../core/checkpoint/store');
      const store = openStore(configFrom(flags).store);
      const ref = resolveCheckpoint(store, text);
      await store.verify(ref);
      emit(flags, { ...ref, path: store.path(ref) }, (r) => r.path);
    });

  checkpoints
    .command('gc')
    .description(
      'remove checkpoints no run, open or closed, and no registered model version references ' +
        '(refuses if an open run cannot be asked)',
    )
    .option(
      '--older-than <duration>',
      'only files older than this (a run started moments ago may not be listed yet); 0s for all',
      '1h',
    )
    .option('--dry-run', 'list what would be removed, remove nothing')
    .action(async (options: { olderThan: string; dryRun?: boolean }, cmd: Command) => {
      const flags = flagsOf(cmd);
      await withEnvironment(flags, { embedded: false }, async (env) => {
        const { checkpointGc, formatGcReport } =
          require('../checkpoint-gc') as typeof import('../checkpoint-gc');
        const report = await checkpointGc(env.client, env.config, options);
        emit(flags, report, formatGcReport);
      });
    });

  checkpoints
    .command('export <ref> <file>')
    .description('export a verified checkpoint as .arrow, .parquet, .csv or .jsonl (by the file extension)')
    .action(async (text: string, file: string, _options: unknown, cmd: Command) => {
      const flags = flagsOf(cmd);
      const { openStore } =
        require('../../core/checkpoint/store') as typeof import('../../core/checkpoint/store');
      const store = openStore(configFrom(flags).store);
      const ref = resolveCheckpoint(store, text);
      const { data } = await readVerified(store, ref);
      const ext = path.extname(file).toLowerCase();
      const { tableToIPC } = require('apache-arrow') as typeof import('apache-arrow');
      const { toParquet } =
        require('../../core/sources/parquet') as typeof import('../../core/sources/parquet');
      const { tableToCsv } =
        require('../../core/sources/csv-writer') as typeof import('../../core/sources/csv-writer');
      if (ext === '.arrow' || ext === '.feather') fs.writeFileSync(file, tableToIPC(data, 'file'));
      else if (ext === '.parquet') fs.writeFileSync(file, toParquet(data));
      else if (ext === '.csv') fs.writeFileSync(file, tableToCsv(data));
      else if (ext === '.jsonl' || ext === '.json')
        fs.writeFileSync(
          file,
          rowsOf(data, data.numRows)
            .map((r) =>
              JSON.stringify(r, (_k, v: unknown) =>
                ArrayBuffer.isView(v)
                  ? Array.from(v as unknown as ArrayLike<number>)
                  : typeof v === 'bigint'
                    ? Number(v)
                    : v,
              ),
            )
            .join('\n') + '\n',
        );
      else
        throw new Error(`unsupported export format ${ext || '(none)'}: use .arrow, .parquet, .csv or .jsonl`);
      emit(
        flags,
        { file: path.resolve(file), rows: data.numRows, sha256: ref.sha256 },
        (r) => `exported ${r.rows} rows of ${r.sha256.slice(0, 12)} to ${r.file}`,
      );
    });
}
