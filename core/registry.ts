import fs from 'node:fs/promises';
import path from 'node:path';
import type { CheckpointRef } from './checkpoint/types';
import { ModelNotFoundError } from './errors';

/** One immutable registered model version. */
export interface ModelVersion {
  name: string;
  version: number;
  model: CheckpointRef;
  metrics: Record<string, number>;
  runId: string;
  pipeline: string;
  createdAt: string;
  /** The sanity step's data profile of the run that trained it: the drift reference. */
  reference?: CheckpointRef | null;
  /** When the run that trained it fired (a schedule's fire time, else its start): orders deploys. */
  firedAt?: string | null;
}

/** One alias move, kept so rollbacks know the previous version. */
export interface AliasMove {
  alias: string;
  version: number;
  previous: number | null;
  at: string;
  reason: string;
  /** What moved it: a deploy, `models promote`, or `models rollback` (absent in older histories). */
  kind?: AliasMoveKind;
}

export type AliasMoveKind = 'deploy' | 'promote' | 'rollback';

/** How long an alias lock may be held before another mover presumes its holder died. */
const STALE_LOCK_MS = 10_000;

/**
 * A file-backed model registry under `<home>/registry/<model>/`: numbered version files created
 * exclusively (never rewritten), and an aliases file replaced by rename so readers never see a mix.
 */
export class ModelRegistry {
  constructor(private readonly root: string) {}

  static at(home: string): ModelRegistry {
    return new ModelRegistry(path.join(home, 'registry'));
  }

