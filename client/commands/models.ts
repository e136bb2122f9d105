import type { Command } from 'commander';
import { QuiverError } from '../../core/errors';
import { ModelRegistry, type AliasMove } from '../../core/registry';
import { openStore } from '../../core/checkpoint/store';
import { configFrom, type GlobalFlags } from '../environment';
import { exportLayersModel } from '../model-export';
import { table } from '../format';
import { emit } from '../output';

function registryOf(flags: GlobalFlags): ModelRegistry {
  return ModelRegistry.at(configFrom(flags));
}

function formatMove(name: string, move: AliasMove): string {
  return `${name}: alias ${move.alias} → version ${move.version} (was ${move.previous ?? 'unset'})`;
}

function parseVersion(text: string): number {
  const version = Number(text);
  if (!Number.isInteger(version) || version < 1)
    throw new QuiverError(`VERSION must be a positive integer, not ${text}`);
  return version;
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
      if (name && listing[0].versions.length === 0) throw new QuiverError(`no model ${name} in the registry`);
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
              v.runId,
              metrics,
            ]);
          }
        }
        return rows.length > 1 ? table(rows) : 'no models registered';
      });
    });

  models
    .command('promote <name> <version>')
    .description('point an alias (production, staging, any name) at an existing version')
    .requiredOption('--alias <alias>', 'alias to move')
    .option('--reason <text>', 'recorded in the alias history', 'promoted')
    .action(
      async (name: string, version: string, options: { alias: string; reason: string }, cmd: Command) => {
        const flags = flagsOf(cmd);
        if (!/^[a-z0-9][a-z0-9_-]*$/i.test(options.alias))
          throw new QuiverError(`--alias must be letters, digits, - or _, not ${options.alias}`);
        const move = await registryOf(flags).promote(
          name,
          parseVersion(version),
          options.alias,
          options.reason,
        );
        emit(flags, { name, ...move }, () => formatMove(name, move));
      },
    );

  models
    .command('rollback <name>')
    .description('point an alias back at the version it had before (repeat to go further back)')
    .requiredOption('--alias <alias>', 'alias to roll back')
    .option('--reason <text>', 'recorded in the alias history', 'rolled back')
    .action(async (name: string, options: { alias: string; reason: string }, cmd: Command) => {
      const flags = flagsOf(cmd);
      const move = await registryOf(flags).rollback(name, options.alias, options.reason);
      emit(flags, { name, ...move }, () => formatMove(name, move));
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
      const registry = ModelRegistry.at(config);
      const record = /^\d+$/.test(at)
        ? await registry.version(name, parseVersion(at))
        : await registry.resolve(name, at);
      if (!record) throw new QuiverError(`model ${name} has no version ${at}`);
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
      const moves = await registryOf(flags).history(name, options.alias);
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
