/**
 * Waits `ms` or until `closed` settles, whichever is first, and clears its timer either way: a timer
 * left pending kept `quiver run --wait` alive for up to 2 s after the run had closed (the pause check's
 * interval), so every waited run cost that much more than it took.
 */
export async function untilClosedOr(closed: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
