/** A protobuf Timestamp as either client decodes it (int64 seconds as a Long or a number). */
export type ProtoTimestamp = { seconds?: unknown; nanos?: number | null } | null | undefined;

/** A protobuf Timestamp in milliseconds since the epoch (nanos rounded); null when it has no seconds. */
export function timestampMs(time: ProtoTimestamp): number | null {
  const seconds = time?.seconds;
  if (seconds === undefined || seconds === null) return null;
  return Number(seconds) * 1000 + Math.round((time?.nanos ?? 0) / 1e6);
}
