import type { Command } from 'commander';
import type { DataSchema, SchemaColumn } from '../../core/data/data-schema';
import { quote } from '../../core/quote';
import { isTimestampColumn, isoTimestamp } from '../../core/data/timestamp-columns';
import { SchemaNotFoundError } from '../../core/errors';
import { configFrom, type GlobalFlags } from '../environment';
import { table } from '../format';
import { emit } from '../output';

// The schema store reaches the object store (the AWS SDK): loaded by the actions, not by `--help`.
const schemaStore = () =>
  require('../../core/data/schema-store') as typeof import('../../core/data/schema-store');

/** `quiver schema show|reset PIPELINE`: the data schema a pipeline's runs are checked against. */
export function registerSchemaCommands(program: Command, flagsOf: (cmd: Command) => GlobalFlags): void {
  const schema = program
    .command('schema')
    .description("a pipeline's pinned data schema (pinned by its first run whose sanity step passes)");

  schema
    .command('show <pipeline>')
    .description('the pinned schema: each column with its type, nullability, categories or range')
    .action(async (pipeline: string, _options: unknown, cmd: Command) => {
      const flags = flagsOf(cmd);
      const home = configFrom(flags);
      const pinned = await schemaStore().readPinnedSchema(home, pipeline);
      if (!pinned)
        throw new SchemaNotFoundError(
          `no pinned schema for pipeline '${pipeline}' at ${schemaStore().schemaPath(home, pipeline)} (the first run whose sanity step passes pins one)`,
        );
      emit(flags, pinned, (s) => formatSchema(s, schemaStore().schemaPath(home, pipeline)));
    });

  schema
    .command('reset <pipeline>')
    .description('forget the pinned schema; the next passing run infers and pins a new one')
    .action(async (pipeline: string, _options: unknown, cmd: Command) => {
      const flags = flagsOf(cmd);
      const home = configFrom(flags);
      const removed = await schemaStore().resetSchema(home, pipeline);
      emit(flags, { pipeline, removed }, (r) =>
        r.removed
          ? `schema of ${pipeline} reset: the next passing run pins a new one`
          : `pipeline ${pipeline} had no pinned schema`,
      );
    });
}

function formatSchema(schema: DataSchema, file: string): string {
  const rows = Object.entries(schema.columns).map(([name, c]) => [
    name,
    c.type,
    c.nullable ? 'yes' : 'no',
    c.type === 'number' ? rangeText(c) : categoriesText(c),
    c.note ?? '',
  ]);
  return [
    `schema of ${schema.pipeline} (${file})`,
    `inferred from run ${schema.inferredFrom.runId} (${schema.inferredFrom.rows} rows, data ${schema.inferredFrom.dataSha256.slice(0, 12)}) at ${schema.inferredAt}, range tolerance ${schema.tolerance}`,
    '',
    table([['COLUMN', 'TYPE', 'NULLABLE', 'RANGE / CATEGORIES', 'NOTE'], ...rows]),
  ].join('\n');
}

/** A column's categories, quoted, at most CATEGORIES_SHOWN of them (`--json` has them all). */
function categoriesText(c: SchemaColumn): string {
  if (c.categories === 'any') return `any (${c.distinct ?? '?'} distinct seen, not pinned)`;
  const categories = c.categories ?? [];
  const shown = categories.slice(0, CATEGORIES_SHOWN).map(quote).join(', ');
  return categories.length > CATEGORIES_SHOWN ? `${shown}, … (${categories.length} in all)` : shown;
}

const CATEGORIES_SHOWN = 12;

/** A numeric column's pinned range; a timestamp's as ISO dates, and marked unchecked (#33). */
function rangeText(c: SchemaColumn): string {
  if (!isTimestampColumn(c)) return `[${c.min ?? '-inf'}, ${c.max ?? 'inf'}]`;
  const at = (v: number | undefined, open: string) => (v === undefined ? open : isoTimestamp(v));
  return `[${at(c.min, '-inf')}, ${at(c.max, 'inf')}] (not range-checked: drift judges it)`;
}
