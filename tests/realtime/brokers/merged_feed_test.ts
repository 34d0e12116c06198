/**
 * The merge of MergedFeed on its own, with a store small enough to see every
 * page: ids here are plain zero-padded numbers (the feed only compares them).
 * The brokers' own tests cover it on real Redis and KV.
 *
 * @module
 */
import assert from "node:assert";
import {
  type ChannelPosition,
  type FeedSource,
  MergedFeed,
} from "../../../lib/realtime/brokers/merged_feed.ts";
import type { HeraldEvent, LostEvents } from "../../../lib/realtime/types.ts";

const id = (n: number) => String(n).padStart(4, "0");

/**
 * A store holding channel logs in arrays; reads return at most `pageSize`
 * events. With a `limit`, each log keeps its newest `limit` events and
 * remembers the newest one it dropped.
 */
function arrayStore(pageSize: number, limit = Infinity) {
  const logs = new Map<string, HeraldEvent[]>();
  const trimmed = new Map<string, string>();
  let head = 0;
  const reads: ChannelPosition[][] = [];
  const source: FeedSource = {
    pageSize,
    trimmedThrough: (channel) => Promise.resolve(trimmed.get(channel) ?? null),
    ageCutoff: () => id(0),
    head: () => Promise.resolve(id(head)),
    readAfter: (positions) => {
      reads.push(positions);
      return Promise.resolve({
        pages: positions.map(({ channel, after }) =>
          (logs.get(channel) ?? []).filter((e) => e.id > after).slice(
            0,
            pageSize,
          )
        ),
      });
    },
  };
  const publish = (channel: string, n: number) => {
    const e = { id: id(n), channel, event: "message", data: n, time: 0 };
    const log = [...(logs.get(channel) ?? []), e];
    const dropped = log.splice(0, Math.max(0, log.length - limit));
    if (dropped.length) trimmed.set(channel, dropped.at(-1)!.id);
    logs.set(channel, log);
    head = Math.max(head, n);
    return e;
  };
  return { source, publish, reads };
}

Deno.test("merged feed: a catch-up longer than a page delivers every channel in one id order", async () => {
  const store = arrayStore(2);
  const feed = new MergedFeed(store.source, id(0));
  const got: number[] = [];
  feed.add("a", (e) => got.push(e.data as number), id(0));
  feed.add("b", (e) => got.push(e.data as number), id(0));
  for (const n of [1, 2, 3, 7, 8]) store.publish("a", n);
  for (const n of [4, 5, 6]) store.publish("b", n);
  // a's first page ends at 2, b's at 5: delivering 4 and 5 before reading
  // a's next page would lose 3. The cut stops at 2, then at 5.
  await feed.catchUp();
  assert.deepStrictEqual(got, [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.ok(store.reads.length > 1, "it read in several passes");
  feed.close();
});

Deno.test("merged feed: a new channel starts after its since; live events wait for a running catch-up", async () => {
  const store = arrayStore(10);
  const feed = new MergedFeed(store.source, id(0));
  const got: string[] = [];
  const listener = (e: HeraldEvent) => got.push(`${e.channel}${e.data}`);
  store.publish("a", 1);
  store.publish("b", 2);
  feed.add("a", listener, id(0));
  feed.add("b", listener, id(2)); // subscribed when the head was 2
  store.publish("b", 3);
  const running = feed.catchUp();
  feed.offer(store.publish("a", 4)); // live while catching up: waits
  await running;
  assert.deepStrictEqual(got, ["a1", "b3", "a4"]);
  feed.offer({ ...store.publish("b", 5) });
  feed.offer({ ...store.publish("b", 3) }); // already delivered: dropped
  assert.deepStrictEqual(got, ["a1", "b3", "a4", "b5"]);
  feed.close();
});

Deno.test("merged feed: a catch-up past trimmed history tells that channel's subscribers first, then delivers what is left", async () => {
  const store = arrayStore(3, 3);
  const feed = new MergedFeed(store.source, id(0));
  const got: string[] = [];
  const listener = (e: HeraldEvent) => got.push(`${e.channel}${e.data}`);
  const lostA = (info: LostEvents) =>
    got.push(
      `lost ${info.channel} after ${info.after} through ${info.trimmedThrough}`,
    );
  feed.add("a", listener, id(0), lostA);
  feed.add("b", listener, id(0), () => got.push("lost b"));
  feed.offer(store.publish("a", 1)); // live
  // Between two catch-ups: a gets 5 events, history keeps 3; b gets 2.
  for (const n of [2, 3, 4, 5, 6]) store.publish("a", n);
  for (const n of [7, 8]) store.publish("b", n);
  await feed.catchUp();
  assert.deepStrictEqual(got, [
    "a1",
    `lost a after ${id(1)} through ${id(3)}`,
    "a4",
    "a5",
    "a6",
    "b7",
    "b8",
  ]);
  // Nothing more was trimmed past the feed: no second notice.
  store.publish("a", 9);
  await feed.catchUp();
  assert.deepStrictEqual(got.slice(7), ["a9"]);
  feed.close();
});

Deno.test("merged feed: a store that read only part of its change feed (through) gets the rest in the next pass, in one id order", async () => {
  const store = arrayStore(10);
  const { readAfter } = store.source;
  // Like the kv store with more events than one page of its change feed:
  // the feed page covers 2 ids past the oldest position; a channel that did
  // not move within it is not read at all.
  const source: FeedSource = {
    ...store.source,
    readAfter: async (positions, head) => {
      const { pages } = await readAfter(positions, head);
      const from = positions.map((p) => p.after).sort()[0];
      const through = id(Math.min(Number(from) + 2, Number(head)));
      return {
        pages: pages.map((page) =>
          page.some((e) => e.id <= through) ? page : []
        ),
        through,
      };
    },
  };
  const feed = new MergedFeed(source, id(0));
  const got: number[] = [];
  feed.add("a", (e) => got.push(e.data as number), id(0));
  feed.add("b", (e) => got.push(e.data as number), id(0));
  // Pass 1 covers ids 1–2 (only a moved), pass 2 ids 3–4 (only b), pass 3 the rest.
  for (const n of [1, 2, 5]) store.publish("a", n);
  for (const n of [3, 4, 6]) store.publish("b", n);
  await feed.catchUp();
  assert.deepStrictEqual(got, [1, 2, 3, 4, 5, 6]);
  assert.strictEqual(store.reads.length, 3, "three passes of two ids each");
  feed.close();
});
