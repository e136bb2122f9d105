import path from 'node:path';
import { DataError, QuiverError } from '../errors';
import { FileObjectStore } from '../object-store/file';
import { stateStore } from '../object-store/index';
import { PreconditionFailedError, type ObjectStore } from '../object-store/types';
import type { DataSchema } from './data-schema';
import { SAFE_NAME } from '../names';

/** Where pinned schemas live: a QUIVER_HOME (file layout) or a configuration (its store decides). */
export type SchemaStoreLocation = string | { home: string; store: string };

function objectsOf(where: SchemaStoreLocation): ObjectStore {
  return typeof where === 'string' ? new FileObjectStore(path.resolve(where)) : stateStore(where);
}

function schemaKey(pipeline: string): string {
  // Same rule as a spec's `name`: a typed name can never reach outside the schemas folder.
  if (!SAFE_NAME.test(pipeline))
    throw new QuiverError(`not a pipeline name: ${pipeline} (letters, digits, - or _)`);
  return `schemas/${pipeline}.json`;
}

/** Where a pipeline's pinned data schema lives, as a path (`<home>/schemas/<pipeline>.json`) or `s3://` URI. */
export function schemaPath(where: SchemaStoreLocation, pipeline: string): string {
  const key = schemaKey(pipeline);
  const objects = objectsOf(where);
  return objects instanceof FileObjectStore ? objects.file(key) : objects.uriOf(key);
}

/** The pinned schema of a pipeline, or null before its first passing run (or after a reset). */
export async function readPinnedSchema(where: SchemaStoreLocation, pipeline: string): Promise<DataSchema | null> {
  const key = schemaKey(pipeline);
  const objects = objectsOf(where);
  const object = await objects.get(key);
  if (!object) return null;
  try {
    return JSON.parse(object.body.toString()) as DataSchema;
  } catch (cause) {
    throw new DataError(
      `pinned schema ${schemaPath(where, pipeline)} is not valid JSON: fix it or run \`quiver schema reset ${pipeline}\``,
      { cause },
    );
  }
}

/**
 * Pins a schema unless one is pinned already: created exclusively (`If-None-Match: *`; a hard link
 * on disk), so two runs racing to pin cannot overwrite each other, on one host or many.
 * Returns the schema that is pinned now (the one given, or the earlier one).
 */
export async function pinSchema(
  where: SchemaStoreLocation,
  schema: DataSchema,
): Promise<{ schema: DataSchema; pinned: boolean }> {
  const key = schemaKey(schema.pipeline);
  try {
    await objectsOf(where).put(key, `${JSON.stringify(schema, null, 2)}\n`, { ifNoneMatch: '*' });
    return { schema, pinned: true };
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    return { schema: (await readPinnedSchema(where, schema.pipeline)) ?? schema, pinned: false };
  }
}

/** Forgets the pinned schema; the next passing run pins a new one. Returns whether there was one. */
export async function resetSchema(where: SchemaStoreLocation, pipeline: string): Promise<boolean> {
  const key = schemaKey(pipeline);
  const objects = objectsOf(where);
  if (!(await objects.get(key))) return false;
  await objects.delete(key);
  return true;
}
