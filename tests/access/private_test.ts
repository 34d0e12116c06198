/**
 * Private stays private, against a real Herald process: the public log
 * channel (page and history) and `/api/health` show no private channel
 * names, addresses or internal errors to callers without the admin token
 * (`HERALD_ADMIN_TOKEN`), who sees the detail; the clock's run cap holds
 * whatever `Last-Event-ID` says; redirects never carry the request's `Host`;
 * a token with an empty `sub` is no user.
 */
import assert from "node:assert/strict";
import { startApp } from "../_support/app.ts";
import {
  requireRedisServer,
  startRedisServer,
} from "../_support/redis_server.ts";
import { SseReader } from "../_support/sse_parser.ts";
import { rawRequest } from "./_http.ts";
import { hsToken, SECRET } from "./_tokens.ts";

const ADMIN = "admin-token-for-tests-0123456789";
const PRIVATE_NAME = /\b(user|private):[A-Za-z0-9_.-]/;

async function logHistory(
  url: string,
  headers: Record<string, string> = {},
  channel = "herald.logs",
): Promise<string> {
  const res = await fetch(
    `${url}/api/channels/${channel}/messages?limit=100`,
    { headers },
  );
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return text;
}

Deno.test("token mode: the public log channel and page show no private channel names; the admin sees them", async () => {
  await using app = await startApp({
    env: {
      HERALD_BROKER: "memory",
      HERALD_JWT_SECRET: SECRET,
      HERALD_ADMIN_TOKEN: ADMIN,
      HERALD_FLIGHTS_SIMULATOR: "off",
    },
  });
  const url = app.url;
  const alice = await hsToken({ sub: "alice" });
  const backend = await hsToken({
    sub: "backend",
    herald: { publish: ["private:*", "user:*"] },
  });
  const stream = await fetch(`${url}/api/channels/user:alice/events`, {
    headers: { authorization: `Bearer ${alice}` },
  });
  assert.equal(stream.status, 200);
  for (const channel of ["private:payroll", "user:alice"]) {
    const res = await fetch(`${url}/api/channels/${channel}/messages`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${backend}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ data: { secret: 1 } }),
    });
    assert.equal(res.status, 201, await res.text());
  }
  // The public log tells what happened (two publishes) without the names.
  let history = "";
  for (let i = 0; i < 100; i++) {
    history = await logHistory(url);
    if ((history.match(/"published"/g) ?? []).length >= 2) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal((history.match(/"published"/g) ?? []).length, 2, history);
  assert.match(history, /stream opened/);
  assert.doesNotMatch(history, PRIVATE_NAME, history.slice(0, 2000));
  // The admin's view has the detail.
  let detail = "";
  for (let i = 0; i < 100 && !detail.includes("user:alice"); i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 100));
    detail = await logHistory(
      url,
      { authorization: `Bearer ${ADMIN}` },
      "private:herald.logs",
    );
  }
  assert.match(detail, /private:payroll/);
  assert.match(detail, /user:alice/);
  const page = await (await fetch(`${url}/logs`)).text();
  assert.match(page, /published/);
  assert.doesNotMatch(page, PRIVATE_NAME);
  // The detail channel is closed to everyone else.
  const denied = await fetch(
    `${url}/api/channels/private:herald.logs/messages`,
  );
  assert.equal(denied.status, 401);
  await denied.body?.cancel();
  // A wrong admin token is no admin (and, here, not a valid JWT either).
  const wrong = await fetch(
    `${url}/api/channels/private:herald.logs/messages`,
    {
      headers: { authorization: `Bearer ${ADMIN}x` },
    },
  );
  assert.equal(wrong.status, 401);
  await wrong.body?.cancel();
  await stream.body?.cancel();
});

Deno.test("open mode: a visitor's own feed is not named in the public log", async () => {
  await using app = await startApp({
    env: { HERALD_BROKER: "memory", HERALD_FLIGHTS_SIMULATOR: "off" },
  });
  const url = app.url;
  const page = await fetch(`${url}/about`);
  await page.body?.cancel();
  const cookie = page.headers.get("set-cookie")!.split(";")[0];
  const res = await fetch(`${url}/notifications`, {
    method: "POST",
    headers: {
      cookie,
      "content-type": "application/json",
      accept: "application/json",
    },
    body: JSON.stringify({ message: "just me", kind: "info", to: "me" }),
  });
  const { channel } = await res.json();
  assert.equal(res.status, 201);
  assert.match(channel, /^user:anon-/);
  let history = "";
  for (let i = 0; i < 100 && !history.includes('"published"'); i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 100));
    history = await logHistory(url);
  }
  assert.match(history, /"published"/);
  assert.ok(!history.includes(channel), history.slice(0, 2000));
  assert.doesNotMatch(history, PRIVATE_NAME);
});

