/**
 * Limits shared across processes through the broker's store: two Herald
 * processes on one Redis (a unique prefix) or one Deno KV file refuse a
 * client's streams and publishes at the single limit, a crashed process's
 * streams stop counting after its lease, and a store that is away leaves
 * each process its own limits (fail open).
 */
import assert from "node:assert";
import { dropPrefix } from "../realtime/brokers/redis_keys.ts";
import { requireRedis, uniquePrefix } from "../_support/redis.ts";
import {
  requireRedisServer,
  startRedisServer,
} from "../_support/redis_server.ts";
import type { RunningServer } from "../_support/server.ts";
import { waitFor } from "../_support/wait.ts";
import { startHerald } from "../realtime/process/_servers.ts";
import { RedisLimitStore } from "../../lib/app/limits/redis.ts";
import { KvLimitStore } from "../../lib/app/limits/kv.ts";
import type { LeasedLimitStore } from "../../lib/app/limits/lease.ts";
import { createAccess } from "../../lib/access/access.ts";
import { accessConfigFromEnv } from "../../lib/access/config.ts";
import { HttpError } from "../../lib/http/error.ts";

const redisUrl = await requireRedis();
const hasRedisServer = requireRedisServer();

const LIMITS = {
  HERALD_MAX_STREAMS_PER_IP: "3",
  // Four publishes at once, then one every 100 s: the test never refills.
  HERALD_PUBLISH_RATE_IP: "0.01",
  HERALD_PUBLISH_BURST_IP: "4",
  // Renewed every third: a process stalled under load keeps its streams counted.
  HERALD_LIMITS_LEASE_MS: "2000",
};

async function openStream(url: string): Promise<Response> {
  return await fetch(`${url}/api/channels/shared/events`);
}

