/**
 * Reconnect delays: exponential backoff with jitter, so browsers that lost the same
 * server do not all come back at once.
 *
 * @module
 */

export interface BackoffOptions {
  /** Delay ceiling of the first retry, ms; default 1000. */
  baseMs?: number;
  /** Largest delay, ms; default 30 000. */
  maxMs?: number;
  /** A number in [0, 1); default `Math.random`. */
  random?: () => number;
}

/**
 * The delay before retry number `attempt` (0 for the first): a ceiling that
 * doubles per attempt up to `maxMs`, of which a random half is kept
 * ("equal jitter": never near zero, never above the ceiling).
 */
export function backoffDelay(
  attempt: number,
  { baseMs = 1000, maxMs = 30_000, random = Math.random }: BackoffOptions = {},
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return ceiling / 2 + random() * (ceiling / 2);
}