Deno.test("health and a failed publish show no internal address or error to anyone but the admin", async () => {
  if (!requireRedisServer()) return;
  await using redis = await startRedisServer();
  await using app = await startApp({
    env: {
      HERALD_BROKER: "redis",
      REDIS_URL: redis.url,
      HERALD_ADMIN_TOKEN: ADMIN,
      HERALD_FLIGHTS_SIMULATOR: "off",
    },
  });
  const url = app.url;
  const port = String(new URL(redis.url).port);
  await redis.stop();
  let text = "";
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${url}/api/health`);
    text = await res.text();
    if (res.status === 503) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(JSON.parse(text).healthy, false, text);
  // The broker's reason (a driver's error, an address) is for the admin only.
  assert.equal(JSON.parse(text).detail, undefined, text);
  assert.ok(!text.includes(port), text);
  assert.ok(!text.includes("127.0.0.1"), text);
  assert.doesNotMatch(text, /ECONNREFUSED/i);

  const admin = await fetch(`${url}/api/health`, {
    headers: { authorization: `Bearer ${ADMIN}` },
  });
  const detail = await admin.text();
  assert.equal(admin.status, 503);
  assert.ok(JSON.parse(detail).detail, detail);

  // Nor does a failed publish.
  const publish = await fetch(`${url}/api/channels/news/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ data: 1 }),
  });
  const error = await publish.text();
  assert.equal(publish.status, 503, error);
  assert.ok(!error.includes(port), error);
  assert.ok(!error.includes("127.0.0.1"), error);
});

Deno.test("the clock's cap holds whatever Last-Event-ID a client sends", async () => {
  await using app = await startApp({ env: { HERALD_BROKER: "memory" } });
  const tenHours = Date.now() + 10 * 3600 * 1000;
  const res = await fetch(`${app.url}/api/clock`, {
    headers: { "last-event-id": `${tenHours}-0` },
  });
  assert.equal(res.status, 200);
  const sse = new SseReader(res.body!);
  const tick = await sse.nextEvent();
  await sse.cancel();
  const { remaining } = JSON.parse(tick!.data);
  assert.ok(remaining <= 3600, `the run lasts ${remaining} s more`);
});

Deno.test("a trailing-slash redirect never carries the request's Host", async () => {
  await using app = await startApp({ env: { HERALD_BROKER: "memory" } });
  for (const path of ["/about/", "/chat/?x=1", "//evil.example/"]) {
    const answer = await rawRequest(
      app.port,
      `GET ${path} HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n`,
    );
    assert.equal(answer.status, 308, answer.head);
    const location = /\r\nlocation: ([^\r\n]*)/i.exec(answer.head)?.[1] ?? "";
    assert.ok(location.startsWith("/"), `${path} → ${location}`);
    assert.ok(!location.startsWith("//"), `${path} → ${location}`);
    assert.ok(!location.includes("evil.example/") || path.startsWith("//"));
    assert.equal(
      new URL(location, `http://127.0.0.1:${app.port}/`).host,
      `127.0.0.1:${app.port}`,
      `${path} → ${location}`,
    );
  }
});

Deno.test('a token with "sub": "" is no user: it cannot read the channel "user:"', async () => {
  await using app = await startApp({
    env: { HERALD_BROKER: "memory", HERALD_JWT_SECRET: SECRET },
  });
  const empty = await hsToken({ sub: "" });
  for (const path of ["events", "messages"]) {
    const res = await fetch(`${app.url}/api/channels/user:/${path}`, {
      headers: { authorization: `Bearer ${empty}` },
    });
    // A 200 here would be an open stream: never read it to its end.
    const text = res.status === 200 ? "(a stream)" : await res.text();
    await res.body?.cancel().catch(() => {});
    assert.equal(res.status, 403, `${path}: ${res.status} ${text}`);
  }
});
