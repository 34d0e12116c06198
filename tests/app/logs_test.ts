/**
 * The log relay and log entries without a browser: batching per level, the
 * storm cap, no loop through the log channel, and reading batches back.
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { HeraldLogRecord } from "../../lib/realtime/observe.ts";
import type { PublishMessage } from "../../lib/realtime/types.ts";
import { LogRelay } from "../../lib/app/logs/relay.ts";
import {
  entriesOf,
  keepLast,
  LOG_CHANNEL,
  type LogBatch,
} from "../../lib/app/logs/entry.ts";
import { MemoryBroker } from "../../lib/realtime/brokers/memory.ts";
import { latestLogEntries } from "../../lib/app/logs/page.ts";

function record(
  level: HeraldLogRecord["level"],
  message: string,
  fields: Record<string, unknown> = {},
): HeraldLogRecord {
  return { time: 1000, level, message, fields };
}

function collectingRelay(maxPerFlush = 100) {
  const published: { channel: string; msg: PublishMessage }[] = [];
  const relay = new LogRelay({
    flushMs: 60_000, // flushed by hand below; close() clears the timer
    maxPerFlush,
    publish: (channel, msg) => {
      published.push({ channel, msg });
      return Promise.resolve();
    },
  });
  return { relay, published };
}

Deno.test("one publish per level per flush, named by level", async () => {
  const { relay, published } = collectingRelay();
  relay.push(record("info", "stream opened", { channels: ["news"] }));
  relay.push(record("info", "stream closed", { channels: ["news"] }));
  relay.push(record("error", "replay failed"));
  await relay.close();
  assertEquals(published.map((p) => [p.channel, p.msg.event]), [
    [LOG_CHANNEL, "log:info"],
    [LOG_CHANNEL, "log:error"],
  ]);
  const info = published[0].msg.data as LogBatch;
  assertEquals(info.entries.map((e) => e.message), [
    "stream opened",
    "stream closed",
  ]);
  assertEquals(info.dropped, 0);
});

Deno.test("a storm is capped: the rest is counted, not published", async () => {
  const { relay, published } = collectingRelay(10);
  for (let i = 0; i < 5000; i++) {
    relay.push(record("info", "publish", { channel: "news" }));
  }
  await relay.close();
  assertEquals(published.length, 1);
  const batch = published[0].msg.data as LogBatch;
  assertEquals([batch.entries.length, batch.dropped], [10, 4990]);
});

Deno.test("records about the log channel itself are never published", async () => {
  const { relay, published } = collectingRelay();
  relay.push(record("info", "publish", { channel: LOG_CHANNEL }));
  relay.push(record("error", "publish failed", { channels: [LOG_CHANNEL] }));
  await relay.close();
  assertEquals(published, []);
});

Deno.test("a relay publishing into a broker: the page reads entries back", async () => {
  const broker = new MemoryBroker();
  const relay = new LogRelay({
    flushMs: 60_000,
    publish: (channel, msg) => broker.publish(channel, msg),
  });
  try {
    relay.push(record("warn", "stream closed", { reason: "too slow" }));
    relay.push(record("info", "stream opened"));
    await relay.flush();
    const entries = await latestLogEntries(broker);
    assertEquals(
      entries.map((e) => [e.level, e.message]).sort(),
      [["info", "stream opened"], ["warn", "stream closed"]],
    );
    assertEquals(entries.find((e) => e.level === "warn")?.fields, {
      reason: "too slow",
    });
  } finally {
    await relay.close();
    await broker.close();
  }
});

Deno.test("entries of a batch event, with the dropped count", () => {
  const entries = entriesOf({
    id: "7",
    channel: LOG_CHANNEL,
    event: "log:error",
    time: 5,
    data: { entries: [{ time: 4, message: "boom", fields: {} }], dropped: 3 },
  });
  assertEquals(entries.map((e) => [e.key, e.level, e.message]), [
    ["7:0", "error", "boom"],
    ["7:dropped", "warn", "3 log records left out (too many at once)"],
  ]);
  assertEquals(
    entriesOf({
      id: "8",
      channel: LOG_CHANNEL,
      event: "message",
      time: 1,
      data: "x",
    }),
    [],
  );
  assertEquals(keepLast([1, 2, 3, 4], 2), [3, 4]);
});
