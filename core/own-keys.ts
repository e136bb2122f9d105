/**
 * Lookups in objects keyed by column names. A column may be named `constructor`, `toString` or
 * `__proto__` (Formula-1 data has a `constructor` column): `record[name]` would then find
 * Object.prototype's members, and `record[name] = v` on `__proto__` would replace the prototype.
 */

/** `record[key]` when `key` is the record's own property, else undefined. */
export function ownValue<T>(
  record: Readonly<Record<string, T>> | undefined | null,
  key: string,
): T | undefined {
  return record != null && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** An empty record with no prototype: any column name, `__proto__` included, is an ordinary key. */
export function columnRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
