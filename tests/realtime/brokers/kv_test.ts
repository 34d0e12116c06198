import assert from "node:assert";
import { createBroker } from "../../../lib/realtime/brokers/create.ts";
import {
  BrokerUnavailableError,
  PayloadTooLargeError,
} from "../../../lib/realtime/brokers/errors.ts";
import { formatEventId } from "../../../lib/realtime/brokers/event_id.ts";
import type { LogBroker } from "../../../lib/realtime/brokers/log_broker.ts";
import { openSharedKv } from "../../../lib/kv/shared.ts";
import type { HistoryBounds } from "../../../lib/realtime/brokers/bounds.ts";
import type {
  Broker,
  HeraldEvent,
  LostEvents,
} from "../../../lib/realtime/types.ts";
import { brokerConformance } from "./conformance.ts";
import { waitFor } from "../../_support/wait.ts";

/** The KV file of each broker {@link isolatedBroker} made. */
const kvPaths = new WeakMap<Broker, string>();

/** A kv broker on its own temp file; closing it also removes the file. */
async function isolatedBroker(
  history?: Partial<HistoryBounds>,
): Promise<Broker> {
  const dir = await Deno.makeTempDir({ prefix: "herald-kv-" });
  const broker = await createBroker({
    broker: "kv",
    path: `${dir}/herald.kv`,
    history,
  });
  const close = broker.close.bind(broker);
  broker.close = async () => {
    await close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  kvPaths.set(broker, `${dir}/herald.kv`);
  return broker;
}

brokerConformance("kv", {
  create: isolatedBroker,
  peer: (broker) =>
    createBroker({ broker: "kv", path: kvPaths.get(broker), pollMs: 50 }),
  sharedClock: true,
});

async function withKvFile(fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "herald-kv-" });
  try {
    await fn(`${dir}/herald.kv`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("kv broker: two instances on one file share events, in order", async () => {
  await withKvFile(async (path) => {
    const a = await createBroker({ broker: "kv", path });
    const b = await createBroker({ broker: "kv", path, pollMs: 50 });
    try {
      const got: HeraldEvent[] = [];
      await b.subscribe("room:1", (e) => got.push(e));
      const sent: string[] = [];
      for (let i = 0; i < 30; i++) {
        sent.push((await a.publish("room:1", { data: i })).id);
      }
      await waitFor(() => got.length === 30, "30 events at b");
      assert.deepStrictEqual(got.map((e) => e.id), sent);
      // Both publish at once: ids stay unique and ordered, b sees each once.
      const both = await Promise.all([
        ...Array.from(
          { length: 10 },
          (_, i) => a.publish("room:1", { data: `a${i}` }),
        ),
        ...Array.from(
          { length: 10 },
          (_, i) => b.publish("room:1", { data: `b${i}` }),
        ),
      ]);
      await waitFor(() => got.length === 50, "50 events at b");
      const ids = got.map((e) => e.id);
      assert.deepStrictEqual([...ids].sort(), ids, "delivered in id order");
      assert.strictEqual(new Set(ids).size, 50, "no duplicate");
      assert.deepStrictEqual(
        new Set(ids.slice(30)),
        new Set(both.map((e) => e.id)),
      );
    } finally {
      await a.close();
      await b.close();
    }
  });
});

Deno.test("kv broker: events published by another process arrive in order (poll)", async () => {
  await withKvFile(async (path) => {
    const broker = await createBroker({ broker: "kv", path, pollMs: 100 });
    try {
      const got: HeraldEvent[] = [];
      await broker.subscribe("room:proc", (e) => got.push(e));
      const fixture =
        new URL("./fixtures/kv_publisher.ts", import.meta.url).pathname;
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", fixture, path, "room:proc", "40"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      const sent: string[] = JSON.parse(new TextDecoder().decode(out.stdout));
      assert.strictEqual(sent.length, 40);
      await waitFor(() => got.length >= 40, "the other process's 40 events");
      assert.deepStrictEqual(got.map((e) => e.id), sent);
      assert.deepStrictEqual(
        got.map((e) => e.data),
        sent.map((_, i) => ({ from: "fixture", i })),
      );
    } finally {
      await broker.close();
    }
  });
});

/** The index of the first event delivered after one with a higher or equal id, or -1. */
function firstDisorder(events: HeraldEvent[]): number {
  return events.findIndex((e, i) => i > 0 && events[i - 1].id >= e.id);
}

Deno.test("kv broker: another process and another instance publishing on several channels at once reach a subscriber in one id order", async () => {
  await withKvFile(async (path) => {
    const broker = await createBroker({ broker: "kv", path, pollMs: 50 });
    const peer = await createBroker({ broker: "kv", path });
    try {
      const channels = ["room:a", "room:b", "room:c"];
      const merged: HeraldEvent[] = [];
      for (const ch of channels) {
        await broker.subscribe(ch, (e) => merged.push(e));
      }
      const fixture =
        new URL("./fixtures/kv_publisher.ts", import.meta.url).pathname;
      const other = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", fixture, path, channels.join(","), "90"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const here = Promise.all([0, 1].map(async (t) => {
        const ids: string[] = [];
        for (let i = t; i < 60; i += 2) {
          ids.push((await peer.publish(channels[i % 3], { data: i })).id);
        }
        return ids;
      }));
      const out = await other;
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      const sent: string[] = [
        ...JSON.parse(new TextDecoder().decode(out.stdout)),
        ...(await here).flat(),
      ];
      assert.strictEqual(sent.length, 150);
      await waitFor(() => merged.length >= 150, "all 150 events");
      const at = firstDisorder(merged);
      assert.strictEqual(
        at,
        -1,
        `${merged[at - 1]?.id} (${merged[at - 1]?.channel}) came before ` +
          `${merged[at]?.id} (${merged[at]?.channel})`,
      );
      assert.deepStrictEqual(merged.map((e) => e.id), sent.sort());
    } finally {
      await peer.close();
      await broker.close();
    }
  });
});

