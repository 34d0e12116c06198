/**
 * The broker conformance suite: the same Deno.test cases for every broker.
 * Each broker's `*_test.ts` calls {@link brokerConformance} with a factory
 * that builds a fresh, isolated broker (its own Redis prefix, its own KV file).
 *
 * @example
 * ```ts
 * brokerConformance("memory", { create: (history) => createBroker({ broker: "memory", history }) });
 * ```
 * @module
 */
import assert from "node:assert";
import type {
  Broker,
  HeraldEvent,
  LostEvents,
} from "../../../lib/realtime/types.ts";
import type { HistoryBounds } from "../../../lib/realtime/brokers/bounds.ts";
import { isEventId } from "../../../lib/realtime/brokers/event_id.ts";
import { sleep, waitFor } from "../../_support/wait.ts";

export interface ConformanceOptions {
  /** A fresh broker, isolated from every other test's data. */
  create(history?: Partial<HistoryBounds>): Promise<Broker>;
  /** Skip every case (a real part is missing). */
  ignore?: boolean;
  /**
   * Another instance on the same store as `broker` (same Redis prefix, KV
   * file or BroadcastChannel name), whose publishes reach `broker`'s
   * subscribers. None for memory (one process, one instance).
   */
  peer?(broker: Broker): Promise<Broker>;
  /**
   * Whether instances publishing at the same moment still get ids in one
   * order (one clock in the store: redis, kv). Broadcast instances each have
   * their own clock, so only one of them publishes in the cross-channel case.
   */
  sharedClock?: boolean;
  /**
   * Whether `head()` is the newest id (default), or a watermark at or above
   * it (Redis Cluster: no deployment-wide clock key; see redis_cluster.ts).
   * Either way every id at or below it is readable.
   */
  headIsWatermark?: boolean;
  /** The name in test titles, when it is not the broker's name (a variant). */
  label?: string;
}

