import type { CheckpointRef } from './checkpoint/types';
import { ModelNotFoundError, StoreStateError } from './errors';
import { FileObjectStore } from './object-store/file';
import { stateStore } from './object-store/index';
import { PreconditionFailedError, parseState, type ObjectStore } from './object-store/types';

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
  /**
   * Set (by {@link ModelRegistry.versions} and `version`, never stored in the record) when the run
   * that registered it was cancelled before its deploy moved an alias: see `markCancelledRun`.
   */
  cancelledRun?: { at: string; reason: string };
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

export type AliasMoveKind = 'deploy' | 'promote' | 'rollback' | 'withdraw';

/**
 * A model's mutable state, one object (`<model>/aliases.json`) replaced only by compare-and-swap:
 * where each alias points, every move (for rollbacks), and the highest version number ever handed
 * out (so a deleted version file never gets its number reused).
 */
interface AliasState {
  aliases: Record<string, number>;
  history: AliasMove[];
  lastVersion: number;
}

/** Compare-and-swap attempts before a mover gives up (each loser waits a little, jittered). */
const MAX_SWAPS = 200;

/**
 * The model registry, kept in an object store so every host sees one registry: under
 * `<QUIVER_HOME>/registry/` with a `file://` store, under `s3://bucket/prefix/registry/` with an S3 store.
 * Version objects `<model>/versions/<n>.json` are created exclusively (`If-None-Match: *`) and never
 * rewritten; the model's alias state is replaced by compare-and-swap on its ETag (`If-Match`), retried
 * on conflict, so concurrent movers on any hosts never lose each other's move. State that cannot be
 * read or parsed is a StoreStateError naming the object, never taken as empty.
 */
export class ModelRegistry {
  constructor(
    private readonly objects: ObjectStore,
    private readonly prefix = 'registry',
  ) {}

  /**
   * The registry of a Quiver installation: from a configuration (its store decides where shared state
   * lives) or, as before, from a QUIVER_HOME directory (the `file://` layout).
   */
  static at(where: string | { home: string; store: string }): ModelRegistry {
    return new ModelRegistry(typeof where === 'string' ? new FileObjectStore(where) : stateStore(where));
  }

  /** Where the registry lives, for messages. */
  get uri(): string {
    return this.objects.uriOf(this.prefix);
  }

  /**
   * Registers a new version; a retry of the same run (same run id and model SHA-256) returns the
   * version it already created, and so does an attempt racing another attempt of the same run. Each
   * finds it through the run's registration claim (`<model>/registrations/<run id>.<sha256>.json`,
   * created exclusively once the number is taken, before the version object), one read however many
   * versions the model has: of two attempts registering at once, the one whose claim lands first
   * gives its number to both. A claim whose version object was never written (its attempt died in
   * between) gets it written now, under the claimed number; a version whose claim was never written
   * is the model's newest, and is found there. Versions registered before claims existed (2 Dec
   * 2026) are found by a retry only when they are the newest.
   */
  async register(entry: Omit<ModelVersion, 'version' | 'createdAt'>): Promise<ModelVersion> {
    const claimKey = this.registrationKey(entry.name, entry.runId, entry.model.sha256);
    const claimed = await this.claimedVersion(claimKey);
    if (claimed !== null) {
      const record = await this.versionFor(entry, claimed, false);
      if (record) return record;
    }
    // No claim, or its number went to another run's version (a lost race whose retake never ran).
    for (let first = claimed === null; ; first = false) {
      const listed = await this.listedVersions(entry.name);
      // A first attempt that wrote its version but died before its claim: that version is the newest.
      const newest = first && listed.length > 0 ? await this.version(entry.name, listed.at(-1)!) : null;
      if (newest && isSameRegistration(newest, entry)) {
        await this.objects.put(claimKey, JSON.stringify({ version: newest.version }));
        return newest;
      }
      // The number is taken in the alias state first: even a deleted version file keeps its number.
      const version = await this.update(entry.name, listed.length > 0, (state) => {
        state.lastVersion = Math.max(state.lastVersion, ...listed) + 1;
        return state.lastVersion;
      });
      if (first && !(await this.claimFirst(claimKey, version))) {
        // Another attempt of this run claimed first: its number is this registration's too.
        const theirs = await this.claimedVersion(claimKey);
        const record = theirs === null ? null : await this.versionFor(entry, theirs, false);
        if (record) return record;
        await this.objects.put(claimKey, JSON.stringify({ version }));
      }
      if (!first) await this.objects.put(claimKey, JSON.stringify({ version }));
      const record = await this.versionFor(entry, version, true);
      if (record) return record;
    }
  }