async function publish(url: string): Promise<number> {
  const res = await fetch(`${url}/api/channels/shared/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ data: "x" }),
  });
  await res.body?.cancel();
  return res.status;
}

/** Streams and publishes of one address over two processes meet one limit. */
async function oneLimitOverTwo(a: RunningServer, b: RunningServer) {
  const open = [await openStream(a.url), await openStream(a.url)];
  open.push(await openStream(b.url));
  assert.deepStrictEqual(open.map((r) => r.status), [200, 200, 200]);
  const fourthA = await openStream(a.url);
  const fourthB = await openStream(b.url);
  assert.strictEqual(fourthA.status, 429, "a 4th stream on a");
  assert.strictEqual(fourthB.status, 429, "a 4th stream on b");
  assert.match((await fourthB.json()).error.message, /limit 3/);
  await fourthA.body?.cancel();
  // A stream that ends frees its place for the other process.
  await open[0].body!.cancel();
  let again: Response | null = null;
  await waitFor(async () => {
    await again?.body?.cancel();
    again = await openStream(b.url);
    return again.status === 200;
  }, "b to admit a stream once one on a ended");
  for (const res of [...open.slice(1), again!]) await res.body?.cancel();

  const statuses = [
    await publish(a.url),
    await publish(b.url),
    await publish(a.url),
    await publish(b.url),
    await publish(a.url),
    await publish(b.url),
  ];
  assert.deepStrictEqual(statuses, [201, 201, 201, 201, 429, 429]);
}

Deno.test({
  name:
    "two Herald processes on one Redis: a client's streams and publishes are refused at the single limit",
  ignore: !redisUrl,
  fn: async () => {
    const prefix = uniquePrefix("limits");
    const env = {
      ...LIMITS,
      HERALD_BROKER: "redis",
      REDIS_URL: redisUrl!,
      HERALD_REDIS_PREFIX: prefix,
    };
    try {
      await using a = await startHerald(env);
      await using b = await startHerald(env);
      await oneLimitOverTwo(a, b);
    } finally {
      await dropPrefix(redisUrl!, `{${prefix}`);
      await dropPrefix(redisUrl!, prefix);
    }
  },
});

Deno.test("two Herald processes on one Deno KV file: a client's streams and publishes are refused at the single limit", async () => {
  const dir = await Deno.makeTempDir({ prefix: "herald-kv-" });
  try {
    const env = {
      ...LIMITS,
      HERALD_BROKER: "kv",
      HERALD_KV_PATH: `${dir}/herald.kv`,
      HERALD_KV_POLL_MS: "50",
    };
    await using a = await startHerald(env);
    await using b = await startHerald(env);
    await oneLimitOverTwo(a, b);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A process killed with its streams open: they count until its lease lapses, then not. */
async function crashedStreamsLapse(env: Record<string, string>) {
  const a = await startHerald(env);
  await using b = await startHerald(env);
  const held = [
    await openStream(a.url),
    await openStream(a.url),
    await openStream(a.url),
  ];
  assert.deepStrictEqual(held.map((r) => r.status), [200, 200, 200]);
  const refused = await openStream(b.url);
  assert.strictEqual(refused.status, 429);
  await refused.body?.cancel();
  a.process.kill("SIGKILL");
  await a.stop();
  for (const res of held) await res.body?.cancel().catch(() => {});
  let admitted: Response[] = [];
  await waitFor(async () => {
    for (const res of admitted) await res.body?.cancel();
    admitted = [
      await openStream(b.url),
      await openStream(b.url),
      await openStream(b.url),
    ];
    return admitted.every((r) => r.status === 200);
  }, "the killed process's streams to stop counting");
  for (const res of admitted) await res.body?.cancel();
}

Deno.test({
  name:
    "a process killed with open streams: they stop counting against the shared limit after its lease (Redis, KV)",
  ignore: !redisUrl,
  fn: async () => {
    const prefix = uniquePrefix("limits-crash");
    try {
      await crashedStreamsLapse({
        ...LIMITS,
        HERALD_BROKER: "redis",
        REDIS_URL: redisUrl!,
        HERALD_REDIS_PREFIX: prefix,
      });
    } finally {
      await dropPrefix(redisUrl!, `{${prefix}`);
      await dropPrefix(redisUrl!, prefix);
    }
    const dir = await Deno.makeTempDir({ prefix: "herald-kv-" });
    try {
      await crashedStreamsLapse({
        ...LIMITS,
        HERALD_BROKER: "kv",
        HERALD_KV_PATH: `${dir}/herald.kv`,
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** The store's own semantics: buckets, counters over two processes, release. */
async function storeSemantics(a: LeasedLimitStore, b: LeasedLimitStore) {
  const bucket = { key: "publish:ip:1.2.3.4", rate: 0.01, burst: 2 };
  assert.deepStrictEqual(await a.take([bucket]), { ok: true });
  assert.deepStrictEqual(await b.take([bucket]), { ok: true });
  const refused = await a.take([bucket]);
  assert.strictEqual(refused.ok, false);
  assert.ok(!refused.ok && refused.index === 0);
  assert.ok(!refused.ok && refused.retryAfterSeconds >= 99);
  // Two buckets of one caller: the first empty one refuses; those before stay taken.
  const room = { key: "room:ip:5.5.5.5", rate: 0.01, burst: 1 };
  const pub = { key: "publish:ip:5.5.5.5", rate: 0.01, burst: 1 };
  assert.deepStrictEqual(await a.take([room, pub]), { ok: true });
  const second = await b.take([room, pub]);
  assert.ok(!second.ok && second.index === 0, "the room bucket refuses");

  const ip = { key: "ip:9.9.9.9", max: 2 };
  const user = { key: "sub:alice", max: 1 };
  assert.deepStrictEqual(await a.acquire([ip, user]), { ok: true });
  const userFull = await b.acquire([ip, user]);
  assert.ok(!userFull.ok && userFull.index === 1, "alice is at 1");
  assert.deepStrictEqual(await b.acquire([ip]), { ok: true });
  const ipFull = await b.acquire([ip]);
  assert.ok(!ipFull.ok && ipFull.index === 0, "the address is at 2");
  await a.release([ip.key, user.key]);
  assert.deepStrictEqual(await b.acquire([ip, user]), { ok: true });
  // Closing gives back what a process holds.
  await b.close();
  assert.deepStrictEqual(await a.acquire([ip, user]), { ok: true });
}

Deno.test({
  name:
    "redis limit store: GCRA buckets and leased counters over two processes",
  ignore: !redisUrl,
  fn: async () => {
    const prefix = uniquePrefix("limit-store");
    const a = await RedisLimitStore.open({ url: redisUrl!, prefix });
    const b = await RedisLimitStore.open({ url: redisUrl!, prefix });
    try {
      await storeSemantics(a, b);
    } finally {
      await a.close();
      await b.close();
      await dropPrefix(redisUrl!, `{${prefix}`);
    }
  },
});

Deno.test("kv limit store: GCRA buckets and leased counters over two processes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "herald-kv-" });
  // Two stores, each with its own process id, as two processes have.
  const a = await KvLimitStore.open({ path: `${dir}/a.kv` });
  try {
    const b = await KvLimitStore.open({ path: `${dir}/a.kv` });
    await storeSemantics(a, b);
  } finally {
    await a.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "a limit store that is away: limits fall back to this process's own (fail open), and hold again once it is back",
  ignore: !hasRedisServer,
  fn: async () => {
    await using redis = await startRedisServer();
    const store = await RedisLimitStore.open({
      url: redis.url,
      prefix: "fallback",
      timeoutMs: 300,
    });
    const failures: unknown[] = [];
    const access = (burst: string) =>
      createAccess(
        accessConfigFromEnv({
          HERALD_PUBLISH_RATE_IP: "0.01",
          HERALD_PUBLISH_BURST_IP: burst,
        }),
        { limitStore: store, onLimitStoreError: (e) => failures.push(e) },
      );
    // Two "processes" (two access instances) on one store, burst 3 each.
    const one = access("3");
    const two = access("3");
    const who = {
      sub: null,
      ip: "7.7.7.7",
      via: "anonymous",
      token: null,
      session: null,
    } as const;
    try {
      await one.checkPublishRate(who);
      await two.checkPublishRate(who);
      await one.checkPublishRate(who);
      await assert.rejects(() => two.checkPublishRate(who), HttpError);
      await redis.stop();
      // Away: the shared check fails and is logged; this process's bucket
      // still holds (two has taken 1 of its 3 locally, and the refused one).
      const other = { ...who, ip: "6.6.6.6" };
      for (let i = 0; i < 3; i++) await two.checkPublishRate(other);
      await assert.rejects(() => two.checkPublishRate(other), HttpError);
      assert.ok(failures.length > 0, "the store's failure is reported");
      const release = await one.acquireStream(other); // admitted, counted locally
      release();
      await redis.start();
      await waitFor(async () => {
        try {
          await store.take([{ key: "ping:x", rate: 1000, burst: 1000 }]);
          return true;
        } catch {
          return false;
        }
      }, "the store back");
      await assert.rejects(() => one.checkPublishRate(who), HttpError);
    } finally {
      await store.close();
    }
  },
});
