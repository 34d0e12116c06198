import {
  deepStrictEqual as assertEquals,
  ok as assert,
  rejects as assertRejects,
} from "node:assert/strict";
import { MemoryBroker } from "../../../lib/realtime/brokers/memory.ts";
import { Hub } from "../../../lib/realtime/hub/hub.ts";
import type {
  HeraldEvent,
  HistoryOptions,
} from "../../../lib/realtime/types.ts";
import { SseReader } from "../../_support/sse_parser.ts";
import { CountingBroker, waitFor } from "../_helpers.ts";
import { HUB_OPTIONS as OPTIONS, withHub } from "./_hub.ts";

Deno.test("a stream starts with retry: and then delivers live events", () =>
  withHub(async (hub, broker) => {
    const sse = new SseReader(
      await hub.open({ channels: ["news"], form: "payload" }),
    );
    assertEquals(await sse.next(), { kind: "retry", ms: 1500 });
    const sent = await broker.publish("news", {
      event: "headline",
      data: { title: "hello" },
    });
    const got = await sse.nextEvent();
    assertEquals(got?.id, sent.id);
    assertEquals(got?.event, "headline");
    assertEquals(JSON.parse(got!.data), { title: "hello" });
    await sse.cancel();
  }));

Deno.test("many streams share one broker subscription and the same encoded bytes", () =>
  withHub(async (hub, broker) => {
    const readers = await Promise.all(
      Array.from(
        { length: 50 },
        async () =>
          (await hub.open({ channels: ["room"], form: "payload" }))
            .getReader(),
      ),
    );
    assertEquals(broker.subscribes, 1);
    assertEquals(hub.stats().streams, 50);
    assertEquals(hub.stats().channels, 1);
    for (const r of readers) await r.read(); // retry:
    await broker.publish("room", { data: "x" });
    const chunks = await Promise.all(
      readers.map(async (r) => (await r.read()).value!),
    );
    // The very same Uint8Array reached everyone: encoded once.
    assert(chunks.every((c) => c === chunks[0]));
    assert(new TextDecoder().decode(chunks[0]).includes('data: "x"'));
    for (const r of readers) await r.cancel();
    await waitFor(() => hub.stats().channels === 0, "release");
    await hub.channels.settled();
    assertEquals(broker.unsubscribes, 1);
  }));

Deno.test("the multi-channel form sends the envelope", () =>
  withHub(async (hub, broker) => {
    const sse = new SseReader(
      await hub.open({ channels: ["a", "b"], form: "envelope" }),
    );
    const a = await broker.publish("a", { data: 1 });
    const b = await broker.publish("b", { event: "e", data: [2] });
    const [ea, eb] = await sse.events(2);
    assertEquals(JSON.parse(ea.data), a);
    assertEquals(JSON.parse(eb.data), b);
    assertEquals(eb.event, "e");
    await sse.cancel();
  }));

Deno.test("a slow subscriber is disconnected while the others get everything", () =>
  withHub(async (hub, broker) => {
    const fast = new SseReader(
      await hub.open({ channels: ["feed"], form: "payload" }),
    );
    const slowBody = await hub.open({ channels: ["feed"], form: "payload" });
    const slow = slowBody.getReader(); // never read until the end
    const sent: HeraldEvent[] = [];
    const received: string[] = [];
    const reading = (async () => {
      while (received.length < 100) {
        const e = await fast.nextEvent();
        received.push(e!.id!);
      }
    })();
    for (let i = 0; i < 100; i++) {
      sent.push(await broker.publish("feed", { data: "y".repeat(200) }));
      // A turn of the event loop: enough for a reader that keeps up.
      await new Promise((r) => setTimeout(r, 0));
    }
    await reading;
    assertEquals(received, sent.map((e) => e.id));
    assertEquals(hub.stats().streams, 1, "the slow stream was closed");
    await assertRejects(async () => {
      while (!(await slow.read()).done) { /* drain */ }
    }, /too slow/);
    // It comes back with the last id it had and is replayed the rest.
    const back = new SseReader(
      await hub.open({
        channels: ["feed"],
        form: "payload",
        lastEventId: sent[9].id,
      }),
    );
    const replayed = await back.events(90);
    assertEquals(replayed.map((e) => e.id), sent.slice(10).map((e) => e.id));
    await back.cancel();
    await fast.cancel();
  }, { subscriberBufferBytes: 4096 }));

Deno.test("an aborted request releases its stream and the broker subscription", () =>
  withHub(async (hub, broker) => {
    const abort = new AbortController();
    const body = await hub.open({
      channels: ["x", "y"],
      form: "envelope",
      signal: abort.signal,
    });
    let closedWith = "";
    const other = await hub.open({
      channels: ["x"],
      form: "payload",
      onClose: (reason) => closedWith = reason,
    });
    assertEquals(hub.stats(), { streams: 2, channels: 2, heartbeat: true });
    abort.abort();
    assertEquals(hub.stats(), { streams: 1, channels: 1, heartbeat: true });
    await body.cancel();
    await other.cancel();
    assertEquals(closedWith, "client gone");
    assertEquals(hub.stats(), { streams: 0, channels: 0, heartbeat: false });
    await hub.channels.settled();
    assertEquals([broker.subscribes, broker.unsubscribes], [2, 2]);
  }));