  /** The version number a registration claim names, or null when there is no claim. */
  private async claimedVersion(claimKey: string): Promise<number | null> {
    const claim = await this.objects.get(claimKey);
    if (!claim) return null;
    const where = `registry registration ${this.objects.uriOf(claimKey)}`;
    const { version } = parseState<{ version: unknown }>(claim.body, where);
    if (!Number.isInteger(version)) throw new StoreStateError(`${where} names no version number`);
    return version as number;
  }

  /** Creates the claim unless one exists (`If-None-Match: *`); false when another attempt's is there. */
  private async claimFirst(claimKey: string, version: number): Promise<boolean> {
    try {
      await this.objects.put(claimKey, JSON.stringify({ version }), { ifNoneMatch: '*' });
      return true;
    } catch (error) {
      if (error instanceof PreconditionFailedError) return false;
      throw error;
    }
  }

  /**
   * Version `version` as this registration's: the existing object when it is this run's (same run id
   * and model), else written now (exclusively); null when the number belongs to another run's
   * version. `fresh`: the number was just taken, so the object is written without a read first.
   */
  private async versionFor(
    entry: Omit<ModelVersion, 'version' | 'createdAt'>,
    version: number,
    fresh: boolean,
  ): Promise<ModelVersion | null> {
    if (!fresh) {
      const existing = await this.version(entry.name, version);
      if (existing) return isSameRegistration(existing, entry) ? existing : null;
    }
    const record: ModelVersion = { ...entry, version, createdAt: new Date().toISOString() };
    try {
      await this.objects.put(this.versionKey(entry.name, version), JSON.stringify(record, null, 2), {
        ifNoneMatch: '*',
      });
      return record;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
    // Written meanwhile: by another attempt of this run (then it is this registration's), or not.
    const raced = await this.version(entry.name, version);
    return raced && isSameRegistration(raced, entry) ? raced : null;
  }

  /**
   * Every version of a model, oldest first, each with `cancelledRun` when its run was cancelled; an
   * unreadable version object is a StoreStateError naming it.
   */
  async versions(name: string): Promise<ModelVersion[]> {
    const { numbers, cancelled } = await this.listing(name);
    const records = await Promise.all(
      numbers.map((n) => this.version(name, n, { withMark: cancelled.has(n) })),
    );
    return records.filter((r): r is ModelVersion => r !== null).sort((a, b) => a.version - b.version);
  }

  /**
   * Marks a version as registered by a run that was then cancelled (its deploy found the cancel, or
   * its alias move was undone): the version stays (immutable, and `models promote` may still serve
   * it), but listings say where it came from. The mark is its own object,
   * `<model>/versions/<n>.cancelled.json`, beside the never-rewritten version object.
   */
  async markCancelledRun(name: string, version: number, reason: string): Promise<void> {
    await this.objects.put(this.cancelledKey(name, version), JSON.stringify({ at: now(), reason }));
  }

  /** Names of the models in the registry. */
  async models(): Promise<string[]> {
    const names = new Set<string>();
    for (const { key } of await this.objects.list(`${this.prefix}/`)) {
      const [name, file] = key.slice(this.prefix.length + 1).split('/');
      if (file === 'versions' || file === 'aliases.json') names.add(name);
    }
    return [...names].sort();
  }

  /** Where each alias of `name` points; `{}` for a model without state; StoreStateError when unreadable. */
  async aliases(name: string): Promise<Record<string, number>> {
    return (await this.readState(name, await this.hasVersions(name))).state.aliases;
  }

  async resolve(name: string, alias: string): Promise<ModelVersion> {
    const record = await this.lookup(name, alias);
    if (!record) throw new ModelNotFoundError(`model ${name} has no alias ${alias}`);
    return record;
  }

  /**
   * The version `alias` points at, or null when the model or the alias does not exist; `withMark` as
   * for {@link version}.
   */
  async lookup(
    name: string,
    alias: string,
    options: { withMark?: boolean } = {},
  ): Promise<ModelVersion | null> {
    const version = (await this.aliases(name))[alias];
    if (version === undefined) return null;
    const record = await this.version(name, version, options);
    if (!record)
      throw new StoreStateError(
        `alias ${alias} of model ${name} points at version ${version}, whose object ${this.objects.uriOf(this.versionKey(name, version))} is missing`,
      );
    return record;
  }

  /**
   * One version's record, or null when it does not exist. `withMark` also reads its cancelled-run mark
   * (`cancelledRun`); without it the mark is left unread (one read less, as deploys need).
   */
  async version(
    name: string,
    version: number,
    options: { withMark?: boolean } = {},
  ): Promise<ModelVersion | null> {
    const key = this.versionKey(name, version);
    const [object, mark] = await Promise.all([
      this.objects.get(key),
      options.withMark ? this.objects.get(this.cancelledKey(name, version)) : null,
    ]);
    if (!object) return null;
    const record = parseState<ModelVersion>(object.body, `registry version ${this.objects.uriOf(key)}`);
    if (typeof record?.version !== 'number' || typeof record.model?.sha256 !== 'string')
      throw new StoreStateError(`registry version ${this.objects.uriOf(key)} is not a model version record`);
    if (mark) {
      const where = `registry mark ${this.objects.uriOf(this.cancelledKey(name, version))}`;
      record.cancelledRun = parseState<{ at: string; reason: string }>(mark.body, where);
    }
    return record;
  }

  /** Points `alias` at `version` and records the move: one compare-and-swap of the model's state. */
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
    return this.update(name, true, (state) => {
      const entry = { alias, version, previous: state.aliases[alias] ?? null, at: now(), reason, kind };
      // A promote to where the alias already is records nothing: a history entry would make the next
      // rollback land on the same version. It answers with the recorded move that put it there.
      if (kind === 'promote' && entry.previous === version) {
        const standing = state.history.filter((m) => m.alias === alias).at(-1);
        return standing?.version === version ? { ...standing, previous: version } : entry;
      }
      return move(state, entry);
    });
  }

