/**
 * A stream whose channel lost events while this process was cut off from
 * Redis ends, and the client's resume with `Last-Event-ID` starts with
 * `event: gap`: nobody is left with a feed that silently skipped events.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createBroker } from "../../../lib/realtime/brokers/create.ts";
import { requireRedis, uniquePrefix } from "../../_support/redis.ts";
import { SseReader } from "../../_support/sse_parser.ts";
import { dropPrefix } from "../brokers/redis_keys.ts";
import { gatedRedisUrl } from "../fixtures/tcp_gate.ts";
import { startApi, waitFor } from "../_helpers.ts";

const redisUrl = await requireRedis();

Deno.test({
  name:
    "a stream whose channel lost events during a Redis outage ends; the resume sends event: gap, then what history holds",
  ignore: !redisUrl,
  fn: async () => {
    const prefix = uniquePrefix("lost-http");
    const history = { limit: 5 };
    await using gated = gatedRedisUrl(redisUrl!);
    const publisher = await createBroker({
      broker: "redis",
      url: redisUrl!,
      prefix,
      history,
    });
    const broker = await createBroker({
      broker: "redis",
      url: gated.url,
      prefix,
      history,
    });
    const api = await startApi({}, broker);
    const { herald } = api;
    const url = `${api.url}/api/channels/room:news/events`;
    const warnings: string[] = [];
    const stopLog = herald.log.on((r) => {
      if (r.level === "warn") warnings.push(r.message);
    });
    try {
      const sse = new SseReader((await fetch(url)).body!);
      await waitFor(() => herald.hub.stats().channels === 1, "the stream");
      const sent = [(await publisher.publish("room:news", { data: 0 })).id];
      const first = await sse.nextEvent();
      assert.equal(first?.id, sent[0]);

      await gated.gate.shut();
      await waitFor(() => !broker.health().healthy, "the broker to lose Redis");
      for (let i = 1; i <= 20; i++) {
        sent.push((await publisher.publish("room:news", { data: i })).id);
      }
      gated.gate.open();

      const rest = await sse.rest();
      assert.deepEqual(
        rest.filter((r) => r.kind === "event"),
        [],
        "the stream ends without skipping silently past the lost events",
      );
      assert.ok(warnings.includes("channel lost events"), "it is logged");

      const resumed = new SseReader(
        (await fetch(url, { headers: { "last-event-id": sent[0] } })).body!,
      );
      const [gap, ...kept] = await resumed.events(6);
      assert.equal(gap.event, "gap");
      assert.deepEqual(JSON.parse(gap.data), {
        channel: "room:news",
        lastEventId: sent[0],
        trimmedThrough: sent[15],
      });
      assert.deepEqual(kept.map((e) => e.id), sent.slice(16));
      await resumed.cancel();
    } finally {
      stopLog();
      await api[Symbol.asyncDispose]();
      await publisher.close();
      await dropPrefix(redisUrl!, prefix);
    }
  },
});
