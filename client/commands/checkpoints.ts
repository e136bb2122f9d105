import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import type { Table } from 'apache-arrow';
import type { CheckpointStore } from '../../core/checkpoint/store';
import type { CheckpointRef } from '../../core/checkpoint/types';
import { lineageFromMetadata } from '../../core/checkpoint/lineage';
import { CheckpointNotFoundError, QuiverError, SpecError, TemporalUnreachableError } from '../../core/errors';
import { configFrom, openEnvironment, unanswered, type Environment, type GlobalFlags } from '../environment';
import { formatBytes, table } from '../format';
import { readRunView } from '../local-run-views';
import { emit } from '../output';
import { nonNegativeInteger } from '../option-values';

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

/**
 * One value as a short table cell, on one line: lists show their first four items; strings with
 * control characters (newline, tab…) are JSON-quoted with them escaped; long text is cut at 60.
 */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return '∅';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toPrecision(6);
  if (typeof value === 'object' && 'length' in (value as object))
    return `[${Array.from(value as ArrayLike<unknown>)
      .slice(0, 4)
      .map(cell)
      .join(', ')}${(value as ArrayLike<unknown>).length > 4 ? ', …' : ''}]`;
  // A newline or tab would break the table's rows and columns: such values show JSON-quoted, escaped.
  const raw = String(value);
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  const text = /[\u0000-\u001f\u007f]/.test(raw) ? JSON.stringify(raw) : raw;
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** The file extensions `checkpoints export` writes, by format. */
export const EXPORT_EXTENSIONS = ['.arrow', '.feather', '.parquet', '.csv', '.jsonl', '.json'] as const;

/**
 * The export format of FILE (its extension, lower-cased), checked before any work: an unknown
 * extension, or a destination folder that does not exist, is bad input naming the path.
 *
 * @throws SpecError (field `FILE`; the CLI exits 2)
 */
export function exportFormatOf(file: string): (typeof EXPORT_EXTENSIONS)[number] {
  const ext = path.extname(file).toLowerCase();
  const bad = (message: string) => new SpecError(message, [{ path: 'FILE', message }]);
  if (!(EXPORT_EXTENSIONS as readonly string[]).includes(ext))
    throw bad(
      `cannot export to '${file}': unsupported extension '${ext || '(none)'}' ` +
        `(supported: ${EXPORT_EXTENSIONS.join(', ')})`,
    );
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir)) throw bad(`cannot export to '${file}': folder '${dir}' does not exist`);
  if (!fs.statSync(dir).isDirectory()) throw bad(`cannot export to '${file}': '${dir}' is not a folder`);
  if (fs.existsSync(file) && fs.statSync(file).isDirectory())
    throw bad(`cannot export to '${file}': it is a folder`);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (error) {
    throw bad(`cannot export to '${file}': folder '${dir}' is not writable (${errnoOf(error)})`);
  }
  return ext as (typeof EXPORT_EXTENSIONS)[number];
}

/** Write failures that mean the destination is wrong, not that Quiver failed: bad input (exit 2). */
const BAD_DESTINATION = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOENT', 'ENOTDIR', 'EISDIR', 'ENAMETOOLONG']);

function errnoOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/**
 * Writes an export to FILE. A destination the system refuses (read-only or permission-denied folder,
 * a pseudo-filesystem such as /proc) is bad input naming the path and the reason.
 *
 * @throws SpecError (field `FILE`) for a refused destination; QuiverError for any other write failure
 */
export function writeExport(file: string, bytes: Uint8Array | string): void {
  try {
    fs.writeFileSync(file, bytes);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Node's message without the path it repeats: `ENOENT: no such file or directory`.
    const reason = (error as Error).message.split(',')[0];
    const message = `cannot export to '${file}': cannot create a file there (${reason})`;
    if (code && BAD_DESTINATION.has(code)) throw new SpecError(message, [{ path: 'FILE', message }]);
    throw new QuiverError(`cannot write '${file}': ${(error as Error).message}`, { cause: error });
  }
}

