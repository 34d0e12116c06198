/**
 * A subscription's `since` (lib/client/cursor.ts, catch_up.ts and
 * lib/app/page/since.ts): the seam between the server-rendered state and the
 * live stream, in its pure parts. The page stream catching up against a
 * real server is in client_stream_test.ts, in Chromium in
 * client_browser_test.ts.
 *
 * @module
 */
import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { SubscriptionCursor } from "../../lib/client/cursor.ts";
import { CATCH_UP_LIMIT, readSince } from "../../lib/client/catch_up.ts";
import type { HistoryQuery } from "../../lib/client/history.ts";
import { BEFORE_ANY_EVENT, renderSince } from "../../lib/app/page/since.ts";
import { MemoryBroker } from "../../lib/realtime/brokers/memory.ts";
import type { HeraldEvent } from "../../lib/realtime/types.ts";

function ev(id: string, channel = "a", event = "message"): HeraldEvent {
  return { id, channel, event, data: { n: id }, time: 1 };
}

const ids = (events: HeraldEvent[]) => events.map((e) => e.id);

Deno.test("cursor: holds live events while catching up, then merges them with history once, in order", () => {
  const cursor = new SubscriptionCursor("0005");
  assert(cursor.catchingUp);
  assertEquals(cursor.live(ev("0009")), []);
  assertEquals(cursor.live(ev("0007", "b")), []);
  assertEquals(cursor.live(ev("0004")), [], "at or below since: rendered");
  const handed = cursor.caughtUp([ev("0006"), ev("0009"), ev("0005")]);
  assertEquals(ids(handed), ["0006", "0007", "0009"]);
  assert(!cursor.catchingUp);
  assertEquals(cursor.live(ev("0009")), [], "a late live copy of history");
  assertEquals(ids(cursor.live(ev("0010"))), ["0010"]);
  assertEquals(ids(cursor.live(ev("0008", "b"))), ["0008"], "per channel");
  assertEquals(cursor.live(ev("0008", "b")), []);
});

Deno.test("cursor: giving up hands over the held live events only", () => {
  const cursor = new SubscriptionCursor("0005");
  cursor.live(ev("0008"));
  cursor.live(ev("0003"));
  assertEquals(ids(cursor.gaveUp()), ["0008"]);
  assertEquals(ids(cursor.live(ev("0009"))), ["0009"]);
});

Deno.test("cursor without since: live events at once, a replayed id never twice", () => {
  const cursor = new SubscriptionCursor();
  assert(!cursor.catchingUp);
  assertEquals(ids(cursor.live(ev("0002"))), ["0002"]);
  assertEquals(ids(cursor.live(ev("0001", "b"))), ["0001"]);
  assertEquals(cursor.live(ev("0002")), [], "a replay after a reconnect");
  assertEquals(cursor.live(ev("0001")), []);
  assertEquals(ids(cursor.live(ev("0003"))), ["0003"]);
});

Deno.test("readSince: reads each channel after since; a full answer or a failed read is a gap", async () => {
  const asked: [string, HistoryQuery][] = [];
  const store: Record<string, HeraldEvent[]> = {
    a: [ev("0006"), ev("0008")],
    b: [ev("0007", "b")],
  };
  const read = (channel: string, query: HistoryQuery) => {
    asked.push([channel, query]);
    return Promise.resolve(store[channel] ?? []);
  };
  const missed = await readSince(["a", "b"], "0005", read);
  assert(missed !== "gap");
  assertEquals(ids(missed).sort(), ["0006", "0007", "0008"]);
  assertEquals(asked, [
    ["a", { after: "0005", limit: CATCH_UP_LIMIT }],
    ["b", { after: "0005", limit: CATCH_UP_LIMIT }],
  ]);
  assertEquals(await readSince(["a", "b"], "0005", read, 2), "gap");
  const failing = () => Promise.reject(new Error("HTTP 503"));
  const errors = console.error;
  console.error = () => {};
  try {
    assertEquals(await readSince(["a"], "0005", failing), "gap");
  } finally {
    console.error = errors;
  }
});

Deno.test("renderSince: the head when there is one, else a position below every id", async () => {
  const broker = new MemoryBroker();
  try {
    const empty = await renderSince(broker);
    assertEquals(empty, BEFORE_ANY_EVENT);
    const first = await broker.publish("a", { data: 1 });
    assert(first.id > empty);
    assertEquals(await renderSince(broker), first.id);
  } finally {
    await broker.close();
  }
});