  /**
   * `quiver models promote`: points `alias` at an existing version. `recorded` is false when the alias
   * was already there: nothing changed and no history entry was written; `previous` is then `version`,
   * and `at`, `reason` and `kind` are those of the recorded move that put the alias there (the fresh
   * ones only for a history that lacks it).
   */
  async promote(
    name: string,
    version: number,
    alias: string,
    reason = 'promoted',
  ): Promise<AliasMove & { recorded: boolean }> {
    const move = await this.setAlias(name, alias, version, reason, 'promote');
    return { ...move, recorded: move.previous !== move.version };
  }

  /**
   * `quiver models rollback`: points `alias` back at the version it had before its current one.
   * Rollbacks undo moves in order, so rolling back twice goes back two versions.
   */
  async rollback(name: string, alias: string, reason = 'rolled back'): Promise<AliasMove> {
    return this.update(name, true, (state) => {
      const current = state.aliases[alias];
      if (current === undefined) throw new ModelNotFoundError(`model ${name} has no alias ${alias}`);
      const stack = aliasStack(state.history.filter((m) => m.alias === alias));
      const target = stack.length >= 2 ? stack[stack.length - 2] : undefined;
      if (target === undefined) {
        throw new ModelNotFoundError(
          `alias ${alias} of model ${name} has no earlier version to roll back to (history: ${stack.join(' → ') || 'empty'})`,
        );
      }
      return move(state, { alias, version: target, previous: current, at: now(), reason, kind: 'rollback' });
    });
  }

