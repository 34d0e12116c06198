import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { EventSource } from "eventsource";
import { requireRedis, uniquePrefix } from "../../_support/redis.ts";
import {
  requireRedisServer,
  startRedisServer,
} from "../../_support/redis_server.ts";
import { SseReader } from "../../_support/sse_parser.ts";
import { waitFor } from "../_helpers.ts";
import { publishWhenUp, startHerald } from "./_servers.ts";

const redisUrl = await requireRedis();
const hasRedisServer = requireRedisServer();

/** Publishes on `a`, reads the single-channel stream on `b`: same ids, same order. */
async function publishOnOneReceiveOnOther(
  a: string,
  b: string,
): Promise<void> {
  const res = await fetch(`${b}/api/channels/fanout/events`);
  const sse = new SseReader(res.body!);
  try {
    await sse.next(); // retry: — the stream is subscribed
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await publishWhenUp(a, "fanout", i));
    const got = await sse.events(20, 20_000);
    assertEquals(got.map((e) => e.id), ids);
    assertEquals(got.map((e) => JSON.parse(e.data)), [...Array(20).keys()]);
  } finally {
    await sse.cancel();
  }
}

Deno.test({
  name:
    "two Herald processes on one Redis: a publish on one reaches clients of the other, in order",
  ignore: !redisUrl,
  fn: async () => {
    const env = {
      HERALD_BROKER: "redis",
      REDIS_URL: redisUrl!,
      HERALD_REDIS_PREFIX: uniquePrefix("scale-out"),
    };
    await using a = await startHerald(env);
    await using b = await startHerald(env);
    await publishOnOneReceiveOnOther(a.url, b.url);
  },
});

Deno.test("two Herald processes on one Deno KV file: a publish on one reaches clients of the other, in order", async () => {
  const dir = await Deno.makeTempDir({ prefix: "herald-kv-" });
  try {
    const env = {
      HERALD_BROKER: "kv",
      HERALD_KV_PATH: `${dir}/herald.kv`,
      HERALD_KV_POLL_MS: "50",
    };
    await using a = await startHerald(env);
    await using b = await startHerald(env);
    await publishOnOneReceiveOnOther(a.url, b.url);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "Redis stopped and restarted mid-stream: clients get every message after they reconnect",
  ignore: !hasRedisServer,
  fn: async () => {
    await using redis = await startRedisServer();
    const env = {
      HERALD_BROKER: "redis",
      REDIS_URL: redis.url,
      HERALD_REDIS_PREFIX: uniquePrefix("restart"),
    };
    await using a = await startHerald(env);
    await using b = await startHerald(env);
    const got: string[] = [];
    const es = new EventSource(`${b.url}/api/channels/restart/events`);
    es.onmessage = (e) => got.push(e.lastEventId);
    try {
      await new Promise((resolve) => es.onopen = resolve);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(await publishWhenUp(a.url, "restart", i));
      }
      await waitFor(() => got.length === 5, "events before the restart");
      await redis.stop();
      await redis.start();
      for (let i = 5; i < 10; i++) {
        ids.push(await publishWhenUp(a.url, "restart", i));
      }
      await waitFor(() => got.length >= 10, "events after the restart", 30_000);
      assertEquals(got, ids);
      // History survived the restart (append-only file).
      const history = await (await fetch(
        `${b.url}/api/channels/restart/messages`,
      )).json();
      assertEquals(history.events.map((e: { id: string }) => e.id), ids);
    } finally {
      es.close();
    }
  },
});
