/**
 * The app-data store contract: a small key-value store beside the broker, three
 * backends (ARCHITECTURE.md, Access, limits and the app).
 *
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