Deno.test("kv broker: history and ids survive a restart", async () => {
  await withKvFile(async (path) => {
    const first = await createBroker({ broker: "kv", path });
    const before = await first.publish("room:p", { data: "before" });
    await first.close();
    const second = await createBroker({ broker: "kv", path });
    try {
      assert.deepStrictEqual(
        (await second.history("room:p")).map((e) => e.id),
        [before.id],
      );
      const after = await second.publish("room:p", { data: "after" });
      assert.ok(after.id > before.id, `${after.id} > ${before.id}`);
    } finally {
      await second.close();
    }
  });
});

Deno.test("kv broker: a 40 KB payload with one character outside Latin-1 is stored and delivered", async () => {
  await withKvFile(async (path) => {
    const broker = await createBroker({ broker: "kv", path });
    try {
      const got: HeraldEvent[] = [];
      await broker.subscribe("room:big", (e) => got.push(e));
      // As a JS string V8 would store this as UTF-16: 80 KB, over KV's 64 KiB.
      const text = "a".repeat(40_000) + "中";
      const sent = await broker.publish("room:big", { data: { text } });
      await waitFor(() => got.length === 1, "the event live");
      assert.strictEqual((got[0].data as { text: string }).text, text);
      assert.deepStrictEqual(
        (await broker.history("room:big")).map((e) => e.id),
        [sent.id],
      );
      assert.strictEqual(broker.health().healthy, true);
    } finally {
      await broker.close();
    }
  });
});

Deno.test("kv broker: history written by an earlier version (payload as a string) still reads", async () => {
  await withKvFile(async (path) => {
    const broker = await createBroker({ broker: "kv", path });
    const shared = await openSharedKv(path);
    try {
      const id = formatEventId(Date.now() * 1000);
      await shared.kv.set(["herald", "log", "room:old", id], {
        e: "message",
        d: JSON.stringify({ text: "from before" }),
        t: Date.now(),
        seq: 1,
      });
      assert.deepStrictEqual(
        (await broker.history("room:old")).map((e) => [e.id, e.data]),
        [[id, { text: "from before" }]],
      );
    } finally {
      shared.release();
      await broker.close();
    }
  });
});

Deno.test("kv broker: a payload too large for KV fails as too large and the broker stays healthy", async () => {
  await withKvFile(async (path) => {
    const broker = await createBroker({ broker: "kv", path });
    try {
      await assert.rejects(
        () => broker.publish("room:big", { data: "x".repeat(70_000) }),
        PayloadTooLargeError,
      );
      assert.deepStrictEqual(broker.health(), { broker: "kv", healthy: true });
      await broker.publish("room:big", { data: "small" });
    } finally {
      await broker.close();
    }
  });
});

