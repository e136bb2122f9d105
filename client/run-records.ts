import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { RunView } from './api';

/** Every run id that ran in-process (`quiver run --local`, `quiver step run`) starts with this. */
export const LOCAL_RUN_PREFIX = 'local-';

/** The text `status` shows in place of a Temporal UI link for a run that never touched Temporal. */
export const LOCAL_RUN_UI = '(local run: no Temporal UI)';

/** True for ids of runs made in-process, which live in the run records rather than in Temporal. */
export function isLocalRunId(runId: string): boolean {
  return runId.startsWith(LOCAL_RUN_PREFIX);
}

/** Readable, sortable, unique, and marked local: `local-iris-20261130-130501-x7k2`. */
export function newLocalRunId(pipeline: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${LOCAL_RUN_PREFIX}${pipeline}-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

/** Run ids are file names here: anything that could climb out of the folder is refused. */
function safeName(runId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._:@+=-]*$/.test(runId) || runId.includes('..'))
    throw new Error(`not a run id: ${JSON.stringify(runId)}`);
  return `${runId.replace(/:/g, '_')}.json`;
}

/**
 * Runs known on this machine without asking Temporal, one JSON file per run under
 * `<home>/runs/`: every local run, and every closed durable run a client has read (so
 * `quiver step run STEP --from RUN` works after the server is gone). A closed run's record never
 * changes, so a copy is as good as Temporal's memo; files are replaced by rename, never half-written.
 */
export class RunRecords {
  constructor(readonly dir: string) {}

  static at(home: string): RunRecords {
    return new RunRecords(path.join(home, 'runs'));
  }

  /** Writes (or replaces) the record of `view.runId`. */
  async save(view: RunView): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, safeName(view.runId));
    const temp = path.join(this.dir, `.tmp-${process.pid}-${randomUUID()}.json`);
    await fs.writeFile(temp, JSON.stringify(view, null, 2));
    await fs.rename(temp, file);
  }

  /** The recorded run, or null when this machine has none for `runId`. */
  async load(runId: string): Promise<RunView | null> {
    try {
      return JSON.parse(await fs.readFile(path.join(this.dir, safeName(runId)), 'utf8')) as RunView;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** Every recorded run (local and remembered), newest first. */
  async list(): Promise<RunView[]> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    const views = await Promise.all(
      names
        .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
        .map(async (n) => JSON.parse(await fs.readFile(path.join(this.dir, n), 'utf8')) as RunView),
    );
    return views.sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
  }
}
