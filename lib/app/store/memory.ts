/**
 * The in-process app store, for the memory and broadcast brokers; expired entries are
 * dropped when read or listed.
 *
 * @module
 */
import type { AppStore, StoreEntry, StoreKey, WriteOptions } from "./types.ts";
import {
  canonicalJson,
  checkKey,
  checkWrite,
  compareKeys,
  expiryOf,
} from "./canonical.ts";

interface Slot {
  key: string[];
  /** Canonical JSON of the value: a copy, so callers cannot mutate the store. */
  json: string;
  expiresAt: number | null;
}

/** Keys joined by a separator that cannot appear in JSON-escaped parts. */
const id = (key: StoreKey) => JSON.stringify(key);

export class MemoryStore implements AppStore {
  readonly kind = "memory" as const;
  #slots = new Map<string, Slot>();

  #live(key: StoreKey): Slot | null {
    const slot = this.#slots.get(id(key));
    if (!slot) return null;
    if (slot.expiresAt !== null && slot.expiresAt <= Date.now()) {
      this.#slots.delete(id(key));
      return null;
    }
    return slot;
  }

  #write(key: StoreKey, value: unknown, opts?: WriteOptions) {
    checkWrite(key, value);
    this.#slots.set(id(key), {
      key: [...key],
      json: canonicalJson(value),
      expiresAt: expiryOf(opts?.ttlMs),
    });
  }

  get<T>(key: StoreKey): Promise<T | null> {
    checkKey(key);
    const slot = this.#live(key);
    return Promise.resolve(slot ? JSON.parse(slot.json) as T : null);
  }

  set(key: StoreKey, value: unknown, opts?: WriteOptions): Promise<void> {
    this.#write(key, value, opts);
    return Promise.resolve();
  }

  setIfAbsent(
    key: StoreKey,
    value: unknown,
    opts?: WriteOptions,
  ): Promise<boolean> {
    checkWrite(key, value);
    if (this.#live(key)) return Promise.resolve(false);
    this.#write(key, value, opts);
    return Promise.resolve(true);
  }

  compareAndSet(
    key: StoreKey,
    expected: unknown,
    next: unknown,
    opts?: WriteOptions,
  ): Promise<boolean> {
    checkWrite(key, next);
    const slot = this.#live(key);
    if (!slot || slot.json !== canonicalJson(expected)) {
      return Promise.resolve(false);
    }
    this.#write(key, next, opts);
    return Promise.resolve(true);
  }

  deleteIf(key: StoreKey, expected: unknown): Promise<boolean> {
    checkKey(key);
    const slot = this.#live(key);
    if (!slot || slot.json !== canonicalJson(expected)) {
      return Promise.resolve(false);
    }
    this.#slots.delete(id(key));
    return Promise.resolve(true);
  }

  delete(key: StoreKey): Promise<void> {
    checkKey(key);
    this.#slots.delete(id(key));
    return Promise.resolve();
  }

  list<T>(prefix: StoreKey): Promise<StoreEntry<T>[]> {
    checkKey(prefix, true);
    const out: StoreEntry<T>[] = [];
    for (const slot of [...this.#slots.values()]) {
      if (!prefix.every((part, i) => slot.key[i] === part)) continue;
      if (slot.key.length === prefix.length) continue; // the prefix itself is not "under" it
      if (!this.#live(slot.key)) continue;
      out.push({ key: [...slot.key], value: JSON.parse(slot.json) as T });
    }
    out.sort((a, b) => compareKeys(a.key, b.key));
    return Promise.resolve(out);
  }

  close(): Promise<void> {
    this.#slots.clear();
    return Promise.resolve();
  }
}
