import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QuiverError } from '../core/errors';

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
 * The research journal: append-only JSON Lines per run under `<home>/journal/`. A closed run's memo
 * cannot change in Temporal, so notes live beside the runs rather than inside them; every reader
 * (status, runs ls --notes, runs compare, report) joins them by run id.
 */
export class RunJournal {
  constructor(private readonly dir: string) {}

  static at(home: string): RunJournal {
    return new RunJournal(path.join(home, 'journal'));
  }

  /** Appends a note; O_APPEND keeps concurrent writers' lines whole (each line is one write). */
  async add(runId: string, text: string, by = defaultAuthor(), at = new Date()): Promise<RunNote> {
    if (!text.trim()) throw new QuiverError('a note needs some text');
    const note: RunNote = { runId, at: at.toISOString(), by, text };
    await fs.mkdir(this.dir, { recursive: true });
    await fs.appendFile(this.file(runId), JSON.stringify(note) + '\n', { mode: 0o600 });
    return note;
  }

  /** A run's notes, oldest first; a line that is not a note is an error naming the file and line. */
  async list(runId: string): Promise<RunNote[]> {
    let text: string;
    try {
      text = await fs.readFile(this.file(runId), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return text
      .split('\n')
      .filter((line) => line.trim())
      .map((line, i) => {
        try {
          return JSON.parse(line) as RunNote;
        } catch (cause) {
          throw new QuiverError(
            `${this.file(runId)} line ${i + 1} is not a journal entry: '${line.slice(0, 60)}'`,
            { cause },
          );
        }
      });
  }

  private file(runId: string): string {
    // Run ids may hold ':' (scheduled runs) and '/' never: encode to keep one flat, portable folder.
    return path.join(this.dir, `${encodeURIComponent(runId)}.jsonl`);
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