  /**
   * Undoes the alias move of a run that was cancelled after its deploy had moved it (a local run's
   * workflow task discarded by the server: see workflows/training-pipeline.ts): when `alias` still
   * points at a version `runId` registered, it goes back to the version before it (a `rollback`
   * move), or is withdrawn when there was none (a `withdraw` entry; the alias no longer resolves).
   * Returns that move, or null when the alias is not on the run's version (never moved by it, or
   * moved on since: nothing to undo). One compare-and-swap, as every move.
   */
  async undoRunMove(name: string, alias: string, runId: string, reason: string): Promise<AliasMove | null> {
    const current = await this.lookup(name, alias);
    if (!current || current.runId !== runId) return null;
    return this.update(name, true, (state) => {
      if (state.aliases[alias] !== current.version) return null;
      const stack = aliasStack(state.history.filter((m) => m.alias === alias));
      const earlier = stack.length >= 2 ? stack[stack.length - 2] : undefined;
      const entry = { alias, previous: current.version, at: now(), reason };
      if (earlier !== undefined) return move(state, { ...entry, version: earlier, kind: 'rollback' });
      delete state.aliases[alias];
      const withdrawn: AliasMove = { ...entry, version: current.version, kind: 'withdraw' };
      state.history.push(withdrawn);
      return withdrawn;
    });
  }

  /** Every alias move of a model (or of one alias), oldest first. */
  async history(name: string, alias?: string): Promise<AliasMove[]> {
    const moves = (await this.readState(name, await this.hasVersions(name))).state.history;
    return alias === undefined ? moves : moves.filter((m) => m.alias === alias);
  }