Deno.test("kv broker: health turns healthy again as soon as the store answers again", async () => {
  await withKvFile(async (path) => {
    const broker = await createBroker({ broker: "kv", path });
    try {
      // A read the store refuses (a key over KV's 2 KiB limit) stands in for
      // a passing failure: no subscriber, no publish follows it.
      await assert.rejects(
        () => broker.history("x".repeat(3000)),
        BrokerUnavailableError,
      );
      assert.strictEqual(broker.health().healthy, false);
      await broker.history("room:ok");
      assert.deepStrictEqual(broker.health(), { broker: "kv", healthy: true });
    } finally {
      await broker.close();
    }
  });
});

Deno.test("kv broker: when another process publishes more than the history limit between two polls, the subscriber is told its channel lost events", async () => {
  await withKvFile(async (path) => {
    const history = { limit: 5 };
    // A poll far away: the catch-up runs when this instance publishes.
    const broker = await createBroker({
      broker: "kv",
      path,
      history,
      pollMs: 600_000,
    });
    try {
      const seen: string[] = [];
      const lost: LostEvents[] = [];
      await broker.subscribe("room:busy", (e) => seen.push(e.id), (info) => {
        lost.push(info);
        seen.push("lost");
      });
      await broker.subscribe(
        "room:here",
        () => {},
        () => seen.push("here lost"),
      );
      const first = await broker.publish("room:busy", { data: "first" });
      await waitFor(() => seen.length === 1, "the first event");

      const fixture =
        new URL("./fixtures/kv_publisher.ts", import.meta.url).pathname;
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", fixture, path, "room:busy", "30", "5"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      const sent: string[] = JSON.parse(new TextDecoder().decode(out.stdout));
      await broker.publish("room:here", { data: "catch up now" });

      await waitFor(() => seen.at(-1) === sent.at(-1), "the catch-up");
      assert.deepStrictEqual(lost, [{
        channel: "room:busy",
        after: first.id,
        trimmedThrough: sent[24],
      }]);
      assert.deepStrictEqual(seen, [first.id, "lost", ...sent.slice(25)]);
    } finally {
      await broker.close();
    }
  });
});

/**
 * The real Deno.Kv, counting the reads made through it (get, getMany, list),
 * with `watch` never firing, so only an explicit refresh catches up.
 */
function countingKv(kv: Deno.Kv): { kv: Deno.Kv; reads: () => number } {
  let reads = 0;
  const proxy = new Proxy(kv, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === "watch") return () => new ReadableStream();
      if (typeof value !== "function") return value;
      if (prop === "get" || prop === "getMany" || prop === "list") {
        return (...args: unknown[]) => {
          reads++;
          return value.apply(target, args);
        };
      }
      return value.bind(target);
    },
  });
  return { kv: proxy, reads: () => reads };
}

/**
 * KV reads of one catch-up that delivers one event, with `channels`
 * subscribed, after a quiet quarter of an hour (the subscriber's clock is
 * moved; its polls saw no change meanwhile).
 */
async function readsOfOneCatchUp(
  channels: number,
  emptyStore = false,
): Promise<number> {
  let reads = 0;
  await withKvFile(async (path) => {
    const raw = await Deno.openKv(path);
    const counting = countingKv(raw);
    let skew = 0;
    const subscriber = await createBroker({
      broker: "kv",
      kv: counting.kv,
      pollMs: 3_600_000, // no poll during the test: refresh() is the poll
      clock: () => Date.now() + skew,
    }) as LogBroker;
    const publisher = await createBroker({ broker: "kv", path });
    try {
      if (!emptyStore) {
        await publisher.publish("elsewhere", { data: "history" });
      }
      const got: HeraldEvent[] = [];
      for (let i = 0; i < channels; i++) {
        await subscriber.subscribe(`room:${i}`, (e) => got.push(e));
      }
      for (let minute = 0; !emptyStore && minute < 15; minute++) {
        skew += 60_000;
        await subscriber.refresh();
      }
      await publisher.publish("elsewhere", { data: "not subscribed" });
      const sent = await publisher.publish("room:0", { data: "hi" });
      const before = counting.reads();
      await subscriber.refresh();
      reads = counting.reads() - before;
      assert.deepStrictEqual(got.map((e) => e.id), [sent.id]);
    } finally {
      await publisher.close();
      await subscriber.close();
      raw.close();
    }
  });
  return reads;
}

