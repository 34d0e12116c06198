/**
 * Unit tests of lib/client's pure parts (backoff, channel sets) and of
 * {@link Connection} against a real local SSE server, with Deno's EventSource.
 * The tab sharing runs in Chromium (client_browser_test.ts).
 *
 * @module
 */
import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { backoffDelay } from "../../lib/client/backoff.ts";
import {
  ChannelSet,
  eventsUrl,
  sameList,
  unionOf,
} from "../../lib/client/channels.ts";
import {
  Connection,
  type StreamRecord,
  type StreamStatus,
} from "../../lib/client/connection.ts";

Deno.test("backoff doubles up to the cap and keeps a random half", () => {
  const low = () => 0;
  const high = () => 0.999999;
  assertEquals(backoffDelay(0, { random: low }), 500);
  assertEquals(backoffDelay(1, { random: low }), 1000);
  assertEquals(backoffDelay(3, { random: low }), 4000);
  assert(backoffDelay(3, { random: high }) < 8000);
  assert(backoffDelay(3, { random: high }) > 7999);
  // The cap holds however many attempts failed.
  assertEquals(backoffDelay(40, { random: low }), 15_000);
  assert(backoffDelay(40, { random: high }) <= 30_000);
  assertEquals(backoffDelay(2, { baseMs: 10, maxMs: 20, random: low }), 10);
});

Deno.test("backoff jitter spreads clients apart", () => {
  const delays = new Set(
    Array.from({ length: 20 }, () => Math.round(backoffDelay(4))),
  );
  assert(delays.size > 10, `only ${delays.size} distinct delays`);
});

Deno.test("channel set counts registrations and releases once", () => {
  const set = new ChannelSet();
  const releaseA = set.add(["room:b", "room:a"]);
  const releaseB = set.add(["room:a"]);
  assertEquals(set.channels(), ["room:a", "room:b"]);
  releaseA();
  releaseA(); // a second call must not release someone else's registration
  assertEquals(set.channels(), ["room:a"]);
  releaseB();
  assertEquals(set.channels(), []);
});

Deno.test("union, comparison and the multi-channel URL", () => {
  assertEquals(unionOf(["b", "a"], ["a", "c"], []), ["a", "b", "c"]);
  assert(sameList(["a", "b"], ["a", "b"]));
  assert(!sameList(["a"], ["a", "b"]));
  assertEquals(
    eventsUrl("/api/events", ["notifications", "user:42"], "0007"),
    "/api/events?channel=notifications&channel=user%3A42&lastEventId=0007",
  );
  assertEquals(eventsUrl("/api/events", ["a"], null), "/api/events?channel=a");
});

/** A tiny SSE server whose answer each request is chosen by `answer`. */
function sseServer(answer: (req: Request, n: number) => Response) {
  let n = 0;
  const requests: Request[] = [];
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (req) => {
      requests.push(req);
      return answer(req, n++);
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/sse`,
    requests,
    close: () => server.shutdown(),
  };
}

function sse(body: string, close = true): Response {
  const bytes = new TextEncoder().encode(body);
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(bytes);
      if (close) c.close();
    },
  });
  return new Response(stream, {
    headers: { "content-type": "text/event-stream" },
  });
}

function waitFor(check: () => boolean, what: string, ms = 10_000) {
  return new Promise<void>((resolve, reject) => {
    const deadline = Date.now() + ms;
    const tick = () => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out: ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

Deno.test("connection delivers named events and stops on 204", async () => {
  const server = sseServer((_req, n) =>
    n === 0
      ? sse(
        "retry: 10\n\nid: 1\nevent: tick\ndata: one\n\nevent: end\ndata: {}\n\n",
      )
      : new Response(null, { status: 204 })
  );
  const got: StreamRecord[] = [];
  const statuses: StreamStatus[] = [];
  const conn = new Connection(() => server.url, {
    events: ["tick"],
    onEvent: (r) => got.push(r),
    onStatus: (s) => statuses.push(s),
    backoff: { baseMs: 10, maxMs: 20 },
  });
  const first = conn.status;
  try {
    await waitFor(() => statuses.includes("closed"), "closed after 204");
    assertEquals(got, [{ name: "tick", id: "1", data: "one" }]);
    assertEquals(first, "connecting");
    assert(statuses.includes("open"));
    const requestsAtClose = server.requests.length;
    await new Promise((r) => setTimeout(r, 200));
    assertEquals(server.requests.length, requestsAtClose, "no retry after 204");
    assert(conn.closed);
  } finally {
    conn.close();
    await server.close();
  }
});

Deno.test("connection retries with backoff after a 503 and resumes", async () => {
  const server = sseServer((_req, n) =>
    n < 3
      ? new Response("busy", { status: 503 })
      : sse("id: 9\ndata: back\n\n", false)
  );
  const got: StreamRecord[] = [];
  let lastId = "";
  const conn = new Connection(() => `${server.url}?lastEventId=${lastId}`, {
    onEvent: (r) => {
      got.push(r);
      lastId = r.id;
    },
    backoff: { baseMs: 10, maxMs: 40 },
  });
  try {
    await waitFor(() => got.length === 1, "event after retries");
    assertEquals(got[0], { name: "message", id: "9", data: "back" });
    assertEquals(conn.status, "open");
  } finally {
    conn.close();
    await server.close();
  }
  assertEquals(conn.status, "closed");
});
