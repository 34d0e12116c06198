/**
 * What every store-backed limit store shares: this process's stream counts as a renewed
 * lease, written back after the store lost track.
 *
 * @module
 */
import type {
  Bucket,
  Counter,
  LimitStore,
  SharedVerdict,
} from "../../access/shared_limits.ts";

/** The default lease: a crashed process's streams stop counting after this. */
export const DEFAULT_LEASE_MS = 30_000;

export abstract class LeasedLimitStore implements LimitStore {
  /** This process's id in the store. */
  readonly pid: string = crypto.randomUUID();
  /** Open streams this process counts per key, as the store should hold them. */
  #held = new Map<string, number>();
  /** Keys whose count in the store may be wrong (a release that failed). */
  #stale = new Set<string>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(readonly leaseMs: number) {}

  abstract take(buckets: readonly Bucket[]): Promise<SharedVerdict>;
  /** Raises every counter by one for this process, or none when one is at its max. */
  protected abstract acquireCounts(
    counters: readonly Counter[],
  ): Promise<SharedVerdict>;
  protected abstract releaseCounts(keys: readonly string[]): Promise<void>;
  /** Renews this process's lease; true when it had lapsed (others may have dropped its counts). */
  protected abstract renewLease(): Promise<boolean>;
  /** Sets this process's count of each key (0: none), and its lease. */
  protected abstract restoreCounts(counts: [string, number][]): Promise<void>;
  /** Removes this process's counts of `keys` and its lease. */
  protected abstract dropAll(keys: readonly string[]): Promise<void>;
  protected abstract closeStore(): Promise<void>;

  /** Takes the lease and starts renewing it. */
  protected async startLease(): Promise<void> {
    await this.renewLease();
    this.#timer = setInterval(() => this.#renew(), this.leaseMs / 3);
    Deno.unrefTimer(this.#timer);
  }

  async acquire(counters: readonly Counter[]): Promise<SharedVerdict> {
    const verdict = await this.acquireCounts(counters);
    if (verdict.ok) {
      for (const { key } of counters) {
        this.#held.set(key, (this.#held.get(key) ?? 0) + 1);
      }
    }
    return verdict;
  }

  async release(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      const left = (this.#held.get(key) ?? 1) - 1;
      if (left > 0) this.#held.set(key, left);
      else this.#held.delete(key);
    }
    if (this.#closed) return;
    try {
      await this.releaseCounts(keys);
    } catch (err) {
      for (const key of keys) this.#stale.add(key);
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    try {
      await this.dropAll([...new Set([...this.#held.keys(), ...this.#stale])]);
    } catch { /* the lease lapses on its own */ }
    this.#held.clear();
    await this.closeStore();
  }

  async #renew(): Promise<void> {
    if (this.#closed) return;
    try {
      const lapsed = await this.renewLease();
      if (!lapsed && this.#stale.size === 0) return;
      const keys = lapsed
        ? new Set([...this.#held.keys(), ...this.#stale])
        : this.#stale;
      const counts: [string, number][] = [...keys].map((
        key,
      ) => [key, this.#held.get(key) ?? 0]);
      this.#stale = new Set();
      await this.restoreCounts(counts);
    } catch {
      // The store is away: the next renewal writes every count back.
      for (const key of this.#held.keys()) this.#stale.add(key);
    }
  }
}

/** Seconds to wait, at least 1, from a wait in ms. */
export function retrySeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}