export function brokerConformance(
  name: string,
  opts: ConformanceOptions,
): void {
  const test = (
    title: string,
    fn: (
      create: ConformanceOptions["create"],
      peer: (broker: Broker) => Promise<Broker>,
    ) => Promise<void>,
  ) =>
    Deno.test({
      name: `${opts.label ?? name} broker: ${title}`,
      ignore: opts.ignore,
      fn: async () => {
        const made: Broker[] = [];
        const create = async (history?: Partial<HistoryBounds>) => {
          const broker = await opts.create(history);
          made.push(broker);
          return broker;
        };
        const peer = async (broker: Broker) => {
          if (!opts.peer) return broker;
          const other = await opts.peer(broker);
          made.unshift(other); // closed before the broker that owns the store
          return other;
        };
        try {
          await fn(create, peer);
        } finally {
          for (const broker of made) await broker.close();
        }
      },
    });

  test("delivers events to a subscriber in publish order", async (create) => {
    const broker = await create();
    const got: HeraldEvent[] = [];
    const stop = await broker.subscribe("room:order", (e) => got.push(e));
    const published: HeraldEvent[] = [];
    for (let i = 0; i < 25; i++) {
      published.push(await broker.publish("room:order", { data: { i } }));
    }
    await waitFor(() => got.length >= 25, "25 events");
    assert.deepStrictEqual(
      got.map((e) => e.data),
      published.map((_, i) => ({ i })),
    );
    assert.deepStrictEqual(got.map((e) => e.id), published.map((e) => e.id));
    assert.ok(
      got.every((e) => e.channel === "room:order" && e.event === "message"),
    );
    await stop();
  });

  test("history pages backwards with before (newest first below it)", async (create) => {
    const broker = await create({ limit: 10 });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push((await broker.publish("room:back", { data: i })).id);
    }
    const data = (events: { data: unknown }[]) => events.map((e) => e.data);
    assert.deepStrictEqual(
      data(await broker.history("room:back", { before: ids[4], limit: 2 })),
      [2, 3],
    );
    assert.deepStrictEqual(
      data(await broker.history("room:back", { before: ids[2] })),
      [0, 1],
    );
    assert.deepStrictEqual(
      await broker.history("room:back", { before: ids[0] }),
      [],
    );
    assert.deepStrictEqual(
      data(
        await broker.history("room:back", {
          after: ids[1],
          before: ids[5],
          limit: 2,
        }),
      ),
      [2, 3],
    );
  });

  test("history honours after and limit, and is bounded by count", async (create) => {
    const broker = await create({ limit: 5 });
    assert.deepStrictEqual(await broker.history("room:h"), []);
    assert.deepStrictEqual(await broker.trimmedThrough("room:h"), null);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push((await broker.publish("room:h", { data: i })).id);
    }
    assert.deepStrictEqual(
      await broker.trimmedThrough("room:h"),
      null,
      "nothing dropped yet",
    );
    for (let i = 4; i < 8; i++) {
      ids.push((await broker.publish("room:h", { data: i })).id);
    }

    const all = await broker.history("room:h");
    assert.deepStrictEqual(
      all.map((e) => e.data),
      [3, 4, 5, 6, 7],
      "keeps the newest 5",
    );
    assert.deepStrictEqual(await broker.trimmedThrough("room:h"), ids[2]);
    assert.deepStrictEqual(
      (await broker.history("room:h", { after: ids[4] })).map((e) => e.data),
      [5, 6, 7],
    );
    assert.deepStrictEqual(
      (await broker.history("room:h", { limit: 2 })).map((e) => e.data),
      [6, 7],
    );
    assert.deepStrictEqual(
      (await broker.history("room:h", { after: ids[3], limit: 2 })).map((e) =>
        e.data
      ),
      [4, 5],
    );
    assert.deepStrictEqual(
      await broker.history("room:h", { after: ids[7] }),
      [],
    );
    assert.deepStrictEqual(
      (await broker.history("room:h", { after: ids[0] })).map((e) => e.data),
      [3, 4, 5, 6, 7],
      "a resume from a trimmed id gets what is left",
    );
    assert.deepStrictEqual(
      await broker.history("room:other"),
      [],
      "channels are separate",
    );
    assert.deepStrictEqual(await broker.trimmedThrough("room:other"), null);
  });

  test("history is bounded by age", async (create) => {
    // Long enough that a stall cannot age the events out before the first check.
    const broker = await create({ ttlMs: 1_000 });
    const old1 = await broker.publish("room:age", { data: "old 1" });
    const old2 = await broker.publish("room:age", { data: "old 2" });
    assert.deepStrictEqual(await broker.trimmedThrough("room:age"), null);
    await sleep(1_500);
    assert.deepStrictEqual(
      await broker.history("room:age"),
      [],
      "aged out, even before a publish",
    );
    assert.deepStrictEqual(await broker.trimmedThrough("room:age"), old2.id);
    const fresh = await broker.publish("room:age", { data: "fresh" });
    assert.deepStrictEqual(
      (await broker.history("room:age")).map((e) => e.data),
      ["fresh"],
    );
    assert.deepStrictEqual(
      (await broker.history("room:age", { after: old1.id })).map((e) => e.id),
      [fresh.id],
    );
    assert.deepStrictEqual(await broker.trimmedThrough("room:age"), old2.id);
  });

  test("ids increase within a channel and are ordered across channels", async (create) => {
    const broker = await create();
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const e = await broker.publish(
        i % 3 === 0 ? "a" : i % 3 === 1 ? "b" : "c",
        { data: i },
      );
      assert.ok(isEventId(e.id), `well-formed id ${e.id}`);
      assert.ok(new TextEncoder().encode(e.id).length <= 64);
      ids.push(e.id);
    }
    for (let i = 1; i < ids.length; i++) {
      assert.ok(ids[i - 1] < ids[i], `${ids[i - 1]} < ${ids[i]}`);
    }
    // One Last-Event-ID resumes every channel.
    const resumeAfter = ids[14];
    const missed: HeraldEvent[] = [];
    for (const ch of ["a", "b", "c"]) {
      missed.push(...await broker.history(ch, { after: resumeAfter }));
    }
    assert.deepStrictEqual(missed.map((e) => e.id).sort(), ids.slice(15));
  });

  test(
    "delivers the events of several channels in one id order",
    async (create, peer) => {
      // Live events of A and B reach this instance in one id order
      // (ARCHITECTURE.md, Ordering).
      const broker = await create();
      const merged: HeraldEvent[] = [];
      const stopA = await broker.subscribe("room:a", (e) => merged.push(e));
      const stopB = await broker.subscribe("room:b", (e) => merged.push(e));
      const other = await peer(broker);
      // Several tasks at once, each alternating A and B: first all on the
      // other instance (this one learns of them by its watch or poll, several
      // at a time), then on both instances where one clock orders them.
      const publish = (publishers: Broker[]) =>
        Promise.all(Array.from({ length: 6 }, async (_, t) => {
          const publisher = publishers[t % publishers.length];
          const ids: string[] = [];
          for (let i = 0; i < 40; i++) {
            const channel = (t + i) % 2 === 0 ? "room:a" : "room:b";
            ids.push((await publisher.publish(channel, { data: { t, i } })).id);
            if (i % 10 === 0) await sleep(1);
          }
          return ids;
        }));
      const published = (await publish([other])).flat();
      published.push(
        ...(await publish(opts.sharedClock ? [other, broker] : [other])).flat(),
      );
      const total = 2 * 6 * 40;
      await waitFor(() => merged.length >= total, `all ${total} events`);
      await sleep(50); // any stray duplicate would show up now
      await stopA();
      await stopB();
      const ids = merged.map((e) => e.id);
      const disorder = ids.findIndex((id, i) => i > 0 && ids[i - 1] >= id);
      assert.strictEqual(
        disorder,
        -1,
        `delivered ${ids[disorder - 1]} (${merged[disorder - 1]?.channel}) ` +
          `before ${ids[disorder]} (${merged[disorder]?.channel})`,
      );
      assert.deepStrictEqual(ids, [...published].sort(), "nothing missing");
    },
  );

  test(
    "head is the newest id, and history holds every event up to it",
    async (create, peer) => {
      const broker = await create();
      // A watermark is at or above the newest id; a clock is the newest id.
      const isHead = async (newest: string, what: string) => {
        const head = await broker.head();
        if (opts.headIsWatermark) {
          assert.ok(head !== null && head >= newest, `${what}: ${head}`);
        } else assert.strictEqual(head, newest, what);
      };
      if (!opts.headIsWatermark) {
        assert.strictEqual(await broker.head(), null, "nothing published yet");
      }
      const a = await broker.publish("room:ha", { data: 1 });
      await isHead(a.id, "after a publish");
      const b = await broker.publish("room:hb", { data: 2 });
      await isHead(b.id, "across channels");
      const other = await peer(broker);
      const c = await other.publish("room:ha", { data: 3 });
      await waitFor(
        async () =>
          (await broker.history("room:ha")).some((e) => e.id === c.id),
        "the peer's event",
      );
      // Instances with their own clocks (broadcast) may mint c below b.
      await isHead(c.id > b.id ? c.id : b.id, "after the peer's");

      // Taken while several tasks publish: everything at or below a head read
      // first is in a history read after it.
      const published: string[] = [a.id, b.id, c.id];
      const snapshots: { head: string | null; held: Set<string> }[] = [];
      let publishing = true;
      const publishers = opts.sharedClock ? [other, broker] : [other];
      const tasks = Promise.all(Array.from({ length: 4 }, async (_, t) => {
        const publisher = publishers[t % publishers.length];
        for (let i = 0; i < 30; i++) {
          const channel = (t + i) % 2 === 0 ? "room:ha" : "room:hb";
          published.push((await publisher.publish(channel, { data: i })).id);
        }
      })).finally(() => publishing = false);
      while (publishing) {
        const head = await broker.head();
        const held = new Set<string>();
        for (const channel of ["room:ha", "room:hb"]) {
          for (const e of await broker.history(channel)) held.add(e.id);
        }
        snapshots.push({ head, held });
        await sleep(1);
      }
      await tasks;
      assert.ok(snapshots.length > 0);
      for (const { head, held } of snapshots) {
        const missing = published.filter((id) => head !== null && id <= head)
          .filter((id) => !held.has(id));
        assert.deepStrictEqual(missing, [], `at or below head ${head}`);
      }
      const newest = [...published].sort().at(-1)!;
      await waitFor(
        async () =>
          opts.headIsWatermark
            ? (await broker.head())! >= newest
            : (await broker.head()) === newest,
        "the newest id as head",
      );
    },
  );

  test("a resume under concurrent publishing has no gap and no duplicate", async (create) => {
    const broker = await create();
    const total = 150;
    // A first connection sees some events, then drops.
    const seen: string[] = [];
    const stop1 = await broker.subscribe("room:seam", (e) => seen.push(e.id));
    const published: string[] = [];
    let publishing = true;
    const publisher = (async () => {
      for (let i = 0; i < total; i++) {
        published.push((await broker.publish("room:seam", { data: i })).id);
        if (i % 3 === 0) await sleep(1);
      }
      publishing = false;
    })();

    await waitFor(() => seen.length >= 20 || !publishing, "the first events");
    await stop1();
    await sleep(5);

    // It comes back with the last id it saw: subscribe first (buffering),
    // replay history after that id, then go live, deduplicating the seam.
    const lastSeen = seen.at(-1)!;
    const received = [...seen];
    const buffered: HeraldEvent[] = [];
    let live = false;
    const deliver = (e: HeraldEvent) => {
      if (e.id > received.at(-1)!) received.push(e.id);
    };
    const stop2 = await broker.subscribe(
      "room:seam",
      (e) => live ? deliver(e) : buffered.push(e),
    );
    for (const e of await broker.history("room:seam", { after: lastSeen })) {
      deliver(e);
    }
    for (const e of buffered) deliver(e);
    live = true;

    await publisher;
    await waitFor(() => received.length >= total, `all ${total} events`);
    await sleep(50); // any stray duplicate would show up now
    await stop2();
    assert.deepStrictEqual(received, published);
  });

  test("unsubscribe stops delivery to that subscriber only", async (create) => {
    const broker = await create();
    const first: unknown[] = [];
    const second: unknown[] = [];
    const stop1 = await broker.subscribe("room:u", (e) => first.push(e.data));
    const stop2 = await broker.subscribe("room:u", (e) => second.push(e.data));
    await broker.publish("room:u", { data: "both" });
    await waitFor(
      () => first.length === 1 && second.length === 1,
      "both to get it",
    );
    await stop1();
    await broker.publish("room:u", { data: "second only" });
    await waitFor(() => second.length === 2, "the second subscriber");
    await sleep(50);
    assert.deepStrictEqual(first, ["both"]);
    assert.deepStrictEqual(second, ["both", "second only"]);
    await stop2();
    await broker.publish("room:u", { data: "nobody" });
    await sleep(50);
    assert.deepStrictEqual(second, ["both", "second only"]);
    assert.deepStrictEqual(
      (await broker.history("room:u")).length,
      3,
      "history still records it",
    );
  });

  test("a subscriber that keeps up is never told its channel lost events, though history is trimmed before and after it subscribed", async (create) => {
    const broker = await create({ limit: 5 });
    for (let i = 0; i < 10; i++) {
      await broker.publish("room:t", { data: `before ${i}` });
    }
    const got: string[] = [];
    const lost: LostEvents[] = [];
    await broker.subscribe("room:t", (e) => got.push(e.id), (info) => {
      lost.push(info);
    });
    const sent: string[] = [];
    // Exactly a history's worth at once: a catch-up may read a full page.
    for (let i = 0; i < 5; i++) {
      sent.push((await broker.publish("room:t", { data: i })).id);
    }
    await waitFor(() => got.length === 5, "the first 5 events");
    // Then one at a time, each delivered before the next.
    for (let i = 5; i < 15; i++) {
      sent.push((await broker.publish("room:t", { data: i })).id);
      await waitFor(() => got.length === i + 1, `event ${i}`);
    }
    assert.deepStrictEqual(got, sent);
    assert.deepStrictEqual(lost, []);
    assert.ok(
      (await broker.trimmedThrough("room:t") ?? "") >= sent[9],
      "history was trimmed past what the subscriber got",
    );
  });

  test("close releases everything and later calls reject", async (create) => {
    const broker = await create();
    const got: unknown[] = [];
    await broker.subscribe("room:c", (e) => got.push(e.data));
    await broker.subscribe("room:c2", (e) => got.push(e.data));
    await broker.publish("room:c", { data: 1 });
    await waitFor(() => got.length === 1, "the event");
    await broker.close(); // with live subscriptions: the sanitizers check the rest
    await broker.close(); // twice is fine
    await assert.rejects(() => broker.publish("room:c", { data: 2 }));
    await assert.rejects(() => broker.history("room:c"));
    await assert.rejects(() => broker.head());
    assert.deepStrictEqual(got, [1]);
  });

  test("reports health", async (create) => {
    const broker = await create();
    const health = broker.health();
    assert.deepStrictEqual(health.broker, name);
    assert.deepStrictEqual(health.broker, broker.name);
    assert.deepStrictEqual(health.healthy, true);
    await broker.close();
    assert.deepStrictEqual(broker.health().healthy, false);
  });

  test("payloads round-trip unchanged", async (create) => {
    const broker = await create();
    const payloads: unknown[] = [
      "héllo wörld ✓ 日本語 🎉",
      "line one\nline two\r\nline three\rend",
      "data: not a field\n\nid: 7\n",
      { nested: { deep: [1, 2, { x: null, y: true, z: "é" }] }, n: -1.5e-7 },
      [0, "", false, null, { "": "" }],
      42,
      null,
      "",
      "\u0000 nul and \u2028 separators \u2029",
    ];
    const got: HeraldEvent[] = [];
    await broker.subscribe("room:p", (e) => got.push(e));
    for (const data of payloads) {
      await broker.publish("room:p", { event: "custom-name", data });
    }
    await waitFor(() => got.length === payloads.length, "every payload");
    assert.deepStrictEqual(got.map((e) => e.data), payloads);
    assert.ok(got.every((e) => e.event === "custom-name"));
    const stored = await broker.history("room:p");
    assert.deepStrictEqual(stored.map((e) => e.data), payloads);
    assert.deepStrictEqual(stored.map((e) => e.id), got.map((e) => e.id));
    assert.ok(
      stored.every((e) =>
        typeof e.time === "number" && Math.abs(e.time - Date.now()) < 600_000
      ),
    );
  });
}
