/**
 * The page stream (lib/client/stream.ts) in one tab, against a real local
 * SSE server with Deno's EventSource: the URL carries the union of the
 * islands' channels, a new channel reopens the stream from the last event
 * id, duplicate ids reach an island once, a gap reloads only the islands of
 * its channel, and the last unsubscribe closes the connection.
 *
 * @module
 */
import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { PageStream } from "../../lib/client/stream.ts";
import { fetchHistory } from "../../lib/client/history.ts";
import type { HeraldEvent } from "../../lib/realtime/types.ts";
import { waitFor } from "../_support/wait.ts";

function envelope(id: string, channel: string, event = "message") {
  const e: HeraldEvent = { id, channel, event, data: { n: id }, time: 1 };
  const name = event === "message" ? "" : `event: ${event}\n`;
  return `id: ${id}\n${name}data: ${JSON.stringify(e)}\n\n`;
}

Deno.test("page stream: union of channels, resume, dedupe, gap, close", async () => {
  const urls: URL[] = [];
  const open = new Set<ReadableStreamDefaultController<Uint8Array>>();
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (req) => {
      const url = new URL(req.url);
      urls.push(url);
      const body = urls.length === 1
        ? "retry: 60000\n\n" + envelope("0001", "a") + envelope("0001", "a") +
          'event: gap\ndata: {"channel":"b"}\n\n' +
          'event: gap\ndata: {"channel":"a"}\n\n' +
          envelope("0002", "a", "typing")
        : "retry: 60000\n\n" + envelope("0003", "b");
      let ctl!: ReadableStreamDefaultController<Uint8Array>;
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          ctl = c;
          open.add(c);
          c.enqueue(new TextEncoder().encode(body));
        },
        cancel() {
          open.delete(ctl);
        },
      });
      return new Response(stream, {
        headers: { "content-type": "text/event-stream" },
      });
    },
  );
  const stream = new PageStream({
    endpoint: `http://127.0.0.1:${server.addr.port}/api/events`,
    shareTabs: false,
  });
  const gotA: string[] = [];
  const gotB: string[] = [];
  let gapsA = 0;
  let gapsB = 0;
  try {
    const stopA = stream.subscribe({
      channels: ["a"],
      onEvent: (e) => gotA.push(e.id),
      onGap: () => gapsA++,
    });
    await waitFor(() => gapsA === 1 && gotA.length === 1, "a's events");
    assertEquals(urls[0].searchParams.getAll("channel"), ["a"]);
    assertEquals(gotA, ["0001"], "the duplicate id is dropped");
    assertEquals(stream.status.value, "open");
    assertEquals(stream.lastEventId.value, "0001");

    const stopB = stream.subscribe({
      channels: ["b"],
      onEvent: (e) => gotB.push(e.id),
      onGap: () => gapsB++,
    });
    await waitFor(() => gotB.length === 1, "b's event");
    assertEquals(urls.length, 2);
    assertEquals(urls[1].searchParams.getAll("channel"), ["a", "b"]);
    assertEquals(urls[1].searchParams.get("lastEventId"), "0001");
    assertEquals([gotA, gotB, gapsA, gapsB], [["0001"], ["0003"], 1, 0]);

    stopA();
    stopB();
    await waitFor(() => stream.status.value === "closed", "closed when unused");
    await waitFor(() => open.size === 0, "the server's streams to end");
    assert(urls.length === 2, "no further connection");
  } finally {
    stream.dispose();
    for (const c of open) c.close();
    await server.shutdown();
  }
});

function ev(id: string, event = "message"): HeraldEvent {
  return { id, channel: "a", event, data: { n: id }, time: 1 };
}

