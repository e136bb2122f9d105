import { patient } from './patience';

/**
 * Polls `probe` until it returns a value (visibility and schedules are eventually consistent).
 * `timeoutMs` is what an idle machine needs; the deadline stretches with the machine's load.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + patient(timeoutMs);
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
