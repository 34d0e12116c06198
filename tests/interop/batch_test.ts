/**
 * Batch publish (`POST /api/messages`) against a real Herald process: one
 * result per item in order, each item under the single publish's policy,
 * app-channel guard and rate (a batch of N costs N), and bounded bodies.
 *
 * @module
 */
import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { startHerald } from "../realtime/process/_servers.ts";
import { hsToken, SECRET } from "../access/_tokens.ts";

function batch(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${url}/api/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

Deno.test("a batch answers one result per item, in order, each under the publish policy", async () => {
  await using server = await startHerald({
    HERALD_BROKER: "memory",
    HERALD_JWT_SECRET: SECRET,
    HERALD_BATCH_MAX: "8",
  });
  const token = await hsToken({
    sub: "backend",
    herald: { publish: ["news", "room:*", "chat:*"], subscribe: ["*"] },
  });
  const auth = { authorization: `Bearer ${token}` };
  const res = await batch(server.url, [
    { channel: "news", data: { n: 1 } },
    { channel: "room:1", event: "chat", data: "hi" },
    { channel: "secret", data: 1 }, // not in the token's publish patterns
    { channel: "bad name", data: 1 },
    { channel: "chat:lobby", data: 1 }, // app-owned
    { channel: "news" }, // no data
    { channel: "news", event: "gap", data: 1 }, // reserved event
    { channel: "news", data: { n: 2 } },
  ], auth);
  assertEquals(res.status, 200);
  const { results } = await res.json();
  const shape = results.map((r: { id?: string; error?: { code: string } }) =>
    r.error ? r.error.code : "ok"
  );
  assertEquals(shape, [
    "ok",
    "ok",
    "forbidden",
    "invalid_channel",
    "app_owned_channel",
    "missing_data",
    "invalid_event",
    "ok",
  ]);
  assertEquals(results[1].channel, "room:1");
  assert(results[0].id < results[7].id, "ids follow the items' order");
  const news = await (await fetch(`${server.url}/api/channels/news/messages`, {
    headers: auth,
  })).json();
  assertEquals(news.events.map((e: { id: string }) => e.id), [
    results[0].id,
    results[7].id,
  ]);
  const room = await (await fetch(
    `${server.url}/api/channels/room:1/messages`,
    { headers: auth },
  )).json();
  assertEquals(room.events[0].event, "chat");

  // Whole-request refusals.
  const codeOf = async (r: Response) => [r.status, (await r.json()).error.code];
  // No token: each item is refused as a single publish would be.
  const anonymous = await batch(server.url, [{ channel: "news", data: 1 }]);
  assertEquals((await anonymous.json()).results[0].error.code, "unauthorized");
  // A forged token: the whole request.
  assertEquals(
    await codeOf(
      await batch(server.url, [{ channel: "news", data: 1 }], {
        authorization: `Bearer ${token}x`,
      }),
    ),
    [401, "token_signature"],
  );
  const nine = Array.from({ length: 9 }, () => ({ channel: "news", data: 1 }));
  assertEquals(await codeOf(await batch(server.url, nine, auth)), [
    413,
    "batch_too_large",
  ]);
  assertEquals(await codeOf(await batch(server.url, [], auth)), [
    400,
    "invalid_batch",
  ]);
  assertEquals(
    await codeOf(await batch(server.url, { channel: "news", data: 1 }, auth)),
    [400, "invalid_batch"],
  );
  assertEquals(await codeOf(await batch(server.url, "[{", auth)), [
    400,
    "invalid_json",
  ]);
  const untyped = await fetch(`${server.url}/api/messages`, {
    method: "POST",
    headers: auth,
    body: new TextEncoder().encode("[]"),
  });
  assertEquals(await codeOf(untyped), [415, "unsupported_media_type"]);
  const huge = JSON.stringify([{ channel: "news", data: "x".repeat(70_000) }]);
  assertEquals(await codeOf(await batch(server.url, huge, auth)), [
    413,
    "payload_too_large",
  ]);
  assertEquals(
    (await (await fetch(`${server.url}/api/channels/news/messages`, {
      headers: auth,
    })).json()).events.length,
    2,
    "no refused batch published anything",
  );
});

Deno.test("a batch of N costs N of the publish allowance", async () => {
  await using server = await startHerald({
    HERALD_BROKER: "memory",
    HERALD_PUBLISH_RATE_IP: "0.01",
    HERALD_PUBLISH_BURST_IP: "3",
  });
  const items = Array.from({ length: 5 }, (_, i) => ({
    channel: "rated",
    data: i,
  }));
  const res = await batch(server.url, items);
  assertEquals(res.status, 200);
  assert(Number(res.headers.get("retry-after")) >= 1);
  const { results } = await res.json();
  assertEquals(
    results.map((r: { error?: { code: string } }) => r.error?.code ?? "ok"),
    ["ok", "ok", "ok", "too_many_requests", "too_many_requests"],
  );
  const single = await fetch(`${server.url}/api/channels/rated/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: '{"data":1}',
  });
  assertEquals(single.status, 429, "the batch used up the allowance");
  await single.body?.cancel();
});
