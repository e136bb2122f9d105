import type { Command } from 'commander';
// Heavy modules (registry and store: the AWS SDK; Arrow; TensorFlow.js) load inside actions, so
// `quiver --help` stays fast (test/unit/client/cli-startup.test.ts).
import { ModelNotFoundError, SpecError } from '../../core/errors';
import type { AliasMove, ModelRegistry, ModelVersion } from '../../core/registry';
import { configFrom, type GlobalFlags } from '../environment';
import { table } from '../format';
import { emit, info } from '../output';
import { aliasName } from '../option-values';

const registryModule = () => require('../../core/registry') as typeof import('../../core/registry');

function registryOf(flags: GlobalFlags): ModelRegistry {
  return registryModule().ModelRegistry.at(configFrom(flags));
}

function formatMove(name: string, move: AliasMove & { recorded?: boolean }): string {
  if (move.recorded === false)
    return `${name}: alias ${move.alias} is already on version ${move.version} (nothing recorded)`;
  return `${name}: alias ${move.alias} → version ${move.version} (was ${move.previous ?? 'unset'})`;
}

/** VERSION as typed: a positive integer, else bad input (exit 2). */
export function parseVersion(text: string): number {
  const version = Number(text);
  if (!Number.isInteger(version) || version < 1)
    throw new SpecError(`VERSION must be a positive integer, not '${text}'`, [
      { path: 'VERSION', message: 'expected a positive integer' },
    ]);
  return version;
}

/**
 * The version a user named: VERSION when given, else the one `alias` points at. Unknown models,
 * versions and aliases are ModelNotFoundError (exit 2), with a message naming what was not found.
 */
export async function versionNamed(
  registry: ModelRegistry,
  name: string,
  versionText: string | undefined,
  alias = 'production',
): Promise<ModelVersion> {
  await mustExist(registry, name);
  if (versionText !== undefined) {
    const record = await registry.version(name, parseVersion(versionText), { withMark: true });
    if (!record) throw new ModelNotFoundError(`model '${name}' version ${versionText} not found`);
    return record;
  }
  const record = await registry.lookup(name, alias, { withMark: true });
  if (!record) throw new ModelNotFoundError(`model '${name}' has no alias '${alias}' (alias not found)`);
  return record;
}

/**
 * Says on stderr when an alias is moved onto a version a cancelled run registered: allowed (the
 * version is sound, only its run was cancelled), but never unknowingly.
 */
function noteCancelledRun(record: ModelVersion): void {
  if (record.cancelledRun)
    info(
      `note: version ${record.version} of ${record.name} is from a cancelled run: ${record.cancelledRun.reason}`,
    );
}

/** Fails with ModelNotFoundError (exit 2) when the registry has no version of `name`. */
async function mustExist(registry: ModelRegistry, name: string): Promise<void> {
  if (!(await registry.hasVersions(name)))
    throw new ModelNotFoundError(`model '${name}' not found in the registry`);
}

