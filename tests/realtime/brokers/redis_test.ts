import assert from "node:assert";
import { Redis } from "ioredis";
import { createBroker } from "../../../lib/realtime/brokers/create.ts";
import { BrokerUnavailableError } from "../../../lib/realtime/brokers/errors.ts";
import type { LogBroker } from "../../../lib/realtime/brokers/log_broker.ts";
import type { RedisLog } from "../../../lib/realtime/brokers/redis.ts";
import type {
  Broker,
  HeraldEvent,
  LostEvents,
} from "../../../lib/realtime/types.ts";
import type { HistoryBounds } from "../../../lib/realtime/brokers/bounds.ts";
import { requireRedis, uniquePrefix } from "../../_support/redis.ts";
import {
  requireRedisServer,
  startRedisServer,
} from "../../_support/redis_server.ts";
import { brokerConformance } from "./conformance.ts";
import { dropPrefix } from "./redis_keys.ts";
import { waitFor } from "../../_support/wait.ts";
import { gatedRedisUrl } from "../fixtures/tcp_gate.ts";

const redisUrl = await requireRedis();
const hasServer = requireRedisServer();

/** A redis broker on its own prefix; closing it also removes its keys. */
async function isolatedBroker(
  url: string,
  history?: Partial<HistoryBounds>,
  prefix = uniquePrefix("broker"),
): Promise<Broker> {
  const broker = await createBroker({ broker: "redis", url, prefix, history });
  const close = broker.close.bind(broker);
  broker.close = async () => {
    await close();
    await dropPrefix(url, prefix);
  };
  return broker;
}

brokerConformance("redis", {
  ignore: !redisUrl,
  create: (history) => isolatedBroker(redisUrl!, history),
  peer: (broker) =>
    createBroker({
      broker: "redis",
      url: redisUrl!,
      prefix: (broker as LogBroker<RedisLog>).log.prefix,
    }),
  sharedClock: true,
});

Deno.test({
  name:
    "redis broker: a publish on one instance reaches a subscriber on another, in order",
  ignore: !redisUrl,
  fn: async () => {
    const prefix = uniquePrefix("two");
    const a = await isolatedBroker(redisUrl!, {}, prefix);
    const b = await isolatedBroker(redisUrl!, {}, prefix);
    try {
      const got: HeraldEvent[] = [];
      await b.subscribe("room:x", (e) => got.push(e));
      const sent: string[] = [];
      for (let i = 0; i < 50; i++) {
        sent.push((await a.publish("room:x", { data: i })).id);
      }
      await waitFor(() => got.length === 50, "50 events at b");
      assert.deepStrictEqual(got.map((e) => e.id), sent);
      assert.deepStrictEqual(got.map((e) => e.data), sent.map((_, i) => i));
      assert.deepStrictEqual(
        (await b.history("room:x", { limit: 3 })).map((e) => e.data),
        [
          47,
          48,
          49,
        ],
      );
    } finally {
      await a.close();
      await b.close();
    }
  },
});

Deno.test({
  name: "redis broker: cannot connect → a clear BrokerUnavailableError",
  ignore: !hasServer,
  fn: async () => {
    const server = await startRedisServer();
    const url = server.url;
    await server.dispose(); // nothing listens on that port now
    await assert.rejects(
      () =>
        createBroker({ broker: "redis", url, prefix: uniquePrefix("down") }),
      (err: Error) =>
        err instanceof BrokerUnavailableError &&
        /cannot connect/.test(err.message),
    );
  },
});

Deno.test({
  name:
    "redis broker: survives a Redis restart; subscribers get every event once, in order",
  ignore: !hasServer,
  fn: async () => {
    await using redis = await startRedisServer();
    const broker = await createBroker({
      broker: "redis",
      url: redis.url,
      prefix: "herald",
    });
    let publisher: Broker | null = null;
    try {
      const got: HeraldEvent[] = [];
      await broker.subscribe("room:r", (e) => got.push(e));
      const sent: string[] = [];
      for (let i = 0; i < 5; i++) {
        sent.push((await broker.publish("room:r", { data: i })).id);
      }
      await waitFor(() => got.length === 5, "the first 5 events");

      await redis.stop();
      await waitFor(() => !broker.health().healthy, "health to turn unhealthy");
      const down = broker.health();
      assert.strictEqual(down.broker, "redis");
      assert.match(down.detail ?? "", /redis connection .*reconnecting/);
      await assert.rejects(
        () => broker.publish("room:r", { data: "lost?" }),
        BrokerUnavailableError,
        "a publish while disconnected rejects at once",
      );
      await assert.rejects(
        () => broker.history("room:r"),
        BrokerUnavailableError,
      );

      await redis.start();
      // Another process publishes as soon as Redis is back, likely before this
      // broker has reconnected: those events come by catch-up from history.
      publisher = await createBroker({
        broker: "redis",
        url: redis.url,
        prefix: "herald",
      });
      for (let i = 5; i < 10; i++) {
        sent.push((await publisher.publish("room:r", { data: i })).id);
      }
      await waitFor(
        () => broker.health().healthy,
        "health to turn healthy again",
      );
      for (let i = 10; i < 15; i++) {
        sent.push((await broker.publish("room:r", { data: i })).id);
      }

      await waitFor(() => got.length >= 15, "all 15 events");
      assert.deepStrictEqual(
        got.map((e) => e.id),
        sent,
        "every event exactly once, in order",
      );
      assert.deepStrictEqual(got.map((e) => e.data), sent.map((_, i) => i));
      assert.ok(sent[5] > sent[4], "ids keep increasing across the restart");
      assert.deepStrictEqual(
        (await broker.history("room:r")).map((e) => e.id),
        sent,
      );
    } finally {
      await publisher?.close();
      await broker.close();
    }
  },
});

