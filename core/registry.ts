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
}

/** One alias move, kept so rollbacks know the previous version. */
export interface AliasMove {
  alias: string;
  version: number;
  previous: number | null;
  at: string;
  reason: string;
}

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
    const version = (await this.aliases(name))[alias];
    const record = (await this.versions(name)).find((v) => v.version === version);
    if (!record) throw new ModelNotFoundError(`model ${name} has no alias ${alias}`);
    return record;
  }

  /** Points `alias` at `version` atomically (temp file + rename) and appends the move to the history. */
  async setAlias(name: string, alias: string, version: number, reason: string): Promise<AliasMove> {
    if (!(await this.versions(name)).some((v) => v.version === version)) {
      throw new ModelNotFoundError(`model ${name} has no version ${version}`);
    }
    const dir = path.join(this.root, name);
    const aliases = await this.aliases(name);
    const move: AliasMove = {
      alias,
      version,
      previous: aliases[alias] ?? null,
      at: new Date().toISOString(),
      reason,
    };
    const tmp = path.join(dir, `.aliases.${process.pid}.${Date.now()}.tmp`);
    await fs.writeFile(tmp, JSON.stringify({ ...aliases, [alias]: version }, null, 2));
    await fs.rename(tmp, path.join(dir, 'aliases.json'));
    await fs.appendFile(path.join(dir, 'alias-history.jsonl'), `${JSON.stringify(move)}\n`);
    return move;
  }

  private async latestVersion(name: string): Promise<number> {
    const files = await fs.readdir(path.join(this.root, name, 'versions')).catch(() => [] as string[]);
    return files.reduce((max, f) => Math.max(max, Number.parseInt(f, 10) || 0), 0);
  }
}
