import { DataError } from '../errors';
import { LINEAGE_KEYS, LINEAGE_PARAMS_KEY, type Lineage } from './types';

/** Lineage as Arrow schema metadata, merged over `base` (a table's own metadata is kept). */
export function lineageToMetadata(lineage: Lineage, base?: ReadonlyMap<string, string>): Map<string, string> {
  const metadata = new Map(base ?? []);
  for (const [field, key] of Object.entries(LINEAGE_KEYS) as [keyof Lineage, string][]) {
    const value = lineage[field];
    metadata.set(key, Array.isArray(value) ? JSON.stringify(value) : String(value));
  }
  if (lineage.params !== undefined) metadata.set(LINEAGE_PARAMS_KEY, lineage.params);
  return metadata;
}

/** Reads lineage back from schema metadata; a checkpoint without every lineage key is a DataError. */
export function lineageFromMetadata(metadata: ReadonlyMap<string, string>, source = 'checkpoint'): Lineage {
  const missing = Object.values(LINEAGE_KEYS).filter((key) => !metadata.has(key));
  if (missing.length > 0)
    throw new DataError(`${source} carries no Quiver lineage (missing ${missing.join(', ')})`);
  const get = (key: string) => metadata.get(key) as string;
  const params = metadata.get(LINEAGE_PARAMS_KEY);
  return {
    ...(params === undefined ? {} : { params }),
    pipeline: get(LINEAGE_KEYS.pipeline),
    runId: get(LINEAGE_KEYS.runId),
    step: get(LINEAGE_KEYS.step),
    output: get(LINEAGE_KEYS.output),
    stepCodeVersion: get(LINEAGE_KEYS.stepCodeVersion),
    paramsHash: get(LINEAGE_KEYS.paramsHash),
    inputs: parseInputs(get(LINEAGE_KEYS.inputs), source),
    createdAt: get(LINEAGE_KEYS.createdAt),
  };
}

function parseInputs(text: string, source: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new DataError(`${source}: ${LINEAGE_KEYS.inputs} is not JSON: ${text}`, { cause });
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new DataError(`${source}: ${LINEAGE_KEYS.inputs} is not a JSON array of strings: ${text}`);
  }
  return value;
}