Deno.test("one heartbeat timer sends a comment to every open stream", () =>
  withHub(async (hub) => {
    const readers = await Promise.all(
      [1, 2, 3].map(async () =>
        new SseReader(await hub.open({ channels: ["hb"], form: "payload" }))
      ),
    );
    for (const sse of readers) {
      assertEquals((await sse.next())?.kind, "retry");
      assertEquals(await sse.next(), { kind: "comment", text: "heartbeat" });
    }
    assert(hub.heartbeat.ticks >= 1);
    for (const sse of readers) await sse.cancel();
    assertEquals(hub.stats().heartbeat, false);
  }, { heartbeatMs: 20 }));

Deno.test("resume replays history then goes live, with no gap and no duplicate, while publishing goes on", () =>
  withHub(async (hub, broker) => {
    const sent: string[] = [];
    let publishing = true;
    const publisher = (async () => {
      for (let i = 0; publishing || i < 300; i++) {
        sent.push((await broker.publish("seam", { data: i })).id);
        if (i % 5 === 0) await new Promise((r) => setTimeout(r, 0));
        if (i >= 600) break;
      }
    })();
    await waitFor(() => sent.length >= 50, "first events");
    const from = sent[20];
    const sse = new SseReader(
      await hub.open({
        channels: ["seam"],
        form: "payload",
        lastEventId: from,
      }),
    );
    publishing = false;
    await publisher;
    const expected = sent.slice(21);
    const got = await sse.events(expected.length);
    assertEquals(got.map((e) => e.id), expected);
    await sse.cancel();
  }));

Deno.test("a resume older than history gets event: gap first, then what is left", () =>
  withHub(
    async (hub, broker) => {
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) {
        ids.push((await broker.publish("short", { data: i })).id);
      }
      const sse = new SseReader(
        await hub.open({
          channels: ["short"],
          form: "payload",
          lastEventId: ids[0],
        }),
      );
      const gap = await sse.nextEvent();
      assertEquals(gap?.event, "gap");
      assertEquals(gap?.id, undefined);
      assertEquals(JSON.parse(gap!.data).channel, "short");
      const rest = await sse.events(5);
      assertEquals(rest.map((e) => e.id), ids.slice(5));
      await sse.cancel();
    },
    {},
    new CountingBroker({ limit: 5 }),
  ));

Deno.test("a resume within history gets no gap event", () =>
  withHub(
    async (hub, broker) => {
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) {
        ids.push((await broker.publish("short", { data: i })).id);
      }
      const sse = new SseReader(
        await hub.open({
          channels: ["short"],
          form: "payload",
          lastEventId: ids[4],
        }),
      );
      const rest = await sse.events(5);
      assertEquals(rest.map((e) => e.id), ids.slice(5));
      await sse.cancel();
    },
    {},
    new CountingBroker({ limit: 5 }),
  ));

Deno.test("a broker that cannot subscribe gives a stream that holds retry: and ends", async () => {
  const broker = new CountingBroker();
  await broker.close();
  const hub = new Hub(broker, OPTIONS);
  const sse = new SseReader(
    await hub.open({ channels: ["down"], form: "payload" }),
  );
  assertEquals(await sse.rest(), [{ kind: "retry", ms: 1500 }]);
  assertEquals(hub.stats(), { streams: 0, channels: 0, heartbeat: false });
  await hub.close();
});

/**
 * The real memory broker, except that its first history read after `arm()`
 * also commits an event on the channel just read and then one on `other`:
 * the next channel's read sees the second event, the first read does not
 * see the first. (The memory broker commits synchronously inside publish.)
 */
class CommitsBetweenReads extends MemoryBroker {
  committed: Promise<HeraldEvent>[] = [];
  #armed = false;

  arm(): void {
    this.#armed = true;
  }

  override history(
    channel: string,
    opts?: HistoryOptions,
  ): Promise<HeraldEvent[]> {
    const read = super.history(channel, opts); // the snapshot, taken now
    if (this.#armed) {
      this.#armed = false;
      const other = channel === "a" ? "b" : "a";
      this.committed.push(
        this.publish(channel, { data: `${channel} after its read` }),
        this.publish(other, { data: `${other} before its read` }),
      );
    }
    return read;
  }
}

Deno.test("a multi-channel resume stays in id order when events are committed between two history reads", async () => {
  const broker = new CommitsBetweenReads({ limit: 1000 });
  const hub = new Hub(broker, OPTIONS);
  try {
    const first = await broker.publish("a", { data: "seen" });
    const missed = await broker.publish("b", { data: "missed" });
    broker.arm();
    const sse = new SseReader(
      await hub.open({
        channels: ["a", "b"],
        form: "envelope",
        lastEventId: first.id,
      }),
    );
    const got = (await sse.events(3)).map((e) => e.id);
    const committed = await Promise.all(broker.committed);
    assertEquals(broker.committed.length, 2, "the commits happened");
    // Sent in id order: a client that drops after any of them and resumes
    // with its id misses nothing.
    assertEquals(got, [missed.id, ...committed.map((e) => e.id)]);
    await sse.cancel();
  } finally {
    await hub.close();
    await broker.close();
  }
});
