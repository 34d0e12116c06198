/**
 * Limits shared by every process through the broker's store, with this process's own
 * limiters first and as the fallback (ARCHITECTURE.md, Access, limits and the app).
 *
 * @module
 */

/** One token bucket to take from: `rate` per second, `burst` at once. */
export interface Bucket {
  key: string;
  rate: number;
  burst: number;
}

/** One open-stream counter to raise, refused at `max` across every process. */
export interface Counter {
  key: string;
  max: number;
}

/** What a {@link LimitStore} answers to a take or an acquire. */
export type SharedVerdict =
  | { ok: true }
  /** `index`: which bucket or counter refused; `retryAfterSeconds` for a bucket. */
  | { ok: false; index: number; retryAfterSeconds: number };

/**
 * The deployment-wide counters. Each call is ONE store round trip (a Lua
 * script on Redis, one read and one atomic commit on KV). Rejects when the
 * store does not answer.
 */
export interface LimitStore {
  /** Takes one token from each bucket in order, stopping at the first that is empty (the earlier ones stay taken). */
  take(buckets: readonly Bucket[]): Promise<SharedVerdict>;
  /**
   * Counts one more open stream on every counter, or on none when one is at
   * its max. Counts are this process's lease: they stop counting when the
   * process stops renewing it (a crash), after the lease time.
   */
  acquire(counters: readonly Counter[]): Promise<SharedVerdict>;
  /** Counts one stream fewer on each key (this process's count). */
  release(keys: readonly string[]): Promise<void>;
  /** Gives back this process's counts and stops renewing its lease. */
  close(): Promise<void>;
}
