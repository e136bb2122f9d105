import type { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { connectClient } from './temporal-connection';
import { QUIVER_SEARCH_ATTRIBUTES, type SearchAttributeTypeName } from './search-attributes';

type AddRequest = Parameters<Connection['operatorService']['addSearchAttributes']>[0];
type IndexedValueType = NonNullable<AddRequest['searchAttributes']>[string];

/** Temporal's `IndexedValueType` enum numbers, by the type names the CLI uses. */
const INDEXED_VALUE_TYPES: Record<SearchAttributeTypeName, IndexedValueType> = {
  Text: 1 as IndexedValueType,
  Keyword: 2 as IndexedValueType,
  Int: 3 as IndexedValueType,
  Double: 4 as IndexedValueType,
  Bool: 5 as IndexedValueType,
  Datetime: 6 as IndexedValueType,
  KeywordList: 7 as IndexedValueType,
};

/** Opens a client connection, giving up after `timeoutMs` (no retries). */
export async function connectTemporal(address: string, timeoutMs = 5_000): Promise<Connection> {
  return connectClient({ address, connectTimeout: timeoutMs });
}

/**
 * Registers `namespace` when the server does not know it (a dev server Quiver did not start), and
 * waits until it answers. Production clusters should have it registered by their operators.
 */
export async function ensureNamespace(
  connection: Connection,
  namespace: string,
  timeoutMs = 30_000,
): Promise<boolean> {
  if (await describes(connection, namespace)) return false;
  await connection.workflowService
    .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('3 days') })
    .catch((error: unknown) => {
      if (!/already exists/i.test(String(error))) throw error;
    });
  const deadline = Date.now() + timeoutMs;
  while (!(await describes(connection, namespace))) {
    if (Date.now() > deadline)
      throw new Error(`Namespace ${namespace} was registered but never became ready`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return true;
}

async function describes(connection: Connection, namespace: string): Promise<boolean> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } catch {
    return false;
  }
}

/**
 * Adds whichever of {@link QUIVER_SEARCH_ATTRIBUTES} `namespace` lacks and returns their names.
 * Needed even on a dev server Quiver starts: `start-dev` registers attributes only when it creates
 * the namespace, so a database file from an older Quiver would miss newer ones.
 */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  /** How long to retry while the server still reports the namespace missing (it was just registered). */
  notFoundRetryMs = 0,
): Promise<string[]> {
  const deadline = Date.now() + notFoundRetryMs;
  let customAttributes;
  for (;;) {
    try {
      ({ customAttributes } = await connection.operatorService.listSearchAttributes({ namespace }));
      break;
    } catch (error) {
      // gRPC NOT_FOUND: the operator service's namespace cache refreshes a few seconds after registration.
      if ((error as { code?: number }).code !== 5 || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  const missing = Object.entries(QUIVER_SEARCH_ATTRIBUTES).filter(([name]) => !customAttributes?.[name]);
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, INDEXED_VALUE_TYPES[type]])),
  });
  return missing.map(([name]) => name);
}