Deno.test({
  name:
    "redis broker: after a Redis restart, the catch-up of several channels comes in one id order",
  ignore: !hasServer,
  fn: async () => {
    await using redis = await startRedisServer();
    const broker = await createBroker({ broker: "redis", url: redis.url });
    let publisher: Broker | null = null;
    try {
      const merged: HeraldEvent[] = [];
      for (const channel of ["room:a", "room:b", "room:c"]) {
        await broker.subscribe(channel, (e) => merged.push(e));
      }
      const sent: string[] = [];
      const channelOf = (i: number) => ["room:a", "room:b", "room:c"][i % 3];
      for (let i = 0; i < 6; i++) {
        sent.push((await broker.publish(channelOf(i), { data: i })).id);
      }
      await waitFor(() => merged.length === 6, "the first 6 events");

      await redis.stop();
      await waitFor(() => !broker.health().healthy, "health to turn unhealthy");
      await redis.start();
      // Another instance publishes on every channel, interleaved, while this
      // one reconnects: they reach it by catch-up, merged across channels.
      publisher = await createBroker({ broker: "redis", url: redis.url });
      const live = publisher;
      const batch = (from: number) =>
        Promise.all(Array.from({ length: 4 }, async (_, t) => {
          const ids: string[] = [];
          for (let i = from + t; i < from + 60; i += 4) {
            ids.push((await live.publish(channelOf(i), { data: i })).id);
          }
          return ids;
        }));
      sent.push(...(await batch(6)).flat());
      await waitFor(() => broker.health().healthy, "health to turn healthy");
      sent.push(...(await batch(60)).flat());

      await waitFor(() => merged.length >= sent.length, "every event");
      const ids = merged.map((e) => e.id);
      const disorder = ids.findIndex((id, i) => i > 0 && ids[i - 1] >= id);
      assert.strictEqual(
        disorder,
        -1,
        `delivered ${ids[disorder - 1]} (${merged[disorder - 1]?.channel}) ` +
          `before ${ids[disorder]} (${merged[disorder]?.channel})`,
      );
      assert.deepStrictEqual(ids, [...sent].sort(), "nothing missing");
    } finally {
      await publisher?.close();
      await broker.close();
    }
  },
});

Deno.test({
  name: "redis broker: close while Redis is down releases everything",
  ignore: !hasServer,
  fn: async () => {
    await using redis = await startRedisServer();
    const broker = await createBroker({ broker: "redis", url: redis.url });
    await broker.subscribe("room:z", () => {});
    await redis.stop();
    await waitFor(() => !broker.health().healthy, "health to turn unhealthy");
    await broker.close();
    assert.strictEqual(broker.health().detail, "closed");
  },
});

Deno.test({
  name:
    "redis broker: a publish that failed when its connection dropped is not run later, after the reconnect",
  ignore: !hasServer,
  fn: async () => {
    await using redis = await startRedisServer();
    const broker = await createBroker({
      broker: "redis",
      url: redis.url,
      commandTimeoutMs: 500,
    });
    const admin = new Redis(redis.url, { lazyConnect: true });
    await admin.connect();
    try {
      await broker.publish("room:p", { data: "before" });
      // Writes wait while paused: the publish is on the wire, not yet run.
      await admin.client("PAUSE", 60_000, "WRITE");
      const inFlight = broker.publish("room:p", { data: "in flight" });
      const cmdClient = async () =>
        (await admin.client("LIST") as string).split("\n")
          .find((line) => / name=herald-cmd /.test(line));
      await waitFor(
        async () => / cmd=evalsha /.test((await cmdClient()) ?? ""),
        "the publish to wait on the pause",
      );
      const id = (await cmdClient())!.match(/^id=(\d+) /)![1];
      await admin.client("KILL", "ID", id);
      await assert.rejects(inFlight, BrokerUnavailableError);

      await admin.client("UNPAUSE");
      await waitFor(() => broker.health().healthy, "the reconnect");
      // One connection runs commands in order: a resent publish would run first.
      await broker.publish("room:p", { data: "after" });
      assert.deepStrictEqual(
        (await broker.history("room:p")).map((e) => e.data),
        ["before", "after"],
        "the publisher was told it failed, so it must not appear",
      );
    } finally {
      await admin.client("UNPAUSE").catch(() => {});
      await admin.quit();
      await broker.close();
    }
  },
});