  /** Registers a new version; a retry of the same run returns the version it already created. */
  async register(entry: Omit<ModelVersion, 'version' | 'createdAt'>): Promise<ModelVersion> {
    const dir = path.join(this.root, entry.name, 'versions');
    await fs.mkdir(dir, { recursive: true });
    const existing = (await this.versions(entry.name)).find(
      (v) => v.runId === entry.runId && v.model.sha256 === entry.model.sha256,
    );
    if (existing) return existing;
    for (;;) {
      const version = (await this.latestVersion(entry.name)) + 1;
      const record: ModelVersion = { ...entry, version, createdAt: new Date().toISOString() };
      try {
        // 'wx' fails if the file exists: two deployers racing for a number cannot overwrite each other.
        await fs.writeFile(path.join(dir, `${version}.json`), JSON.stringify(record, null, 2), {
          flag: 'wx',
        });
        return record;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  }

  async versions(name: string): Promise<ModelVersion[]> {
    const dir = path.join(this.root, name, 'versions');
    const files = await fs.readdir(dir).catch(() => [] as string[]);
    const records = await Promise.all(
      files
        .filter((f) => f.endsWith('.json'))
        .map(async (f) => JSON.parse(await fs.readFile(path.join(dir, f), 'utf8')) as ModelVersion),
    );
    return records.sort((a, b) => a.version - b.version);
  }

  async models(): Promise<string[]> {
    return (await fs.readdir(this.root).catch(() => [] as string[])).sort();
  }

  async aliases(name: string): Promise<Record<string, number>> {
    try {
      return JSON.parse(await fs.readFile(path.join(this.root, name, 'aliases.json'), 'utf8')) as Record<
        string,
        number
      >;
    } catch {
      return {};
    }
  }

  async resolve(name: string, alias: string): Promise<ModelVersion> {
    const record = await this.lookup(name, alias);
    if (!record) throw new ModelNotFoundError(`model ${name} has no alias ${alias}`);
    return record;
  }

  /** The version `alias` points at, or null when the model or the alias does not exist. */
  async lookup(name: string, alias: string): Promise<ModelVersion | null> {
    const version = (await this.aliases(name))[alias];
    return version === undefined ? null : this.version(name, version);
  }

  /** One version's record, or null when it does not exist. */
  async version(name: string, version: number): Promise<ModelVersion | null> {
    try {
      const file = path.join(this.root, name, 'versions', `${version}.json`);
      return JSON.parse(await fs.readFile(file, 'utf8')) as ModelVersion;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /**
   * Points `alias` at `version` atomically (temp file + rename) and appends the move to the history.
   * Moves of one model's aliases are serialised by a lock, so two movers never lose each other's move.
   */
  async setAlias(
    name: string,
    alias: string,
    version: number,
    reason: string,
    kind: AliasMoveKind = 'deploy',
  ): Promise<AliasMove> {
    if (!(await this.version(name, version))) {
      throw new ModelNotFoundError(`model ${name} has no version ${version}`);
    }
    return this.withAliasLock(name, async () => {
      const aliases = await this.aliases(name);
      return this.writeMove(name, aliases, {
        alias,
        version,
        previous: aliases[alias] ?? null,
        at: new Date().toISOString(),
        reason,
        kind,
      });
    });
  }

  /** `quiver models promote`: points `alias` at an existing version. */
  async promote(name: string, version: number, alias: string, reason = 'promoted'): Promise<AliasMove> {
    return this.setAlias(name, alias, version, reason, 'promote');
  }

  /**
   * `quiver models rollback`: points `alias` back at the version it had before its current one.
   * Rollbacks undo moves in order, so rolling back twice goes back two versions.
   */
  async rollback(name: string, alias: string, reason = 'rolled back'): Promise<AliasMove> {
    return this.withAliasLock(name, async () => {
      const aliases = await this.aliases(name);
      if (aliases[alias] === undefined) throw new ModelNotFoundError(`model ${name} has no alias ${alias}`);
      const stack = aliasStack(await this.history(name, alias));
      const target = stack.length >= 2 ? stack[stack.length - 2] : undefined;
      if (target === undefined) {
        throw new ModelNotFoundError(
          `alias ${alias} of model ${name} has no earlier version to roll back to (history: ${stack.join(' → ') || 'empty'})`,
        );
      }
      return this.writeMove(name, aliases, {
        alias,
        version: target,
        previous: aliases[alias],
        at: new Date().toISOString(),
        reason,
        kind: 'rollback',
      });
    });
  }

  /** Every alias move of a model (or of one alias), oldest first. */
  async history(name: string, alias?: string): Promise<AliasMove[]> {
    const text = await fs.readFile(path.join(this.root, name, 'alias-history.jsonl'), 'utf8').catch(() => '');
    const moves = text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as AliasMove);
    return alias === undefined ? moves : moves.filter((m) => m.alias === alias);
  }

  /** Writes the new aliases file by rename, then records the move; call under the alias lock. */
  private async writeMove(
    name: string,
    aliases: Record<string, number>,
    move: AliasMove,
  ): Promise<AliasMove> {
    const dir = path.join(this.root, name);
    const tmp = path.join(
      dir,
      `.aliases.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`,
    );
    await fs.writeFile(tmp, JSON.stringify({ ...aliases, [move.alias]: move.version }, null, 2));
    await fs.rename(tmp, path.join(dir, 'aliases.json'));
    await fs.appendFile(path.join(dir, 'alias-history.jsonl'), `${JSON.stringify(move)}\n`);
    return move;
  }

  /** Runs `body` holding the model's alias lock (an exclusively created directory). */
  private async withAliasLock<T>(name: string, body: () => Promise<T>): Promise<T> {
    const lock = path.join(this.root, name, '.aliases.lock');
    await fs.mkdir(path.dirname(lock), { recursive: true });
    for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
      try {
        await fs.mkdir(lock);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const stat = await fs.stat(lock).catch(() => null);
        if (stat && Date.now() - stat.mtimeMs > STALE_LOCK_MS)
          await fs.rm(lock, { recursive: true, force: true });
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
    try {
      return await body();
    } finally {
      await fs.rm(lock, { recursive: true, force: true });
    }
  }

  private async latestVersion(name: string): Promise<number> {
    const files = await fs.readdir(path.join(this.root, name, 'versions')).catch(() => [] as string[]);
    return files.reduce((max, f) => Math.max(max, Number.parseInt(f, 10) || 0), 0);
  }
}

/** The versions an alias stood on, replaying its history: a move pushes, a rollback pops. */
export function aliasStack(moves: AliasMove[]): number[] {
  const stack: number[] = [];
  for (const move of moves) {
    if (move.kind === 'rollback') {
      stack.pop();
      if (stack[stack.length - 1] !== move.version) stack.push(move.version);
    } else if (stack[stack.length - 1] !== move.version) stack.push(move.version);
  }
  return stack;
}
