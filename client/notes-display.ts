import type { QuiverConfig } from '../core/config';
import { RunJournal, type RunNote } from './run-notes';

/** How many of a run's latest notes `status` prints (`runs notes RUN` lists them all). */
export const STATUS_NOTES = 3;

/** The research journal of an installation: the one place the readers below open it. */
export function journalOf(config: QuiverConfig): RunJournal {
  return RunJournal.at(config);
}

/** Each run's notes, oldest first, by run id (runs without notes map to an empty list). */
export async function notesOf(config: QuiverConfig, runIds: string[]): Promise<Map<string, RunNote[]>> {
  const journal = journalOf(config);
  const lists = await Promise.all(runIds.map((id) => journal.list(id)));
  return new Map(runIds.map((id, i) => [id, lists[i]]));
}

/** One note as a line: `2026-11-30 10:00  ana  tried 2 hidden layers`. */
export function noteLine(note: RunNote): string {
  return `${note.at.replace('T', ' ').slice(0, 16)}  ${note.by}  ${note.text}`;
}

/** `status`'s notes block: the latest `limit` notes, oldest of them first; nothing when there are none. */
export function formatLatestNotes(notes: RunNote[], limit = STATUS_NOTES): string[] {
  if (notes.length === 0) return [];
  const shown = notes.slice(-limit);
  const title = notes.length > shown.length ? `notes (latest ${shown.length} of ${notes.length}):` : 'notes:';
  return [title, ...shown.map((n) => `  ${noteLine(n)}`)];
}

/** The `NOTES` cell of `runs ls --notes`: the count and the latest note, cut to `width` characters. */
export function notesCell(notes: RunNote[], width = 48): string {
  if (notes.length === 0) return '-';
  const latest = notes[notes.length - 1].text.replace(/\s+/g, ' ');
  const text = latest.length > width ? `${latest.slice(0, width - 1)}…` : latest;
  return notes.length > 1 ? `(${notes.length}) ${text}` : text;
}