/** A table in an export format (see {@link EXPORT_EXTENSIONS}); the writers load on demand. */
function encodeExport(data: Table, ext: (typeof EXPORT_EXTENSIONS)[number]): Uint8Array | string {
  if (ext === '.arrow' || ext === '.feather') {
    const { tableToIPC } = require('apache-arrow') as typeof import('apache-arrow');
    return tableToIPC(data, 'file');
  }
  if (ext === '.parquet') {
    const { toParquet } =
      require('../../core/sources/parquet') as typeof import('../../core/sources/parquet');
    return toParquet(data);
  }
  if (ext === '.csv') {
    const { tableToCsv } =
      require('../../core/sources/csv-writer') as typeof import('../../core/sources/csv-writer');
    return tableToCsv(data);
  }
  const json = (_key: string, v: unknown) =>
    ArrayBuffer.isView(v)
      ? Array.from(v as unknown as ArrayLike<number>)
      : typeof v === 'bigint'
        ? Number(v)
        : v;
  return `${rowsOf(data, data.numRows)
    .map((row) => JSON.stringify(row, json))
    .join('\n')}\n`;
}

/** Runs `body` and closes `env` whatever happens. */
async function withOpened(env: Environment, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    throw unanswered(error, env.address);
  } finally {
    await env.close();
  }
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
      // A local run, or a closed one read before, is listed from its record: no server needed.
      const view = await readRunView(flags, runId);
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

  checkpoints
    .command('show <ref>')
    .description('schema, lineage and the first rows of a checkpoint (ref: sha256, prefix, or file:// URI)')
    .option('--head <n>', 'rows to show', nonNegativeInteger, 10)
    .action(async (text: string, options: { head: number }, cmd: Command) => {
      const flags = flagsOf(cmd);
      const { openStore } =
        require('../../core/checkpoint/store') as typeof import('../../core/checkpoint/store');
      const store = openStore(configFrom(flags).store);
      const ref = resolveCheckpoint(store, text);
      const { data, lineage } = await readVerified(store, ref);
      const head = options.head;
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
          table([names.map(cell), ...r.rows.map((row) => names.map((n) => cell(row[n])))]),
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
      const { checkpointGc, formatGcReport, parseAge } =
        require('../checkpoint-gc') as typeof import('../checkpoint-gc');
      parseAge(options.olderThan); // bad input is exit 2 before any server is asked
      // Deleting needs every run's references, durable ones included: no server, no gc (exit 3).
      const env = await openEnvironment(flags, { embedded: false }).catch((error: unknown) => {
        if (!(error instanceof TemporalUnreachableError)) throw error;
        throw new TemporalUnreachableError(
          `checkpoints gc must ask Temporal which checkpoints every run (open or closed) still references ` +
            `before deleting anything, even when only local runs were made: ${error.message}`,
          { cause: error, field: error.field },
        );
      });
      await withOpened(env, async () => {
        const report = await checkpointGc(env.client, env.config, options);
        emit(flags, report, formatGcReport);
      });
    });

  checkpoints
    .command('export <ref> <file>')
    .description(
      'export a verified checkpoint as .arrow (.feather), .parquet, .csv or .jsonl (.json), by the file extension',
    )
    .action(async (text: string, file: string, _options: unknown, cmd: Command) => {
      const flags = flagsOf(cmd);
      const { openStore } =
        require('../../core/checkpoint/store') as typeof import('../../core/checkpoint/store');
      const store = openStore(configFrom(flags).store);
      const ext = exportFormatOf(file); // a wrong name or folder fails before anything is read
      const ref = resolveCheckpoint(store, text);
      const { data } = await readVerified(store, ref);
      writeExport(file, encodeExport(data, ext));
      emit(
        flags,
        { file: path.resolve(file), rows: data.numRows, sha256: ref.sha256 },
        (r) => `exported ${r.rows} rows of ${r.sha256.slice(0, 12)} to ${r.file}`,
      );
    });
}
