/**
 * Deployment-wide limits on Redis: one Lua script per check (GCRA rates, stream counts
 * as process leases), keys hash-tagged for Redis Cluster.
 *
 * @module
 */
import type { Cluster, Redis } from "ioredis";
import type {
  Bucket,
  Counter,
  SharedVerdict,
} from "../../access/shared_limits.ts";
import type { RedisTarget } from "../../realtime/brokers/redis_target.ts";
import { onError, redisClient } from "../../realtime/brokers/redis_client.ts";
import { DEFAULT_LEASE_MS, LeasedLimitStore, retrySeconds } from "./lease.ts";

/** KEYS: bucket keys. ARGV: per bucket µs per token, burst. Returns {0,0}, or {i, wait µs} for the first empty bucket i. */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
for i = 1, #KEYS do
  local interval = tonumber(ARGV[2 * i - 1])
  local slack = (tonumber(ARGV[2 * i]) - 1) * interval
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  if tat < now then tat = now end
  if tat - now > slack then return {i, tat - now - slack} end
  local next = tat + interval
  redis.call('SET', KEYS[i], string.format('%.0f', next), 'PX',
    math.ceil((next - now) / 1000) + 1)
end
return {0, 0}`;

/** KEYS: leases, counts…. ARGV: pid, lease ms, max…. Returns 0, or the 1-based counter at its max. */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local pid = ARGV[1]
redis.call('HSET', KEYS[1], pid, string.format('%.0f', now + tonumber(ARGV[2])))
for i = 2, #KEYS do
  local fields = redis.call('HGETALL', KEYS[i])
  local sum = 0
  for j = 1, #fields, 2 do
    local p = fields[j]
    if p ~= pid and tonumber(redis.call('HGET', KEYS[1], p) or '0') < now then
      redis.call('HDEL', KEYS[i], p)
    else
      sum = sum + tonumber(fields[j + 1])
    end
  end
  if sum >= tonumber(ARGV[i + 1]) then return i - 1 end
end
for i = 2, #KEYS do redis.call('HINCRBY', KEYS[i], pid, 1) end
return 0`;

/** KEYS: counts…. ARGV: pid. */
const RELEASE = `
for i = 1, #KEYS do
  if redis.call('HINCRBY', KEYS[i], ARGV[1], -1) <= 0 then
    redis.call('HDEL', KEYS[i], ARGV[1])
  end
end`;

/** KEYS: leases. ARGV: pid, lease ms. Returns 1 when the lease had lapsed; forgets leases lapsed long ago. */
const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[2])
local prev = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
redis.call('HSET', KEYS[1], ARGV[1], string.format('%.0f', now + lease))
local all = redis.call('HGETALL', KEYS[1])
for j = 1, #all, 2 do
  if tonumber(all[j + 1]) < now - lease then redis.call('HDEL', KEYS[1], all[j]) end
end
if prev < now then return 1 end
return 0`;

/** KEYS: leases, counts…. ARGV: pid, lease ms, count…; a count of 0 removes it, a lease ms of 0 drops the lease. */
const RESTORE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 2, #KEYS do
  local n = tonumber(ARGV[i + 1])
  if n > 0 then redis.call('HSET', KEYS[i], ARGV[1], n)
  else redis.call('HDEL', KEYS[i], ARGV[1]) end
end
if tonumber(ARGV[2]) > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], string.format('%.0f', now + tonumber(ARGV[2])))
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end`;

type Scripts = (Redis | Cluster) & {
  heraldTake(...args: (string | number)[]): Promise<[number, number]>;
  heraldAcquire(...args: (string | number)[]): Promise<number>;
  heraldRelease(...args: (string | number)[]): Promise<void>;
  heraldRenew(...args: (string | number)[]): Promise<number>;
  heraldRestore(...args: (string | number)[]): Promise<void>;
};

export interface RedisLimitOptions extends RedisTarget {
  /** The deployment's key prefix (`HERALD_REDIS_PREFIX`). */
  prefix: string;
  /** A crashed process's streams stop counting after this (default 30 s). */
  leaseMs?: number;
  /** How long a check may wait for Redis before the limits fall back to this process's, ms (default 1000). */
  timeoutMs?: number;
}

