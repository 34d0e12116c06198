/**
 * `Idempotency-Key` against real Herald processes: a repeated keyed publish
 * (single, form, batch) answers the first result and the event is stored and
 * delivered once, also when the repeats arrive at once and when they reach
 * two processes sharing one KV file or one Redis.
 *
 * @module
 */
import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { SseReader } from "../_support/sse_parser.ts";
import { requireRedis, uniquePrefix } from "../_support/redis.ts";
import type { RunningServer } from "../_support/server.ts";
import { startHerald } from "../realtime/process/_servers.ts";
import { hsToken, SECRET } from "../access/_tokens.ts";

function keyed(
  url: string,
  channel: string,
  data: unknown,
  key: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${url}/api/channels/${channel}/messages`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "idempotency-key": key,
      ...headers,
    },
    body: JSON.stringify({ data }),
  });
}

async function history(url: string, channel: string, headers = {}) {
  const res = await fetch(`${url}/api/channels/${channel}/messages`, {
    headers,
  });
  return (await res.json()).events as { id: string; data: unknown }[];
}

/** Opens a stream; `count()` then reads until a final marker event and counts the rest. */
async function watch(url: string, channel: string) {
  const res = await fetch(`${url}/api/channels/${channel}/events`);
  const sse = new SseReader(res.body!);
  return {
    async untilMarker(publishMarker: () => Promise<unknown>) {
      await publishMarker();
      const seen: string[] = [];
      while (true) {
        const event = await sse.nextEvent();
        if (!event) throw new Error(`stream ended; saw ${seen}`);
        if (event.data === '"marker"') break;
        seen.push(event.data);
      }
      await sse.cancel();
      return seen;
    },
  };
}

const marker = (url: string, channel: string) =>
  keyed(url, channel, "marker", crypto.randomUUID()).then((r) => r.json());

Deno.test("two identical keyed publishes: one id, one event stored, one delivery", async () => {
  await using server = await startHerald({ HERALD_BROKER: "memory" });
  const stream = await watch(server.url, "once");
  const first = await keyed(server.url, "once", { n: 1 }, "k-1");
  const second = await keyed(server.url, "once", { n: 1 }, "k-1");
  assertEquals([first.status, second.status], [201, 201]);
  assertEquals(first.headers.get("idempotent-replayed"), null);
  assertEquals(second.headers.get("idempotent-replayed"), "true");
  const [a, b] = [await first.json(), await second.json()];
  assertEquals(a, b);
  assertEquals(await stream.untilMarker(() => marker(server.url, "once")), [
    '{"n":1}',
  ]);
  assertEquals((await history(server.url, "once")).length, 2); // + the marker

  // The same key with another body is refused; a bad key too.
  const reused = await keyed(server.url, "once", { n: 2 }, "k-1");
  assertEquals(reused.status, 422);
  assertEquals((await reused.json()).error.code, "idempotency_key_reused");
  const bad = await keyed(server.url, "once", { n: 1 }, "ü".repeat(3));
  assertEquals(bad.status, 400);
  assertEquals((await bad.json()).error.code, "invalid_idempotency_key");

  // A form post: the same 303, one event.
  const form = () =>
    fetch(`${server.url}/api/channels/formed/messages`, {
      method: "POST",
      headers: { "idempotency-key": "f-1" },
      body: new URLSearchParams({ message: "hi", redirect: "/x" }),
      redirect: "manual",
    });
  const [f1, f2] = [await form(), await form()];
  assertEquals([f1.status, f2.status], [303, 303]);
  assertEquals(f2.headers.get("location"), "/x");
  assertEquals((await history(server.url, "formed")).length, 1);

  // A batch: the same results, its events once.
  const batch = () =>
    fetch(`${server.url}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": "b-1" },
      body: JSON.stringify([
        { channel: "b1", data: 1 },
        { channel: "b2", data: 2 },
      ]),
    });
  const [r1, r2] = [await (await batch()).json(), await (await batch()).json()];
  assertEquals(r1, r2);
  assertEquals((await history(server.url, "b1")).length, 1);
  assertEquals((await history(server.url, "b2")).length, 1);
});

