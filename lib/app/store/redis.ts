/**
 * The app store on Redis (ioredis): canonical JSON values under `{prefix}:app:…`,
 * conditional writes as one Lua script, Redis's own TTLs.
 *
 * @module
 */
import type { Cluster, Redis } from "ioredis";
import type { RedisTarget } from "../../realtime/brokers/redis_target.ts";
import {
  isCluster,
  onError,
  redisClient,
  scanTargets,
} from "../../realtime/brokers/redis_client.ts";
import type { AppStore, StoreEntry, StoreKey, WriteOptions } from "./types.ts";
import {
  canonicalJson,
  checkKey,
  checkWrite,
  compareKeys,
  expiryOf,
} from "./canonical.ts";

export interface RedisStoreOptions extends RedisTarget {
  /** Key prefix shared with the redis broker (`HERALD_REDIS_PREFIX`); default `herald`. */
  prefix?: string;
}

/** SET key ARGV[2] (with PX ARGV[3] when > 0) only when GET key == ARGV[1]. */
const COMPARE_AND_SET = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[2])
end
return 1`;

const DELETE_IF = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`;

/** Escapes SCAN MATCH's glob characters. */
const globEscape = (s: string) => s.replace(/[*?[\]\\]/g, (c) => "\\" + c);

export class RedisStore implements AppStore {
  readonly kind = "redis" as const;
  #redis: Redis | Cluster;
  #base: string;

  constructor(opts: RedisStoreOptions) {
    this.#base = `${opts.prefix ?? "herald"}:app:`;
    this.#redis = redisClient(opts, {
      // Fail a command after one reconnect attempt rather than queue it forever.
      maxRetriesPerRequest: 1,
      lazyConnect: false,
    });
    // ioredis reports connection trouble as events; the failing commands reject.
    onError(this.#redis, () => {});
  }

  #key(key: StoreKey): string {
    return this.#base + key.map(encodeURIComponent).join("/");
  }

  async get<T>(key: StoreKey): Promise<T | null> {
    checkKey(key);
    const json = await this.#redis.get(this.#key(key));
    return json === null ? null : JSON.parse(json) as T;
  }

  async set(key: StoreKey, value: unknown, opts?: WriteOptions): Promise<void> {
    checkWrite(key, value);
    expiryOf(opts?.ttlMs); // validates
    const json = canonicalJson(value);
    if (opts?.ttlMs) {
      await this.#redis.set(this.#key(key), json, "PX", opts.ttlMs);
    } else await this.#redis.set(this.#key(key), json);
  }

  async setIfAbsent(
    key: StoreKey,
    value: unknown,
    opts?: WriteOptions,
  ): Promise<boolean> {
    checkWrite(key, value);
    expiryOf(opts?.ttlMs);
    const json = canonicalJson(value);
    const reply = opts?.ttlMs
      ? await this.#redis.set(this.#key(key), json, "PX", opts.ttlMs, "NX")
      : await this.#redis.set(this.#key(key), json, "NX");
    return reply === "OK";
  }

  async compareAndSet(
    key: StoreKey,
    expected: unknown,
    next: unknown,
    opts?: WriteOptions,
  ): Promise<boolean> {
    checkWrite(key, next);
    expiryOf(opts?.ttlMs);
    const done = await this.#redis.eval(
      COMPARE_AND_SET,
      1,
      this.#key(key),
      canonicalJson(expected),
      canonicalJson(next),
      String(opts?.ttlMs ?? 0),
    );
    return done === 1;
  }

  async deleteIf(key: StoreKey, expected: unknown): Promise<boolean> {
    checkKey(key);
    const done = await this.#redis.eval(
      DELETE_IF,
      1,
      this.#key(key),
      canonicalJson(expected),
    );
    return done === 1;
  }

  async delete(key: StoreKey): Promise<void> {
    checkKey(key);
    await this.#redis.del(this.#key(key));
  }

  async list<T>(prefix: StoreKey): Promise<StoreEntry<T>[]> {
    checkKey(prefix, true);
    const start = prefix.length ? this.#key(prefix) + "/" : this.#base;
    const names: string[] = [];
    // A cluster's keys are spread over its masters: scan each.
    for (const node of scanTargets(this.#redis)) {
      let cursor = "0";
      do {
        const [next, batch] = await node.scan(
          cursor,
          "MATCH",
          globEscape(start) + "*",
          "COUNT",
          500,
        );
        cursor = next;
        names.push(...batch);
      } while (cursor !== "0");
    }
    const unique = [...new Set(names)];
    if (unique.length === 0) return [];
    // One MGET on one server; per key on a cluster (keys in many slots).
    const values = isCluster(this.#redis)
      ? await Promise.all(unique.map((name) => this.#redis.get(name)))
      : await this.#redis.mget(...unique);
    const out: StoreEntry<T>[] = [];
    unique.forEach((name, i) => {
      const json = values[i];
      if (json === null) return; // expired between SCAN and MGET
      const key = name.slice(this.#base.length).split("/").map(
        decodeURIComponent,
      );
      out.push({ key, value: JSON.parse(json) as T });
    });
    return out.sort((a, b) => compareKeys(a.key, b.key));
  }

  async close(): Promise<void> {
    try {
      await this.#redis.quit();
    } catch {
      this.#redis.disconnect();
    }
  }
}
