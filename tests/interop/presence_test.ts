/**
 * Presence against a real Herald process: identified streams are listed by
 * `GET /api/channels/{channel}/presence` with their connection counts, and a
 * `presence:{channel}` subscriber sees each user join and leave once.
 *
 * @module
 */
import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { SseReader } from "../_support/sse_parser.ts";
import { startHerald } from "../realtime/process/_servers.ts";
import { hsToken, SECRET } from "../access/_tokens.ts";
import { waitFor } from "../_support/wait.ts";
import { requireRedis, uniquePrefix } from "../_support/redis.ts";

const auth = async (sub: string, publish: string[] = []) => ({
  authorization: `Bearer ${await hsToken({
    sub,
    herald: { publish, subscribe: ["*"] },
  })}`,
});

async function open(url: string, path: string, headers = {}) {
  const res = await fetch(`${url}${path}`, { headers });
  assertEquals(res.status, 200);
  return new SseReader(res.body!);
}

interface Member {
  user: string;
  connections: number;
  since: string;
}

async function members(url: string, channel: string, headers = {}) {
  const res = await fetch(`${url}/api/channels/${channel}/presence`, {
    headers,
  });
  assertEquals(res.status, 200);
  const body = await res.json();
  assertEquals(body.channel, channel);
  return (body.members as Member[]).map((m) => [m.user, m.connections]);
}

async function nextPresence(sse: SseReader) {
  while (true) {
    const event = await sse.nextEvent();
    if (!event) throw new Error("stream ended");
    if (event.event === "presence") return JSON.parse(event.data).data;
  }
}

Deno.test("two users on a channel are listed, join once, and a leave is announced", async () => {
  await using server = await startHerald({
    HERALD_BROKER: "memory",
    HERALD_JWT_SECRET: SECRET,
  });
  const alice = await auth("alice");
  const bob = await auth("bob");
  const watcher = await open(server.url, "/api/events?channel=presence:room");

  const a1 = await open(server.url, "/api/channels/room/events", alice);
  assertEquals(await nextPresence(watcher), { user: "alice", action: "join" });
  const b1 = await open(server.url, "/api/events?channel=room", bob);
  assertEquals(await nextPresence(watcher), { user: "bob", action: "join" });
  // Alice's second tab: one more connection, no second join.
  const a2 = await open(server.url, "/api/channels/room/events", alice);
  // An anonymous stream is not listed.
  const anonymous = await open(server.url, "/api/channels/room/events");
  assertEquals(await members(server.url, "room"), [["alice", 2], ["bob", 1]]);

  await a1.cancel();
  await waitFor(
    async () =>
      JSON.stringify(await members(server.url, "room")) ===
        '[["alice",1],["bob",1]]',
    "alice's first tab to be uncounted",
  );
  await b1.cancel();
  // The next event is Bob's leave: Alice's first tab closing announced nothing.
  assertEquals(await nextPresence(watcher), { user: "bob", action: "leave" });
  assertEquals(await members(server.url, "room"), [["alice", 1]]);
  await a2.cancel();
  assertEquals(await nextPresence(watcher), {
    user: "alice",
    action: "leave",
  });
  assertEquals(await members(server.url, "room"), []);
  await anonymous.cancel();
  await watcher.cancel();
});

Deno.test("presence of a private channel is refused to whoever may not read it", async () => {
  await using server = await startHerald({
    HERALD_BROKER: "memory",
    HERALD_JWT_SECRET: SECRET,
  });
  const alice = await auth("alice");
  const own = await open(server.url, "/api/channels/user:alice/events", alice);
  assertEquals(await members(server.url, "user:alice", alice), [["alice", 1]]);
  for (const headers of [{}, await auth("bob")]) {
    const list = await fetch(
      `${server.url}/api/channels/user:alice/presence`,
      { headers },
    );
    assert([401, 403].includes(list.status), String(list.status));
    assert((await list.json()).error.code);
    const stream = await fetch(
      `${server.url}/api/events?channel=presence:user:alice`,
      { headers },
    );
    assert([401, 403].includes(stream.status), String(stream.status));
    await stream.body?.cancel();
    const history = await fetch(
      `${server.url}/api/channels/presence:user:alice/messages`,
      { headers },
    );
    assert([401, 403].includes(history.status), String(history.status));
    await history.body?.cancel();
  }
  // Nobody forges presence through the API.
  const forged = await fetch(
    `${server.url}/api/channels/presence:room/messages`,
    {
      method: "POST",
      headers: {
        ...await auth("mallory", ["*"]),
        "content-type": "application/json",
      },
      body: JSON.stringify({ event: "presence", data: { user: "x" } }),
    },
  );
  assertEquals(forged.status, 403);
  assertEquals((await forged.json()).error.code, "app_owned_channel");
  await own.cancel();
});

/** One user on two processes, then a process killed under another user. */
async function acrossTwoProcesses(shared: Record<string, string>) {
  const env = {
    ...shared,
    HERALD_JWT_SECRET: SECRET,
    HERALD_PRESENCE_TTL_MS: "1000",
  };
  await using a = await startHerald(env);
  await using b = await startHerald(env);
  const alice = await auth("alice");
  const watcher = await open(a.url, "/api/events?channel=presence:room");
  const onA = await open(a.url, "/api/channels/room/events", alice);
  const onB = await open(b.url, "/api/channels/room/events", alice);
  assertEquals(await members(b.url, "room"), [["alice", 2]]);
  assertEquals(await members(a.url, "room"), [["alice", 2]]);
  await onA.cancel();
  await waitFor(
    async () =>
      JSON.stringify(await members(a.url, "room")) === '[["alice",1]]',
    "alice's connection on A to be uncounted",
  );
  await onB.cancel();
  // One join and then one leave: the second process neither joined nor left again.
  assertEquals(await nextPresence(watcher), { user: "alice", action: "join" });
  assertEquals(await nextPresence(watcher), { user: "alice", action: "leave" });

  // Bob's process is killed: no close runs, his entry expires with its TTL.
  await open(b.url, "/api/channels/room/events", await auth("bob"));
  assertEquals(await members(a.url, "room"), [["bob", 1]]);
  b.process.kill("SIGKILL");
  await b.process.status;
  await waitFor(
    async () => (await members(a.url, "room")).length === 0,
    "bob to drop out after the killed process's TTL",
  );
  await watcher.cancel();
}

Deno.test("across two processes on one KV file: one join, one leave, and a killed process's users drop out", async () => {
  const dir = await Deno.makeTempDir({ prefix: "herald-presence-" });
  try {
    await acrossTwoProcesses({
      HERALD_BROKER: "kv",
      HERALD_KV_PATH: `${dir}/herald.kv`,
      HERALD_KV_POLL_MS: "50",
    });
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("across two processes on one Redis: one join, one leave, and a killed process's users drop out", async () => {
  const redis = await requireRedis();
  if (!redis) return;
  await acrossTwoProcesses({
    HERALD_BROKER: "redis",
    REDIS_URL: redis,
    HERALD_REDIS_PREFIX: uniquePrefix("presence"),
  });
});