/** `quiver models ls|promote|rollback|history`: the registry, read and moved without Temporal. */
export function registerModelCommands(program: Command, flagsOf: (cmd: Command) => GlobalFlags): void {
  const models = program.command('models').description('the model registry: versions and aliases');

  models
    .command('ls [name]')
    .description('every model (or one) with its versions, metrics and aliases')
    .action(async (name: string | undefined, _options: unknown, cmd: Command) => {
      const flags = flagsOf(cmd);
      const registry = registryOf(flags);
      const names = name ? [name] : await registry.models();
      const listing = await Promise.all(
        names.map(async (model) => ({
          name: model,
          aliases: await registry.aliases(model),
          versions: await registry.versions(model),
        })),
      );
      if (name && listing[0].versions.length === 0)
        throw new ModelNotFoundError(`model '${name}' not found in the registry`);
      emit(flags, listing, (list) => {
        const rows = [['MODEL', 'VERSION', 'ALIASES', 'CREATED', 'RUN', 'METRICS']];
        for (const model of list) {
          for (const v of model.versions) {
            const aliases = Object.entries(model.aliases)
              .filter(([, version]) => version === v.version)
              .map(([alias]) => alias);
            const metrics = Object.entries(v.metrics)
              .map(([k, value]) => `${k}=${value.toFixed(4)}`)
              .join(' ');
            rows.push([
              model.name,
              String(v.version),
              aliases.join(',') || '-',
              v.createdAt,
              v.cancelledRun ? `${v.runId} (cancelled)` : v.runId,
              metrics,
            ]);
          }
        }
        // Where it looked: an empty listing from a mistyped --home or QUIVER_HOME should say so.
        return rows.length > 1 ? table(rows) : `no models registered (registry of ${configFrom(flags).home})`;
      });
    });

  models
    .command('show <name> [version]')
    .description("one version's record (default: the production alias's): metrics, run, checkpoint, aliases")
    .option('--alias <alias>', 'the version this alias points at, when VERSION is not given', 'production')
    .action(async (name: string, version: string | undefined, options: { alias: string }, cmd: Command) => {
      const flags = flagsOf(cmd);
      const registry = registryOf(flags);
      const record = await versionNamed(registry, name, version, options.alias);
      const aliases = Object.entries(await registry.aliases(name))
        .filter(([, v]) => v === record.version)
        .map(([alias]) => alias);
      emit(flags, { ...record, aliases }, (r) =>
        [
          `model ${r.name} version ${r.version}${r.aliases.length ? ` (${r.aliases.join(', ')})` : ''}`,
          `created ${r.createdAt} by run ${r.runId} (pipeline ${r.pipeline})`,
          ...(r.cancelledRun
            ? [`from a cancelled run: ${r.cancelledRun.reason} (${r.cancelledRun.at})`]
            : []),
          `metrics: ${Object.entries(r.metrics)
            .map(([k, v]) => `${k}=${v.toFixed(4)}`)
            .join(' ')}`,
          `checkpoint: ${r.model.sha256} ${r.model.uri}`,
        ].join('\n'),
      );
    });

  models
    .command('promote <name> <version>')
    .description('point an alias (production, staging, any name) at an existing version')
    .requiredOption('--alias <alias>', 'alias to move', aliasName)
    .option('--reason <text>', 'recorded in the alias history', 'promoted')
    .action(
      async (name: string, version: string, options: { alias: string; reason: string }, cmd: Command) => {
        const flags = flagsOf(cmd);
        const registry = registryOf(flags);
        const record = await versionNamed(registry, name, version);
        noteCancelledRun(record);
        const move = await registry.promote(name, record.version, options.alias, options.reason);
        const cancelled = record.cancelledRun ? { cancelledRun: record.cancelledRun } : {};
        emit(flags, { name, ...move, ...cancelled }, () => formatMove(name, move));
      },
    );

  models
    .command('rollback <name>')
    .description('point an alias back at the version it had before (repeat to go further back)')
    .requiredOption('--alias <alias>', 'alias to roll back')
    .option('--reason <text>', 'recorded in the alias history', 'rolled back')
    .action(async (name: string, options: { alias: string; reason: string }, cmd: Command) => {
      const flags = flagsOf(cmd);
      const registry = registryOf(flags);
      await mustExist(registry, name);
      const move = await registry.rollback(name, options.alias, options.reason);
      const record = await registry.version(name, move.version, { withMark: true });
      if (record) noteCancelledRun(record);
      const cancelled = record?.cancelledRun ? { cancelledRun: record.cancelledRun } : {};
      emit(flags, { name, ...move, ...cancelled }, () => formatMove(name, move));
    });

  models
    .command('export <model> <dir>')
    .description(
      'write NAME[@VERSION|@ALIAS] (default @production) as TensorFlow.js layers files (model.json + ' +
        'weights) and its fitted preprocessing as preprocessing.json',
    )
    .action(async (spec: string, dir: string, _options: unknown, cmd: Command) => {
      const flags = flagsOf(cmd);
      const config = configFrom(flags);
      const [name, at = 'production'] = spec.split('@');
      const registry = registryModule().ModelRegistry.at(config);
      const { openStore } =
        require('../../core/checkpoint/store') as typeof import('../../core/checkpoint/store');
      const { exportLayersModel } = require('../model-export') as typeof import('../model-export');
      const record = /^\d+$/.test(at)
        ? await versionNamed(registry, name, at)
        : await versionNamed(registry, name, undefined, at);
      const checkpoint = await openStore(config.store).read(record.model);
      const result = await exportLayersModel(checkpoint, dir, {
        model: name,
        version: record.version,
        sha256: record.model.sha256,
        runId: record.runId,
      });
      emit(
        flags,
        { model: name, version: record.version, ...result },
        (r) =>
          `exported ${r.model} version ${r.version} (${r.task}, ${r.weights} weight tensors, ${r.bytes} bytes) to ${r.dir}: ${r.files.join(', ')}`,
      );
    });

  models
    .command('history <name>')
    .description('every alias move of a model, oldest first')
    .option('--alias <alias>', 'only this alias')
    .action(async (name: string, options: { alias?: string }, cmd: Command) => {
      const flags = flagsOf(cmd);
      const registry = registryOf(flags);
      await mustExist(registry, name);
      const moves = await registry.history(name, options.alias);
      emit(flags, moves, (list) =>
        table([
          ['AT', 'ALIAS', 'VERSION', 'PREVIOUS', 'KIND', 'REASON'],
          ...list.map((m) => [
            m.at,
            m.alias,
            String(m.version),
            String(m.previous ?? '-'),
            m.kind ?? '-',
            m.reason,
          ]),
        ]),
      );
    });
}