Deno.test("kv broker: a catch-up costs the same KV reads with 1 or 200 subscribed channels", async () => {
  const one = await readsOfOneCatchUp(1);
  const many = await readsOfOneCatchUp(200);
  assert.strictEqual(
    many,
    one,
    `one catch-up made ${one} KV reads with 1 channel subscribed, ${many} with 200`,
  );
  assert.ok(one <= 3, `${one} reads: the clock, the change feed, one channel`);
});

Deno.test("kv broker: the first catch-up of a new deployment costs the same KV reads with 1 or 200 subscribed channels", async () => {
  const one = await readsOfOneCatchUp(1, true);
  const many = await readsOfOneCatchUp(200, true);
  assert.strictEqual(
    many,
    one,
    `one catch-up made ${one} KV reads with 1 channel subscribed, ${many} with 200`,
  );
});

Deno.test("kv broker: a process that saw no head for longer than the change feed is trusted still gets every event of every channel, in order", async () => {
  await withKvFile(async (path) => {
    const raw = await Deno.openKv(path);
    let skew = 0;
    const subscriber = await createBroker({
      broker: "kv",
      kv: raw,
      pollMs: 3_600_000,
      clock: () => Date.now() + skew,
    }) as LogBroker;
    const publisher = await createBroker({ broker: "kv", path });
    try {
      await publisher.publish("room:a", { data: 0 });
      const got: HeraldEvent[] = [];
      for (const channel of ["room:a", "room:b", "room:c"]) {
        await subscriber.subscribe(channel, (e) => got.push(e));
      }
      skew = 20 * 60_000; // as if this process had stalled for 20 minutes
      const sent = [
        await publisher.publish("room:b", { data: 1 }),
        await publisher.publish("room:a", { data: 2 }),
        await publisher.publish("room:c", { data: 3 }),
      ];
      await subscriber.refresh();
      assert.deepStrictEqual(got.map((e) => e.id), sent.map((e) => e.id));
    } finally {
      await publisher.close();
      await subscriber.close();
      raw.close();
    }
  });
});

