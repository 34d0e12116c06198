/**
 * Waiting in tests: poll a condition until it holds. The limit only stops a
 * hang; it is never a timing assertion.
 *
 * @example
 * ```ts
 * await waitFor(() => received.length === 3, "three events");
 * ```
 * @module
 */

/** How long a test waits for something before calling it a hang (the one limit tests share). */
export const WAIT_MS = 15_000;

/** Resolves once `check()` is true; throws naming `what` after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
