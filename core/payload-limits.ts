import { SpecError } from './errors';
import { sha256, stableStringify } from './hash';

/**
 * Payload bounds. Temporal refuses a payload over 2 MiB (its default blob size limit) and a gRPC
 * message over 4 MiB, and a history that carries the same large value in every event grows without
 * bound; so anything that can grow travels as a checkpoint reference (claim check) above
 * {@link INLINE_LIMIT_BYTES}, and what still exceeds {@link TEMPORAL_PAYLOAD_LIMIT_BYTES} is refused
 * before a run starts.
 */

/** Above this many bytes of JSON, a spec travels as a checkpoint reference, not inline. */
export const INLINE_LIMIT_BYTES = 64 * 1024;
/** Above this many bytes of JSON, one value inside params or a spec is replaced by its digest. */
export const LARGE_VALUE_BYTES = 4 * 1024;
/** Temporal's default per-payload limit (`limit.blobSize.error`): larger starts fail on the server. */
export const TEMPORAL_PAYLOAD_LIMIT_BYTES = 2 * 1024 * 1024;

/** Size in bytes of a value's JSON encoding (what Temporal's JSON payload converter sends). */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/** The stand-in for a large value: its size and digest, readable in plans ("<large: 5.2 MB, sha256 …>"). */
export function largeValueDigest(value: unknown): string {
  const text = stableStringify(value);
  const bytes = Buffer.byteLength(text, 'utf8');
  return `<large: ${(bytes / 1e6).toFixed(1)} MB, sha256 ${sha256(text).slice(0, 12)}>`;
}

/**
 * `value` with every array or string whose JSON exceeds `limit` bytes replaced by
 * {@link largeValueDigest}; objects are kept and compacted key by key, so the spec's shape (and
 * every small setting the workflow reads) survives. Equal inputs give equal outputs.
 */
export function compactLargeValues<T>(value: T, limit = LARGE_VALUE_BYTES): T {
  if (jsonBytes(value) <= limit) return value;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value as Record<string, unknown>))
      out[key] = compactLargeValues(inner, limit);
    return out as T;
  }
  return largeValueDigest(value) as T;
}

/**
 * Throws a SpecError naming `what`, its size and the limit when `value` would exceed Temporal's payload
 * limit even after the claim check: the run is refused before it starts, not stuck once it has.
 */
export function assertWithinPayloadLimit(what: string, value: unknown): void {
  const bytes = jsonBytes(value);
  if (bytes > TEMPORAL_PAYLOAD_LIMIT_BYTES)
    throw new SpecError(
      `${what} is ${formatBytes(bytes)}, over Temporal's payload limit of ${formatBytes(TEMPORAL_PAYLOAD_LIMIT_BYTES)}: move large values into data files`,
      [{ path: what, message: `${bytes} bytes > ${TEMPORAL_PAYLOAD_LIMIT_BYTES} bytes` }],
    );
}

/** `5.2 MB (5242880 bytes)`. */
export function formatBytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB (${bytes} bytes)`;
}
