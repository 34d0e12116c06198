/**
 * The app store on Deno KV: the broker's database under `["herald_app", …]`,
 * conditional writes by versionstamp checks, expiry checked on read.
 *
 * @module
 */
import { openSharedKv, retryLocked } from "../../kv/shared.ts";
import type { AppStore, StoreEntry, StoreKey, WriteOptions } from "./types.ts";
import { canonicalJson, checkKey, checkWrite, expiryOf } from "./canonical.ts";

const ROOT = "herald_app";
/** Conflicting writers retry a conditional write this many times. */
const MAX_ATTEMPTS = 20;

interface Wrapped {
  v: unknown;
  exp: number | null;
}

function isLive(
  entry: Deno.KvEntryMaybe<Wrapped>,
): entry is Deno.KvEntry<Wrapped> {
  const w = entry.value;
  return w !== null && (w.exp === null || w.exp > Date.now());
}

export class KvStore implements AppStore {
  readonly kind = "kv" as const;
  #kv: Deno.Kv;
  #release: () => void;

  /** Uses an open KV; `release` is called by `close()` (default: nothing). */
  constructor(kv: Deno.Kv, release: () => void = () => {}) {
    this.#kv = kv;
    this.#release = release;
  }

  /**
   * Opens the KV at `path` (or the platform KV when `path` is undefined),
   * sharing the process's handle with the kv broker (lib/kv/shared.ts).
   */
  static async open(path?: string): Promise<KvStore> {
    const shared = await openSharedKv(path);
    return new KvStore(shared.kv, shared.release);
  }

  #key(key: StoreKey): Deno.KvKey {
    return [ROOT, ...key];
  }

  #wrap(value: unknown, opts?: WriteOptions): [Wrapped, { expireIn?: number }] {
    const exp = expiryOf(opts?.ttlMs);
    // A JSON round trip stores exactly what the other backends would return.
    const v = JSON.parse(canonicalJson(value));
    return [{ v, exp }, opts?.ttlMs ? { expireIn: opts.ttlMs } : {}];
  }

  async get<T>(key: StoreKey): Promise<T | null> {
    checkKey(key);
    const entry = await retryLocked(() =>
      this.#kv.get<Wrapped>(this.#key(key))
    );
    return isLive(entry) ? entry.value.v as T : null;
  }

  async set(key: StoreKey, value: unknown, opts?: WriteOptions): Promise<void> {
    checkWrite(key, value);
    const [wrapped, options] = this.#wrap(value, opts);
    await retryLocked(() => this.#kv.set(this.#key(key), wrapped, options));
  }

  /** Runs `write` on the current entry until its atomic check holds. */
  async #conditional(
    key: StoreKey,
    write: (
      entry: Deno.KvEntryMaybe<Wrapped>,
      op: Deno.AtomicOperation,
    ) => boolean,
  ): Promise<boolean> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const entry = await retryLocked(() =>
        this.#kv.get<Wrapped>(this.#key(key))
      );
      const op = this.#kv.atomic().check(entry);
      if (!write(entry, op)) return false;
      if ((await retryLocked(() => op.commit())).ok) return true;
    }
    throw new Error(`store: too many conflicting writes on ${key.join("/")}`);
  }

  setIfAbsent(
    key: StoreKey,
    value: unknown,
    opts?: WriteOptions,
  ): Promise<boolean> {
    checkWrite(key, value);
    const [wrapped, options] = this.#wrap(value, opts);
    return this.#conditional(key, (entry, op) => {
      if (isLive(entry)) return false;
      op.set(this.#key(key), wrapped, options);
      return true;
    });
  }

  compareAndSet(
    key: StoreKey,
    expected: unknown,
    next: unknown,
    opts?: WriteOptions,
  ): Promise<boolean> {
    checkWrite(key, next);
    const want = canonicalJson(expected);
    return this.#conditional(key, (entry, op) => {
      if (!isLive(entry) || canonicalJson(entry.value.v) !== want) return false;
      // Re-wrap on each attempt so a renewed TTL starts now, not at the first try.
      const [wrapped, options] = this.#wrap(next, opts);
      op.set(this.#key(key), wrapped, options);
      return true;
    });
  }

  deleteIf(key: StoreKey, expected: unknown): Promise<boolean> {
    checkKey(key);
    const want = canonicalJson(expected);
    return this.#conditional(key, (entry, op) => {
      if (!isLive(entry) || canonicalJson(entry.value.v) !== want) return false;
      op.delete(this.#key(key));
      return true;
    });
  }

  async delete(key: StoreKey): Promise<void> {
    checkKey(key);
    await retryLocked(() => this.#kv.delete(this.#key(key)));
  }

  async list<T>(prefix: StoreKey): Promise<StoreEntry<T>[]> {
    checkKey(prefix, true);
    return await retryLocked(async () => {
      const out: StoreEntry<T>[] = [];
      const entries = this.#kv.list<Wrapped>({ prefix: this.#key(prefix) });
      for await (const entry of entries) {
        if (!isLive(entry)) continue;
        out.push({
          key: entry.key.slice(1).map(String),
          value: entry.value.v as T,
        });
      }
      return out;
    });
  }

  close(): Promise<void> {
    this.#release();
    return Promise.resolve();
  }
}
