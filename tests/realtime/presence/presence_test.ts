/**
 * Presence on one shared store from several trackers (processes): each user's
 * join and leave is published once however their connections interleave.
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { MemoryStore } from "../../../lib/app/store/memory.ts";
import { Presence } from "../../../lib/realtime/presence/presence.ts";
import type { Principal } from "../../../lib/access/access.ts";
import { waitFor } from "../../_support/wait.ts";

const user = (sub: string): Principal => ({
  sub,
  ip: "127.0.0.1",
  via: "token",
  token: null,
  session: null,
});

Deno.test("a user connecting and leaving on three processes at once joins and leaves once", async () => {
  const store = new MemoryStore();
  const published: string[] = [];
  const publish = (channel: string, message: { data: unknown }) => {
    const { user, action } = message.data as { user: string; action: string };
    published.push(`${channel} ${user} ${action}`);
    return Promise.resolve();
  };
  const processes = [1, 2, 3].map(() =>
    new Presence({ store, publish, ttlMs: 60_000 })
  );
  for (let round = 0; round < 20; round++) {
    const releases = await Promise.all(
      processes.flatMap((p) => [
        p.track(["room"], user("alice")),
        p.track(["room", "presence:room"], user("alice")),
      ]),
    );
    assertEquals(
      (await processes[0].members("room")).map((m) => [m.user, m.connections]),
      [["alice", 6]],
    );
    // Each released twice (a stream closed twice is uncounted once).
    await Promise.all([...releases, ...releases].map((release) => release()));
    assertEquals(await processes[1].members("room"), []);
  }
  await Promise.all(processes.map((p) => p.close()));
  assertEquals(
    published,
    Array.from({ length: 20 }, () => [
      "presence:room alice join",
      "presence:room alice leave",
    ]).flat(),
  );
});

Deno.test("anonymous streams and presence channels are not counted", async () => {
  const store = new MemoryStore();
  const presence = new Presence({
    store,
    publish: () => Promise.resolve(),
    ttlMs: 60_000,
  });
  await presence.track(["room"], { ...user("x"), sub: null, via: "anonymous" });
  await presence.track(["presence:room"], user("bob"));
  assertEquals(await presence.members("room"), []);
  assertEquals(await presence.members("presence:room"), []);
  await presence.close();
});

Deno.test("within the grace a reconnect, here or on another process, is neither a leave nor a join", async () => {
  const store = new MemoryStore();
  const published: string[] = [];
  const heard: string[] = [];
  const publish = (channel: string, message: { data: unknown }) => {
    const { user, action } = message.data as { user: string; action: string };
    published.push(`${channel} ${user} ${action}`);
    return Promise.resolve();
  };
  // A grace no test run outlasts: only close() ends it.
  const [a, b] = [1, 2].map(() =>
    new Presence({ store, publish, ttlMs: 60_000, graceMs: 600_000 })
  );
  for (const p of [a, b]) {
    p.listen((channel, change) => {
      heard.push(`${channel} ${change.user} ${change.action}`);
    });
  }
  const reload = await a.track(["room"], user("alice"));
  await reload();
  // Still present, with no connection, while the page reloads.
  assertEquals(
    (await a.members("room")).map((m) => [m.user, m.connections]),
    [["alice", 0]],
  );
  assertEquals(a.localChannels(), ["room"]);
  const back = await a.track(["room"], user("alice"));
  await back();
  await b.track(["room"], user("alice")); // the next page lands on process B
  assertEquals(
    (await b.members("room")).map((m) => [m.user, m.connections]),
    [["alice", 1]],
  );
  await a.close(); // A's grace ends: Alice is still on B
  assertEquals(published, ["presence:room alice join"]);
  await b.close();
  assertEquals(published, [
    "presence:room alice join",
    "presence:room alice leave",
  ]);
  // Listeners heard the join; the leave of a closing process is no user leaving.
  assertEquals(heard, ["room alice join"]);
  assertEquals(await a.members("room"), []);
});

Deno.test("after the grace the leave is announced, and heard", async () => {
  const store = new MemoryStore();
  const published: string[] = [];
  const heard: string[] = [];
  const presence = new Presence({
    store,
    publish: (channel, message) => {
      const { user, action } = message.data as { user: string; action: string };
      published.push(`${channel} ${user} ${action}`);
      return Promise.resolve();
    },
    ttlMs: 60_000,
    graceMs: 50,
  });
  presence.listen((_, change) => {
    heard.push(`${change.user} ${change.action}`);
  });
  const release = await presence.track(["room"], user("alice"));
  await release();
  await waitFor(() => published.length === 2, "the leave after the grace");
  assertEquals(published, [
    "presence:room alice join",
    "presence:room alice leave",
  ]);
  assertEquals(heard, ["alice join", "alice leave"]);
  assertEquals(await presence.members("room"), []);
  assertEquals(presence.localChannels(), []);
  await presence.close();
});
