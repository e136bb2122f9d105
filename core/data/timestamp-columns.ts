import type { SchemaColumn } from './data-schema';

/**
 * Whether a pinned schema column holds timestamps (ms since 1970-01-01 UTC: the note inference
 * writes for ingest's `quiver.logical_type = timestamp`). Time only moves forward, so such a column
 * is not range-checked against its pinned min/max (drift judges it); messages print it as ISO dates.
 */
export function isTimestampColumn(column: Pick<SchemaColumn, 'type' | 'note'>): boolean {
  return column.type === 'number' && (column.note?.startsWith('timestamp') ?? false);
}

/** A timestamp in ms as an ISO-8601 UTC date (`2026-02-03T01:00:00.000Z`); a non-finite one as is. */
export function isoTimestamp(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);
}
