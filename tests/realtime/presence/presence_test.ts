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
