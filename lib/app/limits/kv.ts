/**
 * Deployment-wide limits on Deno KV: one read and one atomic commit per check (GCRA
 * rates, stream counts as process leases).
 *
 * @module
 */
import { openSharedKv, retryLocked } from "../../kv/shared.ts";
import type {
  Bucket,
  Counter,
  SharedVerdict,
} from "../../access/shared_limits.ts";
import { DEFAULT_LEASE_MS, LeasedLimitStore, retrySeconds } from "./lease.ts";

const ROOT = "herald_limits";
const LEASES: Deno.KvKey = [ROOT, "leases"];
/** Conflicting writers retry a commit this many times. */
const MAX_ATTEMPTS = 20;
/** Longer keys (a long token `sub`) are stored by their SHA-256. */
const MAX_KEY_CHARS = 256;

type Counts = Record<string, number>;

export interface KvLimitOptions {
  /** The KV file (`HERALD_KV_PATH`); undefined opens the platform KV. */
  path?: string;
  /** A crashed process's streams stop counting after this (default 30 s). */
  leaseMs?: number;
  /** The wall clock, ms (default `Date.now`). */
  clock?: () => number;
}

export class KvLimitStore extends LeasedLimitStore {
  #kv: Deno.Kv;
  #release: () => void;
  #now: () => number;

  private constructor(
    kv: Deno.Kv,
    release: () => void,
    opts: KvLimitOptions,
  ) {
    super(opts.leaseMs ?? DEFAULT_LEASE_MS);
    this.#kv = kv;
    this.#release = release;
    this.#now = opts.clock ?? Date.now;
  }

  /** Opens the KV (sharing the process's handle) and takes this process's lease. */
  static async open(opts: KvLimitOptions = {}): Promise<KvLimitStore> {
    const shared = await openSharedKv(opts.path);
    const store = new KvLimitStore(shared.kv, shared.release, opts);
    try {
      await store.startLease();
    } catch (err) {
      shared.release();
      throw err;
    }
    return store;
  }

  take(buckets: readonly Bucket[]): Promise<SharedVerdict> {
    return this.#commit<SharedVerdict>(async () => {
      const keys = await Promise.all(
        buckets.map(({ key }) => kvKey("rate", key)),
      );
      const entries = await this.#kv.getMany<number[]>(keys);
      const now = this.#now();
      const op = this.#kv.atomic();
      for (const [i, { rate, burst }] of buckets.entries()) {
        const interval = 1000 / rate;
        const slack = (Math.max(1, burst) - 1) * interval;
        const tat = Math.max(entries[i].value ?? 0, now);
        if (tat - now > slack) {
          // The buckets before it stay taken.
          return [i > 0 ? op : null, {
            ok: false,
            index: i,
            retryAfterSeconds: retrySeconds(tat - now - slack),
          }];
        }
        const next = tat + interval;
        op.check(entries[i]).set(keys[i], next, {
          expireIn: Math.ceil(next - now) + 1,
        });
      }
      return [op, { ok: true }];
    });
  }

  protected acquireCounts(
    counters: readonly Counter[],
  ): Promise<SharedVerdict> {
    return this.#commit<SharedVerdict>(async () => {
      const keys = await Promise.all(
        counters.map(({ key }) => kvKey("open", key)),
      );
      const [leases, ...entries] = await this.#kv.getMany<
        [Counts, ...Counts[]]
      >([LEASES, ...keys]);
      const now = this.#now();
      const alive = leases.value ?? {};
      const op = this.#kv.atomic();
      for (const [i, { max }] of counters.entries()) {
        const counts: Counts = {};
        let sum = 0;
        for (const [pid, n] of Object.entries(entries[i].value ?? {})) {
          if (pid !== this.pid && (alive[pid] ?? 0) < now) continue; // lapsed
          counts[pid] = n;
          sum += n;
        }
        if (sum >= max) {
          return [null, { ok: false, index: i, retryAfterSeconds: 5 }];
        }
        counts[this.pid] = (counts[this.pid] ?? 0) + 1;
        op.check(entries[i]).set(keys[i], counts);
      }
      return [op, { ok: true }];
    });
  }

  protected async releaseCounts(keys: readonly string[]): Promise<void> {
    await this.#setCounts(keys.map((key) => [key, -1]), true);
  }

  protected renewLease(): Promise<boolean> {
    return this.#updateLease(this.leaseMs);
  }

  protected async restoreCounts(counts: [string, number][]): Promise<void> {
    await this.#setCounts(counts, false);
    await this.#updateLease(this.leaseMs);
  }

  protected async dropAll(keys: readonly string[]): Promise<void> {
    await this.#setCounts(keys.map((key) => [key, 0]), false);
    await this.#updateLease(0);
  }

  protected closeStore(): Promise<void> {
    this.#release();
    return Promise.resolve();
  }

  /** Sets (or, with `relative`, adds to) this process's count of each key; 0 or less removes it. */
  async #setCounts(
    changes: [string, number][],
    relative: boolean,
  ): Promise<void> {
    for (let i = 0; i < changes.length; i += 10) {
      const slice = changes.slice(i, i + 10);
      await this.#commit(async () => {
        const keys = await Promise.all(
          slice.map(([key]) => kvKey("open", key)),
        );
        const entries = await this.#kv.getMany<Counts[]>(keys);
        const op = this.#kv.atomic();
        slice.forEach(([, n], j) => {
          const counts = { ...(entries[j].value ?? {}) };
          const next = relative ? (counts[this.pid] ?? 0) + n : n;
          if (next > 0) counts[this.pid] = next;
          else delete counts[this.pid];
          op.check(entries[j]);
          if (Object.keys(counts).length) op.set(keys[j], counts);
          else op.delete(keys[j]);
        });
        return [op, undefined];
      });
    }
  }

  /** Renews (or, with 0, drops) this process's lease; true when it had lapsed. */
  #updateLease(leaseMs: number): Promise<boolean> {
    return this.#commit(async () => {
      const entry = await this.#kv.get<Counts>(LEASES);
      const now = this.#now();
      const leases: Counts = {};
      for (const [pid, until] of Object.entries(entry.value ?? {})) {
        if (until >= now - this.leaseMs) leases[pid] = until; // forget long-lapsed ones
      }
      const lapsed = (leases[this.pid] ?? 0) < now;
      if (leaseMs > 0) leases[this.pid] = now + leaseMs;
      else delete leases[this.pid];
      return [this.#kv.atomic().check(entry).set(LEASES, leases), lapsed];
    });
  }

  /** Runs `attempt` (read, then an atomic op to commit, or null) until its checks hold. */
  async #commit<T>(
    attempt: () => Promise<[Deno.AtomicOperation | null, T]>,
  ): Promise<T> {
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const [op, result] = await retryLocked(attempt);
      if (!op || (await retryLocked(() => op.commit())).ok) return result;
    }
    throw new Error("limits: too many conflicting writes");
  }
}

async function kvKey(kind: "rate" | "open", key: string): Promise<Deno.KvKey> {
  if (key.length <= MAX_KEY_CHARS) return [ROOT, kind, key];
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(key),
  );
  const hex = [...new Uint8Array(digest)].map((b) =>
    b.toString(16).padStart(2, "0")
  ).join("");
  return [ROOT, kind, `sha256:${hex}`];
}