export class RedisLimitStore extends LeasedLimitStore {
  #redis: Scripts;
  #prefix: string;

  private constructor(opts: RedisLimitOptions) {
    super(opts.leaseMs ?? DEFAULT_LEASE_MS);
    this.#prefix = opts.prefix;
    this.#redis = redisClient(opts, {
      connectionName: "herald-limits",
      lazyConnect: true,
      // A limit check never waits on a Redis that is away: it falls back.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: opts.timeoutMs ?? 1000,
      retryStrategy: (times) => Math.min(100 * times, 2000),
    }) as Scripts;
    onError(this.#redis, () => {/* calls reject; access falls back */});
    const scripts = {
      heraldTake: TAKE,
      heraldAcquire: ACQUIRE,
      heraldRelease: RELEASE,
      heraldRenew: RENEW,
      heraldRestore: RESTORE,
    };
    for (const [name, lua] of Object.entries(scripts)) {
      this.#redis.defineCommand(name, { lua });
    }
  }

  /** Connects and takes this process's lease. */
  static async open(opts: RedisLimitOptions): Promise<RedisLimitStore> {
    const store = new RedisLimitStore(opts);
    try {
      await store.#redis.connect();
      await store.startLease();
    } catch (err) {
      store.#redis.disconnect();
      throw err;
    }
    return store;
  }

  async take(buckets: readonly Bucket[]): Promise<SharedVerdict> {
    // The buckets of one call are one caller's: one hash tag, one slot.
    const tag = `{${this.#prefix}:rate:${callerOf(buckets[0].key)}}`;
    const [index, waitUs] = await this.#redis.heraldTake(
      buckets.length,
      ...buckets.map(({ key }) => `${tag}:${key}`),
      ...buckets.flatMap(({ rate, burst }) => [
        Math.round(1e6 / rate),
        Math.max(1, burst),
      ]),
    );
    if (index === 0) return { ok: true };
    return {
      ok: false,
      index: index - 1,
      retryAfterSeconds: retrySeconds(waitUs / 1000),
    };
  }

  protected async acquireCounts(
    counters: readonly Counter[],
  ): Promise<SharedVerdict> {
    const refused = await this.#redis.heraldAcquire(
      counters.length + 1,
      this.#leases(),
      ...counters.map(({ key }) => this.#streams(key)),
      this.pid,
      this.leaseMs,
      ...counters.map(({ max }) => max),
    );
    if (refused === 0) return { ok: true };
    return { ok: false, index: refused - 1, retryAfterSeconds: 5 };
  }

  protected async releaseCounts(keys: readonly string[]): Promise<void> {
    await this.#redis.heraldRelease(
      keys.length,
      ...keys.map((key) => this.#streams(key)),
      this.pid,
    );
  }

  protected async renewLease(): Promise<boolean> {
    return await this.#redis.heraldRenew(
      1,
      this.#leases(),
      this.pid,
      this.leaseMs,
    ) === 1;
  }

  protected async restoreCounts(counts: [string, number][]): Promise<void> {
    await this.#restore(counts, this.leaseMs);
  }

  protected async dropAll(keys: readonly string[]): Promise<void> {
    await this.#restore(keys.map((key) => [key, 0]), 0);
  }

  protected async closeStore(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  async #restore(counts: [string, number][], leaseMs: number): Promise<void> {
    // In slices, so one script never holds Redis long.
    for (let i = 0; i === 0 || i < counts.length; i += 500) {
      const slice = counts.slice(i, i + 500);
      await this.#redis.heraldRestore(
        slice.length + 1,
        this.#leases(),
        ...slice.map(([key]) => this.#streams(key)),
        this.pid,
        leaseMs,
        ...slice.map(([, n]) => n),
      );
    }
  }

  // Every stream key and the leases share one tag: one script reads them all.
  #leases(): string {
    return `{${this.#prefix}:streams}:leases`;
  }

  #streams(key: string): string {
    return `{${this.#prefix}:streams}:open:${key}`;
  }
}

/** `room:ip:1.2.3.4` → `ip:1.2.3.4`: the caller a bucket key belongs to. */
function callerOf(key: string): string {
  return key.slice(key.indexOf(":") + 1);
}
