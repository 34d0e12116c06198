/** The key-value operations realtime code uses from the app's store (lib/app/store satisfies it); parts take a `Pick` of it. */

/** Write options: an entry written with `ttlMs` is gone after that time. */
export interface KeyValueWriteOptions {
  ttlMs?: number;
}

export interface KeyValueStore {
  get<T = unknown>(key: readonly string[]): Promise<T | null>;
  set(
    key: readonly string[],
    value: unknown,
    opts?: KeyValueWriteOptions,
  ): Promise<void>;
  setIfAbsent(
    key: readonly string[],
    value: unknown,
    opts?: KeyValueWriteOptions,
  ): Promise<boolean>;
  compareAndSet(
    key: readonly string[],
    expected: unknown,
    next: unknown,
    opts?: KeyValueWriteOptions,
  ): Promise<boolean>;
  deleteIf(key: readonly string[], expected: unknown): Promise<boolean>;
  delete(key: readonly string[]): Promise<void>;
  list<T = unknown>(
    prefix: readonly string[],
  ): Promise<{ key: string[]; value: T }[]>;
}
