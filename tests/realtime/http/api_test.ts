import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { SseReader } from "../../_support/sse_parser.ts";
import { streamErrorResponse } from "../../../lib/realtime/http/event_stream.ts";
import { HttpError } from "../../../lib/http/error.ts";
import { HeraldLog } from "../../../lib/realtime/observe.ts";
import { createBroker } from "../../../lib/realtime/brokers/create.ts";
import { CountingBroker, publishJson, startApi } from "../_helpers.ts";

async function expectError(
  res: Response | Promise<Response>,
  status: number,
  code: string,
): Promise<Response> {
  const r = await res;
  const body = await r.json();
  assertEquals(
    { status: r.status, code: body.error?.code },
    { status, code },
    JSON.stringify(body),
  );
  assert(typeof body.error.message === "string" && body.error.message !== "");
  return r;
}

const json = (body: string, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body,
});

Deno.test("publish answers 201 {id, channel} and history returns it", async () => {
  await using api = await startApi();
  const res = await fetch(
    `${api.url}/api/channels/room:1/messages`,
    json('{"event":"chat","data":{"text":"hi"}}'),
  );
  assertEquals(res.status, 201);
  const { id, channel } = await res.json();
  assertEquals(channel, "room:1");
  const history = await (await fetch(`${api.url}/api/channels/room:1/messages`))
    .json();
  assertEquals(history.channel, "room:1");
  assertEquals(history.events.length, 1);
  assertEquals(history.events[0].id, id);
  assertEquals(history.events[0].event, "chat");
  assertEquals(history.events[0].data, { text: "hi" });
});

Deno.test("history honours after and limit", async () => {
  await using api = await startApi();
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) {
    ids.push((await publishJson(api.url, "h", { data: i })).id);
  }
  const read = async (query: string) =>
    (await (await fetch(`${api.url}/api/channels/h/messages?${query}`)).json())
      .events.map((e: { data: number }) => e.data);
  assertEquals(await read("limit=3"), [7, 8, 9]);
  assertEquals(await read(`after=${ids[2]}&limit=3`), [3, 4, 5]);
  assertEquals(await read(`after=${ids[7]}`), [8, 9]);
  assertEquals(await read(""), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

Deno.test("an HTML form post publishes and redirects back with 303", async () => {
  await using api = await startApi();
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    fetch(`${api.url}/api/channels/board/messages`, {
      method: "POST",
      body,
      headers,
      redirect: "manual",
    });
  const viaReferer = await post(
    new URLSearchParams({ text: "hi", who: "al" }),
    {
      referer: `${api.url}/rooms/1?tab=chat`,
    },
  );
  assertEquals(viaReferer.status, 303);
  assertEquals(viaReferer.headers.get("location"), "/rooms/1?tab=chat");
  const form = new FormData();
  form.set("event", "note");
  form.set("data", "plain text");
  form.set("redirect", "/board");
  const viaField = await post(form);
  assertEquals(viaField.headers.get("location"), "/board");
  const foreign = await post(
    new URLSearchParams({ data: "x", redirect: "//evil.example/" }),
    { referer: "https://evil.example/page" },
  );
  assertEquals(foreign.headers.get("location"), "/");
  const events = (await (await fetch(`${api.url}/api/channels/board/messages`))
    .json()).events;
  assertEquals(
    events.map((e: { event: string; data: unknown }) => [e.event, e.data]),
    [
      ["message", { text: "hi", who: "al" }],
      ["note", "plain text"],
      ["message", "x"],
    ],
  );
});

Deno.test("every input error has its status and a JSON error", async () => {
  await using api = await startApi({
    maxPayloadBytes: 100,
    maxChannelsPerStream: 3,
  });
  const u = api.url;
  await expectError(
    fetch(`${u}/api/channels/bad%20name/events`),
    400,
    "invalid_channel",
  );
  await expectError(
    fetch(`${u}/api/channels/${"x".repeat(129)}/messages`),
    400,
    "invalid_channel",
  );
  await expectError(
    fetch(`${u}/api/channels/ok/messages`, json('{"data":1,"event":"a b"}')),
    400,
    "invalid_event",
  );
  await expectError(
    fetch(`${u}/api/channels/ok/messages`, json('{"data":1,"event":"gap"}')),
    400,
    "invalid_event",
  );
  await expectError(
    fetch(`${u}/api/channels/ok/events`, {
      headers: { "last-event-id": "nope" },
    }),
    400,
    "invalid_last_event_id",
  );
  await expectError(
    fetch(`${u}/api/events?channel=a&lastEventId=12`),
    400,
    "invalid_last_event_id",
  );
  await expectError(
    fetch(
      `${u}/api/channels/ok/messages`,
      json('{"data":"' + "x".repeat(200) + '"}'),
    ),
    413,
    "payload_too_large",
  );
  // No Content-Length: the limit still holds while reading the stream.
  const chunked = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < 10; i++) {
        c.enqueue(new TextEncoder().encode('{"data":"' + "y".repeat(50)));
      }
      c.close();
    },
  });
  await expectError(
    fetch(`${u}/api/channels/ok/messages`, { ...json(""), body: chunked }),
    413,
    "payload_too_large",
  );
  await expectError(
    fetch(`${u}/api/channels/ok/messages`, json("{nope")),
    400,
    "invalid_json",
  );
  await expectError(
    fetch(`${u}/api/channels/ok/messages`, json("[1]")),
    400,
    "invalid_body",
  );
  await expectError(
    fetch(`${u}/api/channels/ok/messages`, json('{"event":"x"}')),
    400,
    "missing_data",
  );
  await expectError(
    fetch(`${u}/api/channels/ok/messages`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "hi",
    }),
    415,
    "unsupported_media_type",
  );
  await expectError(
    fetch(`${u}/api/channels/ok/messages`, {
      method: "POST",
      body: new Blob(["{}"]),
    }),
    415,
    "unsupported_media_type",
  );
  const put = await expectError(
    fetch(`${u}/api/channels/ok/messages`, { method: "PUT" }),
    405,
    "method_not_allowed",
  );
  // Fresh's rule: a route with GET also answers HEAD.
  assertEquals(put.headers.get("allow"), "GET, POST, HEAD");
  const del = await expectError(
    fetch(`${u}/api/events?channel=a`, { method: "DELETE" }),
    405,
    "method_not_allowed",
  );
  assertEquals(del.headers.get("allow"), "GET, HEAD");
  await expectError(
    fetch(`${u}/api/events?channel=a&channel=b&channel=c&channel=d`),
    400,
    "too_many_channels",
  );
  await expectError(fetch(`${u}/api/events`), 400, "missing_channel");
  await expectError(
    fetch(`${u}/api/events?channel=a&channel=b!`),
    400,
    "invalid_channel",
  );
  await expectError(
    fetch(`${u}/api/channels/ok/messages?limit=0`),
    400,
    "invalid_limit",
  );
  await expectError(
    fetch(`${u}/api/channels/ok/messages?limit=abc`),
    400,
    "invalid_limit",
  );
  await expectError(
    fetch(`${u}/api/channels/ok/messages?after=zzz`),
    400,
    "invalid_after",
  );
  await expectError(
    fetch(`${u}/api/channels/ok/messages?before=${"x".repeat(100)}`),
    400,
    "invalid_before",
  );
  // lib/access refuses private: channels in open mode: a JSON 4xx, not a stream.
  await expectError(
    fetch(`${u}/api/channels/private:x/events`),
    403,
    "forbidden",
  );
  assertEquals(api.herald.hub.stats().streams, 0);
});

