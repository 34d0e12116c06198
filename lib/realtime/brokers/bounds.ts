/**
 * History bounds shared by every broker: how many events a channel keeps and
 * for how long.
 *
 * @module
 */

/** Per-channel history limits. */
export interface HistoryBounds {
  /** Most events kept per channel (default 1000). */
  limit: number;
  /** Oldest event kept, in ms of age (default 24 h). */
  ttlMs: number;
}

export const DEFAULT_HISTORY_LIMIT = 1000;
export const DEFAULT_HISTORY_TTL_MS = 24 * 60 * 60 * 1000;

/** Fills in defaults and rejects nonsense (a limit below 1, a ttl of 0 or less). */
export function resolveBounds(
  bounds: Partial<HistoryBounds> = {},
): HistoryBounds {
  const limit = bounds.limit ?? DEFAULT_HISTORY_LIMIT;
  const ttlMs = bounds.ttlMs ?? DEFAULT_HISTORY_TTL_MS;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new RangeError(
      `history limit must be a whole number ≥ 1, got ${limit}`,
    );
  }
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`history ttl must be > 0 ms, got ${ttlMs}`);
  }
  return { limit, ttlMs };
}

/** The number of events a history read returns at most: the asked limit, capped by the channel's bound. */
export function readLimit(
  asked: number | undefined,
  bounds: HistoryBounds,
): number {
  if (asked === undefined || !Number.isFinite(asked)) return bounds.limit;
  return Math.max(0, Math.min(Math.floor(asked), bounds.limit));
}
