/**
 * The app-data store contract: a small key-value store beside the broker for
 * what the pages need to remember (chat rooms and members, the flight board,
 * the simulator lease). One interface, three backends (memory, Deno KV,
 * Redis), chosen like the broker (see `create.ts`).
 *
 * Keys are arrays of non-empty strings (`["chat", "rooms", "lobby"]`); `list`
 * reads every entry under a key prefix, in key order. Values are JSON values
 * (never `null`: `null` means absent). An entry written with `ttlMs` is absent
 * once that time has passed, on every backend.
 *
 * @example
 * ```ts
 * const won = await store.setIfAbsent(["flights", "lease"], "proc-1", { ttlMs: 10_000 });
 * if (won) await store.compareAndSet(["flights", "lease"], "proc-1", "proc-1", { ttlMs: 10_000 });
 * ```
 * @module
 */

/** A key: its parts, outermost first. */
export type StoreKey = readonly string[];

export type StoreKind = "memory" | "kv" | "redis";

/** One entry read by {@link AppStore.list}. */
export interface StoreEntry<T = unknown> {
  key: string[];
  value: T;
}

export interface WriteOptions {
  /** The entry disappears this many milliseconds after the write. */
  ttlMs?: number;
}

export interface AppStore {
  readonly kind: StoreKind;
  /** The value, or null when absent or expired. */
  get<T = unknown>(key: StoreKey): Promise<T | null>;
  /** Writes unconditionally (replacing any TTL with `opts.ttlMs`, or none). */
  set(key: StoreKey, value: unknown, opts?: WriteOptions): Promise<void>;
  /** Writes only when the key is absent (atomically); true when it wrote. */
  setIfAbsent(
    key: StoreKey,
    value: unknown,
    opts?: WriteOptions,
  ): Promise<boolean>;
  /**
   * Writes `next` only when the current value equals `expected` (JSON
   * equality, key order ignored), atomically; true when it wrote. With
   * `expected === next` and a `ttlMs`, this renews a lease.
   */
  compareAndSet(
    key: StoreKey,
    expected: unknown,
    next: unknown,
    opts?: WriteOptions,
  ): Promise<boolean>;
  /** Deletes only when the current value equals `expected`; true when it deleted. */
  deleteIf(key: StoreKey, expected: unknown): Promise<boolean>;
  delete(key: StoreKey): Promise<void>;
  /** Every live entry whose key starts with `prefix`, in key order. */
  list<T = unknown>(prefix: StoreKey): Promise<StoreEntry<T>[]>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}