Deno.test("page stream with since: history is read once the stream is open, merged with live events, each once", async () => {
  const log: string[] = [];
  const open = new Set<ReadableStreamDefaultController<Uint8Array>>();
  const encoder = new TextEncoder();
  let eventsUrl: URL | null = null;
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (req) => {
      const url = new URL(req.url);
      if (url.pathname === "/api/channels/a/messages") {
        log.push(`history after=${url.searchParams.get("after")}`);
        // 0007 also comes live: the island must get it once.
        return Response.json({
          channel: "a",
          events: [ev("0006"), ev("0007"), ev("0006", "typing")],
        });
      }
      log.push("events");
      eventsUrl = url;
      let ctl!: ReadableStreamDefaultController<Uint8Array>;
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          ctl = c;
          open.add(c);
          c.enqueue(encoder.encode(
            "retry: 60000\n\n" + envelope("0004", "a") + envelope("0007", "a"),
          ));
        },
        cancel() {
          open.delete(ctl);
        },
      });
      return new Response(body, {
        headers: { "content-type": "text/event-stream" },
      });
    },
  );
  const origin = `http://127.0.0.1:${server.addr.port}`;
  const stream = new PageStream({
    endpoint: `${origin}/api/events`,
    shareTabs: false,
    readHistory: (channel, query) =>
      fetchHistory(channel, { ...query, origin }),
  });
  const got: string[] = [];
  const typing: string[] = [];
  const later: string[] = [];
  try {
    const stop = stream.subscribe({
      channels: ["a"],
      since: "0005",
      onEvent: (e) => got.push(e.id),
    });
    // Another island rendered with the same page: one history read serves both.
    const stopTyping = stream.subscribe({
      channels: ["a"],
      events: ["typing"],
      since: "0005",
      onEvent: (e) => typing.push(e.id),
    });
    await waitFor(() => got.length === 2 && typing.length === 1, "catch-up");
    assertEquals(log, ["events", "history after=0005"], "read after opening");
    assertEquals(eventsUrl!.searchParams.get("lastEventId"), "0005");
    assertEquals([got, typing], [["0006", "0007"], ["0006"]]);
    stopTyping();

    // Live from here on; a subscription without since gets only what is new.
    const stopLater = stream.subscribe({
      channels: ["a"],
      onEvent: (e) => later.push(e.id),
    });
    for (const c of open) c.enqueue(encoder.encode(envelope("0009", "a")));
    await waitFor(() => got.length === 3 && later.length === 1, "0009");
    assertEquals([got, later], [["0006", "0007", "0009"], ["0009"]]);
    assertEquals(log.length, 2, "no further request");
    stop();
    stopLater();
    await waitFor(() => stream.status.value === "closed", "closed when unused");
    await waitFor(() => open.size === 0, "the server's stream to end");
  } finally {
    stream.dispose();
    for (const c of open) c.close();
    await server.shutdown();
  }
});

Deno.test("an event the server names `error` is data, not a broken connection", async () => {
  let requests = 0;
  const open = new Set<ReadableStreamDefaultController<Uint8Array>>();
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    () => {
      requests++;
      let ctl!: ReadableStreamDefaultController<Uint8Array>;
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          ctl = c;
          open.add(c);
          c.enqueue(
            new TextEncoder().encode(
              "retry: 60000\n\n" + envelope("0001", "a", "error") +
                envelope("0002", "a"),
            ),
          );
        },
        cancel() {
          open.delete(ctl);
        },
      });
      return new Response(stream, {
        headers: { "content-type": "text/event-stream" },
      });
    },
  );
  const stream = new PageStream({
    endpoint: `http://127.0.0.1:${server.addr.port}/api/events`,
    shareTabs: false,
  });
  const got: string[] = [];
  try {
    stream.subscribe({
      channels: ["a"],
      events: ["message", "error"],
      onEvent: (e) => got.push(`${e.event}:${e.id}`),
    });
    await waitFor(() => got.length === 2, "both events");
    assertEquals(got, ["error:0001", "message:0002"]);
    assertEquals(stream.status.value, "open");
    assertEquals(requests, 1, "no reconnect");
  } finally {
    stream.dispose();
    for (const c of open) c.close();
    await server.shutdown();
  }
});
