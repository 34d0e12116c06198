/**
 * A publish's `once` key (what an Idempotency-Key retry hands the broker): on
 * redis and kv the second publish with a key stores and delivers nothing and
 * returns the first event's id, also from another instance on the same store.
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { createBroker } from "../../../lib/realtime/brokers/create.ts";
import type { Broker, HeraldEvent } from "../../../lib/realtime/types.ts";
import { requireRedis, uniquePrefix } from "../../_support/redis.ts";
import { dropPrefix } from "./redis_keys.ts";

const redisUrl = await requireRedis();

async function onceOnTwo(a: Broker, b: Broker) {
  const seen: HeraldEvent[] = [];
  const stop = await b.subscribe("once", (e) => seen.push(e));
  const first = await a.publish("once", { data: { n: 1 }, once: "k1" });
  const again = await b.publish("once", { data: { n: 1 }, once: "k1" });
  const other = await a.publish("once", { data: { n: 2 }, once: "k2" });
  const plain = await a.publish("once", { data: { n: 3 } });
  assertEquals(again.id, first.id);
  assertEquals(again.time, first.time);
  const stored = await a.history("once");
  assertEquals(stored.map((e) => e.id), [first.id, other.id, plain.id]);
  const deadline = Date.now() + 15_000;
  while (seen.length < 3 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assertEquals(seen.map((e) => e.id), [first.id, other.id, plain.id]);
  await stop();
}

Deno.test("kv broker: a once key publishes once across two instances on one file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "herald-once-" });
  const path = `${dir}/kv`;
  const a = await createBroker({ broker: "kv", path, pollMs: 20 });
  const b = await createBroker({ broker: "kv", path, pollMs: 20 });
  try {
    await onceOnTwo(a, b);
  } finally {
    await a.close();
    await b.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test({
  name: "redis broker: a once key publishes once across two instances",
  ignore: !redisUrl,
  fn: async () => {
    const prefix = uniquePrefix("once");
    const a = await createBroker({ broker: "redis", url: redisUrl!, prefix });
    const b = await createBroker({ broker: "redis", url: redisUrl!, prefix });
    try {
      await onceOnTwo(a, b);
    } finally {
      await a.close();
      await b.close();
      await dropPrefix(redisUrl!, prefix);
    }
  },
});