Deno.test({
  name:
    "redis broker: a publish that timed out on a stalled Redis (503) never takes effect when Redis resumes",
  ignore: !hasServer,
  fn: async () => {
    await using redis = await startRedisServer();
    const broker = await createBroker({
      broker: "redis",
      url: redis.url,
      commandTimeoutMs: 300,
    });
    const subscriber = await createBroker({ broker: "redis", url: redis.url });
    try {
      const got: unknown[] = [];
      await subscriber.subscribe("room:stall", (e) => got.push(e.data));
      await broker.publish("room:stall", { data: "before" });

      redis.pause(); // the connection stays open: the publish is sent, then waits
      await assert.rejects(
        () => broker.publish("room:stall", { data: "timed out" }),
        BrokerUnavailableError,
        "the publisher is told it failed (HTTP 503)",
      );
      redis.resume();

      await waitFor(() => broker.health().healthy, "Redis to answer again");
      await broker.publish("room:stall", { data: "after" });
      await waitFor(() => got.includes("after"), "the later publish");
      assert.deepStrictEqual(got, ["before", "after"]);
      assert.deepStrictEqual(
        (await subscriber.history("room:stall")).map((e) => e.data),
        ["before", "after"],
        "a publish answered with 503 must not be in history",
      );
    } finally {
      if (redis.running) redis.resume();
      await subscriber.close();
      await broker.close();
    }
  },
});

Deno.test({
  name:
    "redis broker: a subscriber cut off while more than the history limit was published is told its channel lost events, then gets what history holds",
  ignore: !redisUrl,
  fn: async () => {
    const prefix = uniquePrefix("lost");
    await using gated = gatedRedisUrl(redisUrl!);
    const history = { limit: 5 };
    const publisher = await isolatedBroker(redisUrl!, history, prefix);
    const subscriber = await createBroker({
      broker: "redis",
      url: gated.url,
      prefix,
      history,
    });
    try {
      const seen: string[] = [];
      const lost: LostEvents[] = [];
      const calm: HeraldEvent[] = [];
      await subscriber.subscribe(
        "room:busy",
        (e) => seen.push(e.id),
        (info) => {
          lost.push(info);
          seen.push("lost");
        },
      );
      await subscriber.subscribe(
        "room:calm",
        (e) => calm.push(e),
        () => seen.push("calm lost"),
      );
      const busy: string[] = [];
      const publishBusy = async (n: number) => {
        for (let i = 0; i < n; i++) {
          busy.push((await publisher.publish("room:busy", { data: i })).id);
        }
      };
      await publishBusy(2);
      await waitFor(() => seen.length === 2, "the first 2 events live");

      await gated.gate.shut();
      await waitFor(
        () => !subscriber.health().healthy,
        "the subscriber to lose Redis",
      );
      await publishBusy(20); // history keeps the newest 5
      const calmIds = [
        (await publisher.publish("room:calm", { data: "c" })).id,
      ];
      gated.gate.open();

      await waitFor(
        () => seen.at(-1) === busy.at(-1) && calm.length === 1,
        "the catch-up",
      );
      assert.deepStrictEqual(lost, [{
        channel: "room:busy",
        after: busy[1],
        trimmedThrough: busy[16],
      }]);
      assert.deepStrictEqual(
        seen,
        [...busy.slice(0, 2), "lost", ...busy.slice(17)],
        "told of the loss before what history still holds",
      );
      assert.deepStrictEqual(calm.map((e) => e.id), calmIds);
    } finally {
      await subscriber.close();
      await publisher.close();
    }
  },
});

Deno.test({
  name:
    "redis broker: a publish drops the entries past the age bound from Redis and records the newest one dropped",
  ignore: !redisUrl,
  fn: async () => {
    const prefix = uniquePrefix("age");
    const broker = await isolatedBroker(redisUrl!, { ttlMs: 2_000 }, prefix);
    const redis = new Redis(redisUrl!);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    try {
      const log = `${prefix}:log:room:age`;
      const meta = `${prefix}:meta:room:age`;
      for (const data of ["old 1", "old 2"]) {
        await broker.publish("room:age", { data });
      }
      await sleep(1_200);
      // Keeps the stream key alive: only the entries age out, not the key.
      await broker.publish("room:age", { data: "young" });
      const [, aged] = (await redis.xrange(log, "-", "+")).map(([id]) => id);
      assert.strictEqual(await redis.hget(meta, "trimmed"), null);
      await sleep(1_200);
      await broker.publish("room:age", { data: "fresh" });
      const kept = await redis.xrange(log, "-", "+");
      assert.deepStrictEqual(
        kept.map(([, fields]) => fields[3]),
        ['"young"', '"fresh"'],
        "the aged entries left Redis's memory",
      );
      assert.strictEqual(await redis.hget(meta, "trimmed"), aged);
    } finally {
      redis.disconnect();
      await broker.close();
    }
  },
});