  /**
   * Applies `change` to the model's state and writes it back if nobody changed it meanwhile
   * (`If-Match` on its ETag; `If-None-Match: *` when creating it); re-reads and re-applies on conflict.
   */
  private async update<T>(name: string, mustExist: boolean, change: (state: AliasState) => T): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const { state, etag } = await this.readState(name, mustExist);
      const result = change(state);
      try {
        await this.objects.put(
          this.stateKey(name),
          `${JSON.stringify(state, null, 2)}\n`,
          etag === null ? { ifNoneMatch: '*' } : { ifMatch: etag },
        );
        return result;
      } catch (error) {
        if (!(error instanceof PreconditionFailedError) || attempt >= MAX_SWAPS) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 5 * attempt)));
      }
    }
  }

  /**
   * The model's state and its ETag (null when there is none yet). `expected`: the model has versions,
   * so a missing state object was deleted, which is an error rather than "no aliases".
   */
  private async readState(
    name: string,
    expected: boolean,
  ): Promise<{ state: AliasState; etag: string | null }> {
    const key = this.stateKey(name);
    const where = this.objects.uriOf(key);
    const object = await this.objects.get(key);
    if (!object) {
      if (expected)
        throw new StoreStateError(
          `registry state ${where} is missing although model ${name} has versions: restore it ` +
            `(its aliases and the last version number are kept there); it is never taken as empty`,
        );
      return { state: { aliases: {}, history: [], lastVersion: 0 }, etag: null };
    }
    const parsed = parseState<unknown>(object.body, `registry state ${where}`);
    return { state: await this.normalise(name, parsed, where), etag: object.etag };
  }

  /** The state in its current shape; a `{alias: version}` file of older releases is read with its history. */
  private async normalise(name: string, parsed: unknown, where: string): Promise<AliasState> {
    const isVersionMap = (value: unknown): value is Record<string, number> =>
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      Object.values(value).every((v) => Number.isInteger(v));
    if (isVersionMap(parsed)) {
      return { aliases: parsed, history: await this.legacyHistory(name), lastVersion: 0 };
    }
    const state = parsed as Partial<AliasState> | null;
    if (
      !state ||
      !isVersionMap(state.aliases) ||
      !Array.isArray(state.history) ||
      !Number.isInteger(state.lastVersion)
    )
      throw new StoreStateError(
        `registry state ${where} is not an alias state ({aliases, history, lastVersion})`,
      );
    return state as AliasState;
  }

  /** Alias moves that older releases appended to `alias-history.jsonl`. */
  private async legacyHistory(name: string): Promise<AliasMove[]> {
    const key = `${this.prefix}/${name}/alias-history.jsonl`;
    const object = await this.objects.get(key);
    if (!object) return [];
    return object.body
      .toString()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line, i) => parseState<AliasMove>(line, `line ${i + 1} of ${this.objects.uriOf(key)}`));
  }

  /** Whether the model has any version: one listing, no record read. */
  async hasVersions(name: string): Promise<boolean> {
    return (await this.listedVersions(name)).length > 0;
  }

  /** Version numbers that have an object, ascending. */
  private async listedVersions(name: string): Promise<number[]> {
    return (await this.listing(name)).numbers;
  }

  /** One listing of `<model>/versions/`: the version numbers (ascending) and those marked cancelled. */
  private async listing(name: string): Promise<{ numbers: number[]; cancelled: Set<number> }> {
    const dir = `${this.prefix}/${name}/versions/`;
    const numbers: number[] = [];
    const cancelled = new Set<number>();
    for (const { key } of await this.objects.list(dir)) {
      const match = /^(\d+)(\.cancelled)?\.json$/.exec(key.slice(dir.length));
      if (match?.[2]) cancelled.add(Number(match[1]));
      else if (match) numbers.push(Number(match[1]));
    }
    return { numbers: numbers.sort((a, b) => a - b), cancelled };
  }

  /** The claim a run's registration leaves (run ids are encoded: any characters stay one key segment). */
  private registrationKey(name: string, runId: string, sha256: string): string {
    return `${this.prefix}/${name}/registrations/${encodeURIComponent(runId)}.${sha256}.json`;
  }

  private cancelledKey(name: string, version: number): string {
    return `${this.prefix}/${name}/versions/${version}.cancelled.json`;
  }

  private versionKey(name: string, version: number): string {
    return `${this.prefix}/${name}/versions/${version}.json`;
  }

  private stateKey(name: string): string {
    return `${this.prefix}/${name}/aliases.json`;
  }
}

function now(): string {
  return new Date().toISOString();
}

/** Applies one alias move to the state and returns it. */
function move(state: AliasState, entry: AliasMove): AliasMove {
  state.aliases[entry.alias] = entry.version;
  state.history.push(entry);
  state.lastVersion = Math.max(state.lastVersion, entry.version);
  return entry;
}

/** The versions an alias stood on, replaying its history: a move pushes, a rollback pops, a withdrawal empties. */
export function aliasStack(moves: AliasMove[]): number[] {
  const stack: number[] = [];
  for (const move of moves) {
    if (move.kind === 'withdraw') stack.length = 0;
    else if (move.kind === 'rollback') {
      stack.pop();
      if (stack[stack.length - 1] !== move.version) stack.push(move.version);
    } else if (stack[stack.length - 1] !== move.version) stack.push(move.version);
  }
  return stack;
}

/** Whether a version record is the registration `entry` asks for: the same run and model bytes. */
function isSameRegistration(record: ModelVersion, entry: Pick<ModelVersion, 'runId' | 'model'>): boolean {
  return record.runId === entry.runId && record.model.sha256 === entry.model.sha256;
}
