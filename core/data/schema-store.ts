import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DataError, QuiverError } from '../errors';
import type { DataSchema } from './data-schema';

/** Where a pipeline's pinned data schema lives: `<home>/schemas/<pipeline>.json`. */
export function schemaPath(home: string, pipeline: string): string {
  // Same rule as a spec's `name`: a typed name can never reach outside the schemas folder.
  if (!/^[a-z0-9][a-z0-9_-]*$/i.test(pipeline))
    throw new QuiverError(`not a pipeline name: ${pipeline} (letters, digits, - or _)`);
  return path.join(home, 'schemas', `${pipeline}.json`);
}

/** The pinned schema of a pipeline, or null before its first passing run (or after a reset). */
export async function readPinnedSchema(home: string, pipeline: string): Promise<DataSchema | null> {
  const file = schemaPath(home, pipeline);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    return JSON.parse(text) as DataSchema;
  } catch (cause) {
    throw new DataError(`pinned schema ${file} is not valid JSON: fix it or run \`quiver schema reset ${pipeline}\``, {
      cause,
    });
  }
}

/**
 * Pins a schema unless one is pinned already: written to a temp file, fsynced, then hard-linked to its
 * name, which fails if the name exists, so two runs racing to pin cannot overwrite each other.
 * Returns the schema that is pinned now (the one given, or the earlier one).
 */
export async function pinSchema(home: string, schema: DataSchema): Promise<{ schema: DataSchema; pinned: boolean }> {
  const file = schemaPath(home, schema.pipeline);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  const handle = await fs.open(temp, 'wx');
  try {
    await handle.writeFile(`${JSON.stringify(schema, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.link(temp, file);
    return { schema, pinned: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { schema: (await readPinnedSchema(home, schema.pipeline)) ?? schema, pinned: false };
  } finally {
    await fs.rm(temp, { force: true });
  }
}

/** Forgets the pinned schema; the next passing run pins a new one. Returns whether there was one. */
export async function resetSchema(home: string, pipeline: string): Promise<boolean> {
  try {
    await fs.rm(schemaPath(home, pipeline));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
