/**
 * Publish deadlines in Redis's own clock, so a publish that timed out here can
 * never run later: the 503 a publisher got stays true.
 *
 * @module
 */

/** Redis's clock may run this much slower than ours between two syncs (100 ppm). */
const DRIFT = 1e-4;
/** Rounding and the TIME reply's µs resolution. */
const SAFETY_US = 1000;
/** A sync older than this is refreshed (a step of either clock is bounded by it). */
const RESYNC_MS = 60_000;

/** A deadline for one command: Redis refuses it past `redisUs`; we give up no earlier than `giveUpAt`. */
export interface PublishDeadline {
  /** The latest `TIME` (µs) at which Redis may still run the command. */
  redisUs: number;
  /** `performance.now()` after which Redis's clock is surely past `redisUs`. */
  giveUpAt: number;
}

/**
 * Maps this process's monotonic clock onto Redis's `TIME`. One reading R,
 * taken before the local instant `b`, bounds Redis's clock from below:
 * at any later local instant m, Redis's clock is at least R + (m − b), less
 * drift. So a command sent at t0 that we give up on at t0 + timeout carries
 * the deadline R + (t0 − b) + timeout − drift − safety: when we give up,
 * Redis's clock is already past it, and a script that checks it refuses to
 * run. The round trip of the reading only shortens the window, never breaks it.
 */
export class RedisDeadlines {
  #base: { redisUs: number; mono: number } | null = null;
  #syncing: Promise<void> | null = null;

  /** `time` is Redis's `TIME` reply: [seconds, microseconds]. */
  constructor(private readonly time: () => Promise<(string | number)[]>) {}

  /** Reads Redis's clock again (at connect, after every reconnect). */
  sync(): Promise<void> {
    this.#syncing ??= (async () => {
      try {
        const [s, us] = await this.time();
        this.#base = {
          redisUs: Number(s) * 1_000_000 + Number(us),
          mono: performance.now(),
        };
      } finally {
        this.#syncing = null;
      }
    })();
    return this.#syncing;
  }

  /** The deadline of a command sent now that is given up after `timeoutMs`. */
  async next(timeoutMs: number): Promise<PublishDeadline> {
    if (this.#syncing || !this.#base) await this.sync();
    const base = this.#base!;
    const t0 = performance.now();
    const elapsedMs = t0 - base.mono + timeoutMs;
    if (t0 - base.mono > RESYNC_MS) this.sync().catch(() => {});
    return {
      redisUs: Math.floor(
        base.redisUs + elapsedMs * 1000 * (1 - DRIFT) - SAFETY_US,
      ),
      giveUpAt: t0 + timeoutMs,
    };
  }
}