Deno.test("while the broker is down: publish is 503, a stream opens and ends with retry:, health is 503", async () => {
  const broker = new CountingBroker();
  await using api = await startApi({ retryMs: 700 }, broker);
  await broker.close();
  const publish = await expectError(
    fetch(`${api.url}/api/channels/x/messages`, json('{"data":1}')),
    503,
    "broker_unavailable",
  );
  assert(publish.headers.get("retry-after"));
  await expectError(
    fetch(`${api.url}/api/channels/x/messages`),
    503,
    "broker_unavailable",
  );
  const stream = await fetch(`${api.url}/api/channels/x/events`);
  assertEquals(stream.status, 200);
  assertEquals(await new SseReader(stream.body!).rest(), [{
    kind: "retry",
    ms: 700,
  }]);
  const health = await fetch(`${api.url}/api/health`);
  assertEquals(health.status, 503);
  assertEquals((await health.json()).healthy, false);
});

Deno.test("health reports the broker, open streams and channels", async () => {
  await using api = await startApi();
  const stream = await fetch(`${api.url}/api/events?channel=a&channel=b`);
  const res = await fetch(`${api.url}/api/health`);
  assertEquals(res.status, 200);
  assertEquals(await res.json(), {
    broker: "memory",
    healthy: true,
    streams: 1,
    channels: 2,
  });
  await stream.body!.cancel();
});

Deno.test("a stream that cannot open: the client's mistake is its JSON 4xx, a passing failure a retry-only stream (never a 5xx)", async () => {
  const log = new HeraldLog();
  const refused = streamErrorResponse(
    new HttpError(429, "too_many_requests", "too many open streams"),
    1000,
    log,
  );
  assertEquals(refused.status, 429);
  assertEquals((await refused.json()).error.code, "too_many_requests");

  const failed = streamErrorResponse(new Error("store unreachable"), 1000, log);
  assertEquals(log.recent().map((r) => r.message), ["stream not opened"]);
  assertEquals(failed.status, 200);
  assertEquals(await new SseReader(failed.body!).rest(), [{
    kind: "retry",
    ms: 1000,
  }]);
});

Deno.test("kv broker: a publish too large for a KV value is 413, and health stays 200", async () => {
  const dir = await Deno.makeTempDir({ prefix: "herald-kv-" });
  const broker = await createBroker({ broker: "kv", path: `${dir}/h.kv` });
  const api = await startApi({ maxPayloadBytes: 200_000 }, broker);
  const { url } = api;
  try {
    await expectError(
      fetch(
        `${url}/api/channels/news/messages`,
        json(JSON.stringify({ data: "x".repeat(70_000) })),
      ),
      413,
      "payload_too_large",
    );
    const health = await fetch(`${url}/api/health`);
    assertEquals((await health.json()).healthy, true);
    assertEquals(health.status, 200);
  } finally {
    await api[Symbol.asyncDispose]();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("publishing under an EventSource's own event names (error, open) or gap is a 400", async () => {
  await using api = await startApi();
  for (const event of ["error", "open", "gap"]) {
    await expectError(
      fetch(
        `${api.url}/api/channels/news/messages`,
        json(JSON.stringify({ event, data: 1 })),
      ),
      400,
      "invalid_event",
    );
  }
  assertEquals(await api.broker.history("news"), []);
});