Deno.test("keys are per publisher, and a failed publish does not keep its key", async () => {
  await using server = await startHerald({
    HERALD_BROKER: "memory",
    HERALD_JWT_SECRET: SECRET,
  });
  const as = async (sub: string) => ({
    authorization: `Bearer ${await hsToken({
      sub,
      herald: { publish: ["shared"], subscribe: ["*"] },
    })}`,
  });
  const alice = await as("alice");
  const bob = await as("bob");
  const a = await (await keyed(server.url, "shared", 1, "same", alice)).json();
  const b = await (await keyed(server.url, "shared", 1, "same", bob)).json();
  assert(a.id !== b.id, "two publishers, two events");
  // Refused (403) with a key: the key stays free for a request that passes.
  const refused = await keyed(server.url, "other", 1, "k-2", alice);
  assertEquals(refused.status, 403);
  await refused.body?.cancel();
  const ok = await keyed(server.url, "shared", 2, "k-2", alice);
  assertEquals(ok.status, 201);
  await ok.body?.cancel();
  assertEquals((await history(server.url, "shared", alice)).length, 3);
});

/** `n` identical keyed publishes at once across `servers`: one event, every success has its id. */
async function concurrentRepeats(servers: RunningServer[], channel: string) {
  const stream = await watch(servers[0].url, channel);
  const key = crypto.randomUUID();
  const answers = await Promise.all(
    Array.from({ length: 12 }, async (_, i) => {
      const res = await keyed(servers[i % servers.length].url, channel, {
        once: true,
      }, key);
      return { status: res.status, body: await res.json() };
    }),
  );
  const ids = new Set(
    answers.filter((a) => a.status === 201).map((a) => a.body.id),
  );
  assertEquals(ids.size, 1, JSON.stringify(answers));
  for (const a of answers) {
    assert(
      a.status === 201 ||
        (a.status === 409 && a.body.error.code === "idempotency_in_progress"),
      JSON.stringify(a),
    );
  }
  // A repeat after they all finished answers the one id, on any process.
  for (const server of servers) {
    const again = await (await keyed(server.url, channel, { once: true }, key))
      .json();
    assertEquals(again.id, [...ids][0]);
  }
  assertEquals(
    await stream.untilMarker(() => marker(servers[0].url, channel)),
    ['{"once":true}'],
    "delivered once",
  );
  const stored = await history(servers[1 % servers.length].url, channel);
  assertEquals(stored.map((e) => e.data), [{ once: true }, "marker"]);
}

Deno.test("identical keyed publishes at once publish once", async () => {
  await using server = await startHerald({ HERALD_BROKER: "memory" });
  await concurrentRepeats([server], "rush");
});

Deno.test("keyed repeats across two processes on one KV file publish once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "herald-idem-" });
  try {
    const env = {
      HERALD_BROKER: "kv",
      HERALD_KV_PATH: `${dir}/herald.kv`,
      HERALD_KV_POLL_MS: "50",
    };
    await using a = await startHerald(env);
    await using b = await startHerald(env);
    await concurrentRepeats([a, b], "kv-rush");
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("keyed repeats across two processes on one Redis publish once", async () => {
  const redis = await requireRedis();
  if (!redis) return;
  const env = {
    HERALD_BROKER: "redis",
    REDIS_URL: redis,
    HERALD_REDIS_PREFIX: uniquePrefix("idempotency"),
  };
  await using a = await startHerald(env);
  await using b = await startHerald(env);
  await concurrentRepeats([a, b], "redis-rush");
});

Deno.test("a cross-origin publisher may send Idempotency-Key and read Idempotent-Replayed", async () => {
  const origin = "https://backend.example";
  await using server = await startHerald({
    HERALD_BROKER: "memory",
    HERALD_CORS_ORIGINS: origin,
  });
  const preflight = await fetch(`${server.url}/api/channels/x/messages`, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type, idempotency-key",
    },
  });
  await preflight.body?.cancel();
  assert(
    preflight.headers.get("access-control-allow-headers")?.toLowerCase()
      .includes("idempotency-key"),
  );
  const res = await keyed(server.url, "x", 1, "cors-1", { origin });
  await res.body?.cancel();
  assert(
    res.headers.get("access-control-expose-headers")?.toLowerCase()
      .includes("idempotent-replayed"),
  );
});
