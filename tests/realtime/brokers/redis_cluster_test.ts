/**
 * The redis broker on a local three-master Redis Cluster the test starts:
 * the conformance suite, and two Herald processes delivering each other's
 * publishes on channels of different masters in one id order.
 */
import assert from "node:assert";
import calculateSlot from "cluster-key-slot";
import { createBroker } from "../../../lib/realtime/brokers/create.ts";
import type { LogBroker } from "../../../lib/realtime/brokers/log_broker.ts";
import {
  originOf,
  type RedisClusterLog,
} from "../../../lib/realtime/brokers/redis_cluster.ts";
import {
  heraldId,
  streamId,
} from "../../../lib/realtime/brokers/redis_stream_log.ts";
import type { HistoryBounds } from "../../../lib/realtime/brokers/bounds.ts";
import { uniquePrefix } from "../../_support/redis.ts";
import {
  type RedisCluster,
  requireRedisCluster,
  startRedisCluster,
} from "../../_support/redis_server.ts";
import { SseReader } from "../../_support/sse_parser.ts";
import { brokerConformance } from "./conformance.ts";
import { publishWhenUp, startHerald } from "../process/_servers.ts";

const ready = requireRedisCluster();
let cluster: RedisCluster | null = null;
if (ready) {
  cluster = await startRedisCluster(3);
  globalThis.addEventListener("unload", () => cluster?.kill());
}

function clusterBroker(history?: Partial<HistoryBounds>, prefix?: string) {
  return createBroker({
    broker: "redis",
    url: cluster!.url,
    cluster: true,
    prefix: prefix ?? uniquePrefix("cluster"),
    history,
  });
}

brokerConformance("redis", {
  label: "redis cluster",
  ignore: !ready,
  create: (history) => clusterBroker(history),
  peer: (broker) =>
    clusterBroker(undefined, (broker as LogBroker<RedisClusterLog>).log.prefix),
  sharedClock: true,
  headIsWatermark: true,
});

/** Channels whose keys live on different masters (redis-cli splits the slots in thirds). */
function channelsOnEachMaster(prefix: string): string[] {
  const found = new Map<number, string>();
  for (let i = 0; found.size < 3; i++) {
    const channel = `room${i}`;
    const third = Math.floor(
      calculateSlot(`${prefix}:live:{${channel}}`) / (16384 / 3),
    );
    if (!found.has(third)) found.set(third, channel);
  }
  return [...found.values()];
}

Deno.test({
  name:
    "two Herald processes on a three-master Redis Cluster: a multi-channel stream gets both processes' publishes, on channels of every master, in one id order",
  ignore: !ready,
  fn: async () => {
    const prefix = uniquePrefix("cluster-proc");
    const env = {
      HERALD_BROKER: "redis",
      REDIS_URL: cluster!.url,
      HERALD_REDIS_CLUSTER: "on",
      HERALD_REDIS_PREFIX: prefix,
    };
    await using a = await startHerald(env);
    await using b = await startHerald(env);
    const channels = channelsOnEachMaster(prefix);
    const query = channels.map((c) => `channel=${c}`).join("&");
    const res = await fetch(`${b.url}/api/events?${query}`);
    assert.strictEqual(res.status, 200);
    const sse = new SseReader(res.body!);
    try {
      await sse.next(); // retry: — subscribed
      const ids: string[] = [];
      // Both processes at once, each cycling through the channels.
      await Promise.all([a, b].map(async (server, p) => {
        for (let i = 0; i < 30; i++) {
          const channel = channels[(i + p) % channels.length];
          ids.push(await publishWhenUp(server.url, channel, { p, i }));
        }
      }));
      const got = await sse.events(60, 20_000);
      const gotIds = got.map((e) => e.id);
      assert.deepStrictEqual(
        gotIds,
        [...ids].sort(),
        "every event, in id order",
      );
      for (let i = 1; i < gotIds.length; i++) {
        assert.ok(gotIds[i - 1] < gotIds[i]);
      }
      // Each process's own publishes are in the order it made them.
      for (const p of [0, 1]) {
        const mine = got.map((e) => JSON.parse(e.data)).filter((d) =>
          d.data.p === p
        ).map((d) => d.data.i);
        assert.deepStrictEqual(mine, [...Array(30).keys()]);
      }
      // A resume with the 30th id on a's stream replays the rest of every channel.
      const resumed = await fetch(`${a.url}/api/events?${query}`, {
        headers: { "last-event-id": gotIds[29] },
      });
      const replay = new SseReader(resumed.body!);
      try {
        await replay.next();
        const rest = await replay.events(30, 20_000);
        assert.deepStrictEqual(rest.map((e) => e.id), gotIds.slice(30));
      } finally {
        await replay.cancel();
      }
    } finally {
      await sse.cancel();
    }
  },
});

Deno.test({
  name: "redis cluster: stop the test cluster",
  ignore: !ready,
  fn: async () => {
    await cluster?.dispose();
    cluster = null;
  },
});

Deno.test("redis cluster ids: each master mints under its own origin tag, and stream ids map back to the same ids", () => {
  const tags = ["127.0.0.1:7000", "127.0.0.1:7001", "127.0.0.1:7002"].map(
    originOf,
  );
  assert.strictEqual(new Set(tags).size, 3, "two masters never share a tag");
  for (const tag of tags) assert.match(tag, /^(?!0000)[0-9a-z]{4}$/);
  // The same µs on two masters: two ids, in one order, each back from its stream id.
  const a = `1795967877419499-${tags[0]}`;
  const b = `1795967877419499-${tags[1]}`;
  assert.notStrictEqual(a, b);
  for (const id of [a, b, "1795967877419499-0000"]) {
    assert.strictEqual(heraldId(streamId(id)), id);
  }
  assert.strictEqual(streamId("1795967877419499-0000"), "1795967877419499-0");
});