Deno.test("kv broker where kv.watch is missing (not documented on Deno Deploy): the poll alone carries another instance's events", async () => {
  const dir = await Deno.makeTempDir({ prefix: "herald-kv-nowatch-" });
  const path = `${dir}/herald.kv`;
  const kv = await Deno.openKv(path);
  const noWatch = new Proxy(kv, {
    get(target, key) {
      if (key === "watch") {
        return () => {
          throw new TypeError("kv.watch is not supported here");
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const watchless = await createBroker({
    broker: "kv",
    kv: noWatch,
    pollMs: 20,
  });
  const other = await createBroker({ broker: "kv", path });
  try {
    const got: string[] = [];
    const stop = await watchless.subscribe("news", (e) => got.push(e.id));
    const sent = [
      (await other.publish("news", { data: 1 })).id,
      (await watchless.publish("news", { data: 2 })).id,
      (await other.publish("news", { data: 3 })).id,
    ];
    await waitFor(() => got.length === 3, "three events through the poll");
    assert.deepStrictEqual(got, sent);
    await stop();
  } finally {
    await watchless.close();
    await other.close();
    kv.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("kv broker: many concurrent publishes (committed in batches) are each stored once, in id order, trimmed to the limit, and delivered once in order", async () => {
  const broker = await isolatedBroker({ limit: 3 });
  try {
    const received: HeraldEvent[] = [];
    for (const channel of ["a", "b"]) {
      await broker.subscribe(channel, (e) => received.push(e));
    }
    const tooLarge = "x".repeat(70_000);
    const results = await Promise.allSettled(
      Array.from({ length: 24 }, (_, i) =>
        broker.publish(i % 2 ? "a" : "b", {
          data: i === 5 ? tooLarge : { i },
          // Publishes 6 and 7 repeat one key: the second is the first's event.
          once: i === 6 || i === 7 ? "same-key" : undefined,
        })),
    );
    assert.ok(results[5].status === "rejected");
    assert.ok(results[5].reason instanceof PayloadTooLargeError);
    const stored = results.flatMap((r) =>
      r.status === "fulfilled" ? [r.value] : []
    );
    assert.strictEqual(stored.length, 23);
    const [six, seven] = [results[6], results[7]].map((r) =>
      r.status === "fulfilled" ? r.value.id : ""
    );
    assert.strictEqual(six, seven);
    const distinct = [...new Set(stored.map((e) => e.id))];
    assert.strictEqual(distinct.length, 22);

    await waitFor(() => received.length >= 22, "22 events delivered");
    const ids = received.map((e) => e.id);
    assert.deepStrictEqual(ids, [...distinct].sort());
    for (const channel of ["a", "b"]) {
      const history = await broker.history(channel);
      const mine = received.filter((e) => e.channel === channel);
      assert.deepStrictEqual(
        history.map((e) => e.id),
        mine.slice(-3).map((e) => e.id),
      );
      assert.strictEqual(
        await broker.trimmedThrough(channel),
        mine.at(-4)!.id,
      );
    }
  } finally {
    await broker.close();
  }
});

Deno.test("kv broker: publishes in a row from one instance read the store only now and then, and still keep history to its bounds", async () => {
  await withKvFile(async (path) => {
    const raw = await Deno.openKv(path);
    const counting = countingKv(raw);
    const broker = await createBroker({
      broker: "kv",
      kv: counting.kv,
      history: { limit: 20 },
    });
    try {
      const sent: HeraldEvent[] = [];
      const before = counting.reads();
      for (let i = 0; i < 60; i++) {
        sent.push(await broker.publish("room:row", { data: i }));
      }
      const reads = counting.reads() - before;
      // Reading before every commit takes 2 reads (records, oldest entries).
      assert.ok(reads <= 30, `${reads} KV reads for 60 publishes`);
      assert.deepStrictEqual(
        (await broker.history("room:row")).map((e) => e.data),
        sent.slice(-20).map((e) => e.data),
      );
      assert.strictEqual(
        await broker.trimmedThrough("room:row"),
        sent.at(-21)!.id,
      );
      let kept = 0;
      for await (
        const _ of raw.list({ prefix: ["herald", "log", "room:row"] })
      ) kept++;
      assert.strictEqual(kept, 20, "trimmed entries left the store");
    } finally {
      await broker.close();
      raw.close();
    }
  });
});

Deno.test("kv broker: two instances publishing in turn keep one id order and one history bound", async () => {
  await withKvFile(async (path) => {
    const a = await createBroker({ broker: "kv", path, history: { limit: 5 } });
    const b = await createBroker({ broker: "kv", path, history: { limit: 5 } });
    try {
      const sent: HeraldEvent[] = [];
      for (let i = 0; i < 12; i++) {
        sent.push(await (i % 2 ? b : a).publish("room:both", { data: i }));
      }
      const ids = sent.map((e) => e.id);
      assert.deepStrictEqual([...ids].sort(), ids, "ids increase");
      assert.deepStrictEqual(
        (await a.history("room:both")).map((e) => e.data),
        [7, 8, 9, 10, 11],
      );
      assert.strictEqual(await b.trimmedThrough("room:both"), ids[6]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

Deno.test("kv broker: an instance publishing without pause does not starve another instance on the same store", async () => {
  await withKvFile(async (path) => {
    const busy = await createBroker({ broker: "kv", path });
    const other = await createBroker({ broker: "kv", path });
    try {
      // The busy one warms up alone, so it commits from what it knows.
      for (let i = 0; i < 20; i++) {
        await busy.publish("room:a", { data: i });
      }
      await busy.subscribe("room:a", () => {});
      let running = true;
      const flood = Promise.all(Array.from({ length: 3 }, async (_, t) => {
        for (let i = 0; running; i++) {
          await busy.publish(`room:${"abc"[(t + i) % 3]}`, { data: i });
        }
      }));
      try {
        for (let i = 0; i < 50; i++) {
          await other.publish(`room:${"abc"[i % 3]}`, { data: i });
        }
      } finally {
        running = false;
        await flood;
      }
    } finally {
      await busy.close();
      await other.close();
    }
  });
});
