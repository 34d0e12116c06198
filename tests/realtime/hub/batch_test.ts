import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import {
  ChannelSubscriptions,
  MAX_QUEUED,
  SLICE,
} from "../../../lib/realtime/hub/channels.ts";
import { MemoryBroker } from "../../../lib/realtime/brokers/memory.ts";
import { withHub } from "./_hub.ts";
import { SseReader } from "../../_support/sse_parser.ts";

const decoder = new TextDecoder();
const idsIn = (chunk: Uint8Array) =>
  [...decoder.decode(chunk).matchAll(/^id: (.+)$/gm)].map((m) => m[1]);

Deno.test("events published together reach every stream as one write, in order", () =>
  withHub(async (hub, broker) => {
    const readers = await Promise.all(
      Array.from(
        { length: 3 },
        async () =>
          (await hub.open({ channels: ["news"], form: "payload" }))
            .getReader(),
      ),
    );
    for (const r of readers) await r.read(); // retry:
    const sent = await Promise.all(
      Array.from({ length: 5 }, (_, i) => broker.publish("news", { data: i })),
    );
    const chunks = await Promise.all(
      readers.map(async (r) => (await r.read()).value!),
    );
    assertEquals(idsIn(chunks[0]), sent.map((e) => e.id));
    // Joined once for all streams, not once per stream.
    assert(chunks.every((c) => c === chunks[0]));
    for (const r of readers) await r.cancel();
  }));

Deno.test("a stream on two channels gets events published together in publish order", () =>
  withHub(async (hub, broker) => {
    const sse = new SseReader(
      await hub.open({ channels: ["a", "b"], form: "envelope" }),
    );
    await sse.next(); // retry:
    const sent = await Promise.all([
      broker.publish("a", { data: 1 }),
      broker.publish("b", { data: 2 }),
      broker.publish("a", { data: 3 }),
      broker.publish("a", { data: 4 }),
      broker.publish("b", { data: 5 }),
    ]);
    const got = await sse.events(5);
    assertEquals(got.map((e) => e.id), sent.map((e) => e.id));
    assertEquals(got.map((e) => JSON.parse(e.data).data), [1, 2, 3, 4, 5]);
    await sse.cancel();
  }));

Deno.test("a stream that selects events takes only its own out of a batch", () =>
  withHub(async (hub, broker) => {
    const sse = new SseReader(
      await hub.open({
        channels: ["feed"],
        form: "payload",
        select: (event) => (event.data as number) % 2 === 0,
      }),
    );
    const all = new SseReader(
      await hub.open({ channels: ["feed"], form: "payload" }),
    );
    await sse.next();
    await all.next();
    await Promise.all(
      [1, 2, 3, 4, 5, 6].map((i) => broker.publish("feed", { data: i })),
    );
    assertEquals((await sse.events(3)).map((e) => e.data), ["2", "4", "6"]);
    assertEquals(
      (await all.events(6)).map((e) => e.data),
      ["1", "2", "3", "4", "5", "6"],
    );
    await sse.cancel();
    await all.cancel();
  }));

Deno.test("events published faster than they are handed on wait at most MAX_QUEUED deep", () =>
  withHub(async (hub, broker) => {
    const reader = (await hub.open({ channels: ["flood"], form: "payload" }))
      .getReader();
    await reader.read(); // retry:
    const count = MAX_QUEUED + 88;
    const sent = await Promise.all(
      Array.from(
        { length: count },
        (_, i) => broker.publish("flood", { data: i }),
      ),
    );
    const first = idsIn((await reader.read()).value!);
    const second = idsIn((await reader.read()).value!);
    // The queue was handed on when it was full, not held to the end of the turn.
    assertEquals(first.length, MAX_QUEUED);
    assertEquals([...first, ...second], sent.map((e) => e.id));
    await reader.cancel();
  }));

Deno.test("I/O goes on while a batch is handed to many streams, a slice at a time", async () => {
  const broker = new MemoryBroker();
  const channels = new ChannelSubscriptions(broker);
  const streams = SLICE * 40;
  let received = 0;
  const releases = await Promise.all(
    Array.from({ length: streams }, () =>
      channels.acquire("wide", () => {
        // A stream's write takes ~10 µs (bench/README.md); so does this one.
        const until = performance.now() + 0.01;
        while (performance.now() < until);
        received++;
      })),
  );
  try {
    await broker.publish("wide", { data: "to all" });
    // What each I/O completion saw: with one fan-out in a single turn, every
    // completion would see none or all of the streams served.
    const seen: number[] = [];
    while (received < streams) {
      await Deno.stat(".");
      seen.push(received);
    }
    assert(
      seen.some((n) => n > 0 && n < streams),
      `I/O completed only before or after the fan-out: ${seen}`,
    );
  } finally {
    for (const release of releases) release();
    await channels.settled();
    await broker.close();
  }
});
