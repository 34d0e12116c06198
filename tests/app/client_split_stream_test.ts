/**
 * The page stream past the channels-per-stream cap (lib/client/stream.ts with
 * packing.ts), in one tab against a real local SSE server that sends each event
 * on every open stream carrying its channel, as Herald does: subscriptions
 * spread over the fewest connections, each event reaches a subscription once,
 * a subscription moved to another connection resumes from where its old one
 * was, and one too large for any stream is refused alone.
 *
 * @module
 */
import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { PageStream } from "../../lib/client/stream.ts";
import type { HeraldEvent } from "../../lib/realtime/types.ts";
import { waitFor } from "../_support/wait.ts";

interface OpenStream {
  channels: string[];
  lastEventId: string | null;
  send(text: string): void;
  closed: boolean;
}

function envelope(id: string, channel: string) {
  const e: HeraldEvent = { id, channel, event: "message", data: {}, time: 1 };
  return `id: ${id}\ndata: ${JSON.stringify(e)}\n\n`;
}

/** Herald's shape: each event to every open stream of its channel; a resume replays after its id. */
function sseServer() {
  const streams: OpenStream[] = [];
  const history: { id: string; channel: string }[] = [];
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (req) => {
      const url = new URL(req.url);
      const encoder = new TextEncoder();
      const entry: OpenStream = {
        channels: url.searchParams.getAll("channel"),
        lastEventId: url.searchParams.get("lastEventId"),
        send: () => {},
        closed: false,
      };
      streams.push(entry);
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          entry.send = (text) => c.enqueue(encoder.encode(text));
          c.enqueue(encoder.encode("retry: 60000\n\n"));
          for (const e of history) {
            if (
              entry.lastEventId && e.id > entry.lastEventId &&
              entry.channels.includes(e.channel)
            ) entry.send(envelope(e.id, e.channel));
          }
        },
        cancel() {
          entry.closed = true;
        },
      });
      return new Response(body, {
        headers: { "content-type": "text/event-stream" },
      });
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/api/events`,
    streams,
    open: () => streams.filter((s) => !s.closed),
    /** Publishes: every open stream carrying the channel gets the event (or `only` that one, the others lag). */
    publish(id: string, channel: string, only?: OpenStream) {
      history.push({ id, channel });
      for (const s of streams) {
        if (only && s !== only) continue;
        if (!s.closed && s.channels.includes(channel)) {
          s.send(envelope(id, channel));
        }
      }
    },
    shutdown: () => server.shutdown(),
  };
}

Deno.test("page stream past the cap: the fewest connections, each event once, moves resume, a too-large subscription refused alone", async () => {
  const server = sseServer();
  const stream = new PageStream({
    endpoint: server.url,
    shareTabs: false,
    maxChannelsPerConnection: 3,
  });
  const got: Record<string, string[]> = { ab: [], cd: [], e: [] };
  const errors: string[] = [];
  const on = (name: string) => (e: HeraldEvent) => got[name].push(e.id);
  try {
    const stopAb = stream.subscribe({
      channels: ["a", "b"],
      onEvent: on("ab"),
    });
    stream.subscribe({ channels: ["c", "d"], onEvent: on("cd") });
    stream.subscribe({ channels: ["e"], onEvent: on("e") });
    stream.subscribe({
      channels: ["w", "x", "y", "z"],
      onEvent: () => {},
      onError: (message) => errors.push(message),
    });
    await waitFor(
      () => server.open().length === 2 && stream.status.value === "open",
      "two connections open",
    );
    // [a,b] and [c,d] cannot share 3; [e] joins the first that fits.
    assertEquals(server.open().map((s) => s.channels), [["a", "b", "e"], [
      "c",
      "d",
    ]]);
    assertEquals(errors.length, 1);
    assert(errors[0].includes("at most 3"), errors[0]);

    server.publish("0001", "a");
    server.publish("0002", "d");
    server.publish("0003", "e");
    await waitFor(() => got.e.length === 1, "e's event");
    await waitFor(() => got.ab.length + got.cd.length === 2, "the others");
    assertEquals(got, { ab: ["0001"], cd: ["0002"], e: ["0003"] });

    // [a,b] leaves: [c,d] and [e] fit one connection now. The first takes
    // [c,d] over and resumes from the older of the two positions (0002): the
    // replayed 0003 reaches [e] no second time.
    stopAb();
    await waitFor(() => server.open().length === 1, "one connection left");
    const [left] = server.open();
    assertEquals([left.channels, left.lastEventId], [["c", "d", "e"], "0002"]);
    server.publish("0004", "c");
    server.publish("0005", "e");
    await waitFor(
      () => got.e.length === 2 && got.cd.length === 2,
      "after the move",
    );
    assertEquals(got, {
      ab: ["0001"],
      cd: ["0002", "0004"],
      e: ["0003", "0005"],
    });
    assertEquals(stream.status.value, "open");
  } finally {
    stream.dispose();
    await server.shutdown();
  }
});

Deno.test("page stream past the cap: a subscription moving to a connection that is further on resumes it from where the old one was", async () => {
  const server = sseServer();
  const stream = new PageStream({
    endpoint: server.url,
    shareTabs: false,
    maxChannelsPerConnection: 4,
  });
  const got: Record<string, string[]> = { ade: [], a: [] };
  const on = (name: string) => (e: HeraldEvent) => got[name].push(e.id);
  try {
    const stopAbc = stream.subscribe({
      channels: ["a", "b", "c"],
      onEvent: () => {},
    });
    stream.subscribe({ channels: ["a", "d", "e"], onEvent: on("ade") });
    stream.subscribe({ channels: ["a"], onEvent: on("a") });
    await waitFor(
      () => server.open().length === 2 && stream.status.value === "open",
      "two connections open",
    );
    // [a] shares the first connection with [a,b,c].
    const [first, second] = server.open();
    assertEquals([first.channels, second.channels], [["a", "b", "c"], [
      "a",
      "d",
      "e",
    ]]);
    server.publish("0001", "a");
    await waitFor(() => got.a.length === 1 && got.ade.length === 1, "0001");
    // The first connection lags: 0002 reached only the second so far.
    server.publish("0002", "a", second);
    await waitFor(() => got.ade.length === 2, "0002 on the second");

    // [a,b,c] leaves: [a] joins [a,d,e] on the second connection, whose
    // channels stay the same; it reopens from 0001, so [a] gets 0002 too.
    stopAbc();
    await waitFor(() => server.open().length === 1, "one connection left");
    const [left] = server.open();
    assertEquals([left.channels, left.lastEventId], [["a", "d", "e"], "0001"]);
    await waitFor(() => got.a.length === 2, "0002 for [a]");
    server.publish("0003", "a");
    await waitFor(() => got.a.length === 3 && got.ade.length === 3, "0003");
    assertEquals(got, {
      ade: ["0001", "0002", "0003"],
      a: ["0001", "0002", "0003"],
    });
  } finally {
    stream.dispose();
    await server.shutdown();
  }
});
