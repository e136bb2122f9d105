import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { QuiverError, StoreStateError } from '../core/errors';
import { FileObjectStore } from '../core/object-store/file';
import { stateStore } from '../core/object-store/index';
import { parseState, type ObjectStore } from '../core/object-store/types';
import { timeKey } from '../core/object-store/time-key';

/** One dated entry of a run's research journal. */
export interface RunNote {
  runId: string;
  /** ISO-8601 time the note was written. */
  at: string;
  /** Who wrote it: `QUIVER_USER`, else the OS user name. */
  by: string;
  text: string;
}

/**
 * The research journal, in the shared-state store: one object per note,
 * `notes/<run>/<time>-<uuid>.json` (under `QUIVER_HOME` with a `file://` store, under the bucket
 * prefix with `s3://`), created with `If-None-Match: *`, so notes written on any hosts at once are all
 * kept and every host lists the same journal. A closed run's memo cannot change in Temporal, so notes
 * live beside the runs rather than inside them; every reader (status, runs ls --notes, runs compare,
 * report) joins them by run id.
 */
export class RunJournal {
  constructor(
    private readonly objects: ObjectStore,
    private readonly prefix = 'notes',
  ) {}

  /** The journal of an installation: its store's shared state, or (a path) a QUIVER_HOME's `file://` layout. */
  static at(where: string | { home: string; store: string }): RunJournal {
    return new RunJournal(typeof where === 'string' ? new FileObjectStore(where) : stateStore(where));
  }

  /** Stores a note as a new object. */
  async add(runId: string, text: string, by = defaultAuthor(), at = new Date()): Promise<RunNote> {
    if (!text.trim()) throw new QuiverError('a note needs some text');
    const note: RunNote = { runId, at: at.toISOString(), by, text };
    const key = `${this.runPrefix(runId)}${timeKey(at)}-${randomUUID()}.json`;
    await this.objects.put(key, JSON.stringify(note), { ifNoneMatch: '*' });
    return note;
  }

  /**
   * A run's notes, oldest first.
   *
   * @throws StoreStateError naming the object (or the line of an older journal file) that is not a note.
   */
  async list(runId: string): Promise<RunNote[]> {
    const listed = (await this.objects.list(this.runPrefix(runId))).filter((o) => o.key.endsWith('.json'));
    const notes = await Promise.all(listed.map((o) => this.read(o.key)));
    return [...(await this.legacy(runId)), ...notes].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  /** Every run's notes at once (one listing), by run id, each oldest first. */
  async all(): Promise<Map<string, RunNote[]>> {
    const listed = (await this.objects.list(`${this.prefix}/`)).filter((o) => o.key.endsWith('.json'));
    const byRun = new Map<string, RunNote[]>();
    for (const note of await Promise.all(listed.map((o) => this.read(o.key))))
      byRun.set(note.runId, [...(byRun.get(note.runId) ?? []), note]);
    for (const notes of byRun.values()) notes.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    return byRun;
  }

  private async read(key: string): Promise<RunNote> {
    const where = `journal note ${this.objects.uriOf(key)}`;
    const object = await this.objects.get(key);
    if (!object) throw new StoreStateError(`${where} was listed but cannot be found`);
    const note = parseState<RunNote>(object.body, where);
    if (typeof note?.runId !== 'string' || typeof note.text !== 'string' || typeof note.at !== 'string')
      throw new StoreStateError(`${where} is not a journal note ({"runId", "at", "by", "text"})`);
    return note;
  }

  /** Notes of releases that appended JSON Lines to `journal/<run>.jsonl` (still read, never written). */
  private async legacy(runId: string): Promise<RunNote[]> {
    const key = `journal/${encodeURIComponent(runId)}.jsonl`;
    const object = await this.objects.get(key);
    if (!object) return [];
    return object.body
      .toString('utf8')
      .split('\n')
      .filter((line) => line.trim())
      .map((line, i) => {
        try {
          return JSON.parse(line) as RunNote;
        } catch (cause) {
          throw new StoreStateError(
            `${this.objects.uriOf(key)} line ${i + 1} is not a journal entry: '${line.slice(0, 60)}'`,
            { cause },
          );
        }
      });
  }

  /** Run ids may hold ':' (scheduled runs) and '/' never: encoded, each run is one flat, portable folder. */
  private runPrefix(runId: string): string {
    return `${this.prefix}/${encodeURIComponent(runId)}/`;
  }
}

function defaultAuthor(): string {
  if (process.env.QUIVER_USER) return process.env.QUIVER_USER;
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
