/**
 * Awaits every promise to the end, then returns all their values in order or throws the first
 * rejection (by position): unlike `Promise.all`, no work of a failed step runs on after it throws.
 *
 * @param promises promises of any types, as a tuple: `settleAll([write, check])` → `[ref, decision]`
 * @throws the reason of the first promise (in order) that rejected
 */
export async function settleAll<T extends readonly unknown[]>(promises: {
  readonly [K in keyof T]: Promise<T[K]>;
}): Promise<T> {
  const settled = await Promise.allSettled(promises as readonly Promise<unknown>[]);
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
