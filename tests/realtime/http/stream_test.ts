import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { EventSource } from "eventsource";
import { SseReader } from "../../_support/sse_parser.ts";
import { CountingBroker, publishJson, startApi, waitFor } from "../_helpers.ts";

Deno.test("EventSource receives what is published, with event names and JSON data", async () => {
  await using api = await startApi();
  const es = new EventSource(`${api.url}/api/channels/news/events`);
  const got: { type: string; data: unknown; id: string }[] = [];
  const record = (e: MessageEvent) =>
    got.push({ type: e.type, data: JSON.parse(e.data), id: e.lastEventId });
  es.addEventListener("message", record);
  es.addEventListener("headline", record);
  try {
    await new Promise((resolve, reject) => {
      es.onopen = resolve;
      es.onerror = reject;
    });
    const a = await publishJson(api.url, "news", { data: { n: 1 } });
    const b = await publishJson(api.url, "news", {
      event: "headline",
      data: "multi\nline",
    });
    await waitFor(() => got.length === 2, "two events");
    assertEquals(got, [
      { type: "message", data: { n: 1 }, id: a.id },
      { type: "headline", data: "multi\nline", id: b.id },
    ]);
  } finally {
    es.close();
  }
  await waitFor(() => api.herald.hub.stats().streams === 0, "stream release");
});

Deno.test("the stream answers with the SSE headers and starts with retry:", async () => {
  await using api = await startApi({ retryMs: 1234 });
  const res = await fetch(`${api.url}/api/channels/news/events`);
  assertEquals(res.status, 200);
  assertEquals(
    res.headers.get("content-type"),
    "text/event-stream; charset=utf-8",
  );
  assertEquals(res.headers.get("cache-control"), "no-cache, no-transform");
  assertEquals(res.headers.get("x-accel-buffering"), "no");
  const sse = new SseReader(res.body!);
  assertEquals(await sse.next(), { kind: "retry", ms: 1234 });
  await sse.cancel();
});

Deno.test("/api/events sends the envelope of every channel asked for", async () => {
  await using api = await startApi();
  const res = await fetch(`${api.url}/api/events?channel=a&channel=b`);
  const sse = new SseReader(res.body!);
  const a = await publishJson(api.url, "a", { data: 1 });
  await publishJson(api.url, "c", { data: "not asked for" });
  const b = await publishJson(api.url, "b", { event: "e", data: { x: 2 } });
  const [ea, eb] = await sse.events(2);
  assertEquals(JSON.parse(ea.data), {
    id: a.id,
    channel: "a",
    event: "message",
    data: 1,
    time: JSON.parse(ea.data).time,
  });
  assertEquals(JSON.parse(eb.data).channel, "b");
  assertEquals(JSON.parse(eb.data).data, { x: 2 });
  assertEquals([ea.id, eb.id], [a.id, b.id]);
  assertEquals(api.herald.hub.stats().channels, 2);
  await sse.cancel();
});

/** Publishes `count` events on `channel` as fast as the API takes them. */
function publishMany(url: string, channel: string, count: number) {
  const ids: string[] = [];
  const done = (async () => {
    for (let i = 0; i < count; i++) {
      ids.push((await publishJson(url, channel, { data: i })).id);
    }
  })();
  return { ids, done };
}

for (
  const how of ["Last-Event-ID header", "lastEventId query parameter"] as const
) {
  Deno.test(`resume with the ${how}: replay then live, no gap, no duplicate, while another task publishes`, async () => {
    await using api = await startApi();
    const publisher = publishMany(api.url, "seam", 150);
    await waitFor(() => publisher.ids.length >= 40, "first events");
    const from = publisher.ids[25];
    const res = how === "Last-Event-ID header"
      ? await fetch(`${api.url}/api/channels/seam/events`, {
        headers: { "last-event-id": from },
      })
      : await fetch(`${api.url}/api/channels/seam/events?lastEventId=${from}`);
    const sse = new SseReader(res.body!);
    await publisher.done;
    const expected = publisher.ids.slice(26);
    const got = await sse.events(expected.length);
    assertEquals(got.map((e) => e.id), expected);
    assertEquals(
      got.map((e) => JSON.parse(e.data)),
      expected.map((_, i) => i + 26),
    );
    await sse.cancel();
  });
}

Deno.test("EventSource reconnects with Last-Event-ID after the server drops it and misses nothing", async () => {
  // The server ends every stream (as a restart or a slow-client cut does);
  // EventSource comes back with Last-Event-ID and is replayed.
  await using api = await startApi({ retryMs: 10 });
  const es = new EventSource(`${api.url}/api/channels/re/events`);
  const got: string[] = [];
  es.onmessage = (e) => got.push(e.lastEventId);
  try {
    await new Promise((r) => es.onopen = r);
    const first = publishMany(api.url, "re", 5);
    await first.done;
    await waitFor(() => got.length === 5, "first five");
    await api.herald.hub.close();
    const second = publishMany(api.url, "re", 5);
    await second.done;
    await waitFor(() => got.length === 10, "all ten after reconnect");
    assertEquals(got, [...first.ids, ...second.ids]);
  } finally {
    es.close();
  }
});

Deno.test("a resume older than the retained history gets event: gap first", async () => {
  await using api = await startApi({}, new CountingBroker({ limit: 5 }));
  const ids: string[] = [];
  for (let i = 0; i < 8; i++) {
    ids.push((await publishJson(api.url, "g", { data: i })).id);
  }
  const res = await fetch(`${api.url}/api/channels/g/events`, {
    headers: { "last-event-id": ids[1] },
  });
  const sse = new SseReader(res.body!);
  const [gap, ...rest] = await sse.events(6);
  assertEquals(gap.event, "gap");
  assertEquals(JSON.parse(gap.data).channel, "g");
  assertEquals(rest.map((e) => e.id), ids.slice(3));
  await sse.cancel();
});
