/**
 * Per-user and per-address limits in this process: open streams, distinct channels
 * held, publish rate (token buckets); memory stays bounded (lib/access/README.md).
 *
 * @module
 */

/** Counts open things per key, refusing past a maximum. */
export class ConcurrencyLimiter {
  readonly #open = new Map<string, number>();

  constructor(readonly max: number) {}

  /** Counts one more for `key` and returns its release, or null when `key` is at the maximum. */
  tryAcquire(key: string): (() => void) | null {
    if (this.max <= 0) return () => {};
    const open = this.#open.get(key) ?? 0;
    if (open >= this.max) return null;
    this.#open.set(key, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#open.get(key) ?? 1) - 1;
      if (left <= 0) this.#open.delete(key);
      else this.#open.set(key, left);
    };
  }

  /** Open count of `key`. */
  count(key: string): number {
    return this.#open.get(key) ?? 0;
  }

  /** How many keys are tracked (only keys with something open). */
  get size(): number {
    return this.#open.size;
  }
}

/**
 * Distinct channels per key (a client address) across its open streams:
 * a channel costs once however many of the key's streams hold it, and is
 * freed when the last of them ends. Bounds what one address makes the
 * broker follow (subscriptions, catch-ups), whatever its stream count.
 */
export class ChannelLimiter {
  readonly #held = new Map<string, Map<string, number>>();

  constructor(readonly max: number) {}

  /** Holds `channels` for `key` and returns the release, or null when the distinct count would pass the maximum. */
  tryAcquire(key: string, channels: readonly string[]): (() => void) | null {
    if (this.max <= 0 || channels.length === 0) return () => {};
    const held = this.#held.get(key) ?? new Map<string, number>();
    const unique = [...new Set(channels)];
    const added = unique.filter((channel) => !held.has(channel)).length;
    if (held.size + added > this.max) return null;
    for (const channel of unique) {
      held.set(channel, (held.get(channel) ?? 0) + 1);
    }
    this.#held.set(key, held);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const channel of unique) {
        const left = (held.get(channel) ?? 1) - 1;
        if (left <= 0) held.delete(channel);
        else held.set(channel, left);
      }
      if (held.size === 0 && this.#held.get(key) === held) {
        this.#held.delete(key);
      }
    };
  }

  /** Distinct channels `key` holds now. */
  count(key: string): number {
    return this.#held.get(key)?.size ?? 0;
  }

  /** How many keys hold something. */
  get size(): number {
    return this.#held.size;
  }
}

export interface RateOptions {
  /** Tokens added per second. 0 switches the limit off. */
  rate: number;
  /** Bucket size: how many calls may come at once. */
  burst: number;
  /** Most buckets kept. */
  maxKeys: number;
}

export type RateVerdict = { ok: true } | {
  ok: false;
  retryAfterSeconds: number;
};

interface Bucket {
  tokens: number;
  at: number;
}

/** Token buckets keyed by caller. */
export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #burst: number;
  #sweptAt = 0;

  constructor(readonly options: RateOptions) {
    this.#burst = Math.max(1, options.burst);
  }

  /** Takes one token for `key`, or says how long until one is available. */
  take(key: string, now = performance.now()): RateVerdict {
    const { rate } = this.options;
    if (rate <= 0) return { ok: true };
    this.#sweep(now);
    const bucket = this.#buckets.get(key) ?? { tokens: this.#burst, at: now };
    bucket.tokens = Math.min(
      this.#burst,
      bucket.tokens + ((now - bucket.at) / 1000) * rate,
    );
    bucket.at = now;
    // Re-insert so Map order is least recently used first.
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.options.maxKeys) {
      const oldest = this.#buckets.keys().next().value!;
      this.#buckets.delete(oldest);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return {
      ok: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / rate)),
    };
  }

  /** How many buckets are kept. */
  get size(): number {
    return this.#buckets.size;
  }

  /** Drops buckets that have refilled completely: they hold nothing worth remembering. */
  #sweep(now: number): void {
    const fullAfterMs = (this.#burst / this.options.rate) * 1000;
    if (now - this.#sweptAt < Math.min(fullAfterMs, 60_000)) return;
    this.#sweptAt = now;
    for (const [key, bucket] of this.#buckets) {
      if (now - bucket.at >= fullAfterMs) this.#buckets.delete(key);
      else break; // LRU order: the rest were used more recently
    }
  }
}
