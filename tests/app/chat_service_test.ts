/**
 * Chat rooms on a real store and broker: memory for the rules, Deno KV in a
 * temp file for persistence across a "restart" (everything closed and reopened).
 */
import assert from "node:assert/strict";
import { createBroker } from "../../lib/realtime/brokers/create.ts";
import type { Broker, HeraldEvent } from "../../lib/realtime/types.ts";
import { type AppStore, createStore } from "../../lib/app/store/mod.ts";
import { ChatService } from "../../lib/app/chat/service.ts";
import { mergeLines, toLine } from "../../lib/app/chat/lines.ts";
import { roomChannel, ROOMS_CHANNEL } from "../../lib/app/chat/types.ts";
import { HttpError } from "../../lib/http/error.ts";
import { chatHttpError } from "../../lib/app/chat/http.ts";
import {
  parseJoin,
  parseMember,
  parseMessage,
  validMessage,
  validRoomName,
  validUsername,
} from "../../lib/app/chat/validate.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The service as the HTTP edge drives it: raw fields parsed by validate.ts,
 * the chat's errors mapped to HTTP by lib/app/chat/http.ts.
 */
function atEdge(chat: ChatService) {
  const run = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw chatHttpError(err);
    }
  };
  return {
    createRoom: (name: unknown, by?: string) =>
      run(() => chat.createRoom(validRoomName(name), by)),
    join: (room: string, username: unknown, memberId?: string) =>
      run(() => chat.join(parseJoin(room, { username, memberId }))),
    leave: (
      room: string,
      username: unknown,
      memberId: unknown,
      seat: unknown,
    ) => run(() => chat.leave(parseMember(room, { username, memberId, seat }))),
    heartbeat: (room: string, username: unknown, memberId: unknown) =>
      run(() => chat.heartbeat(parseMember(room, { username, memberId }))),
    send: (room: string, username: unknown, memberId: unknown, text: unknown) =>
      run(() => chat.send(parseMessage(room, { username, memberId, text }))),
    listRooms: () => chat.listRooms(),
    members: (room: string) => chat.members(room),
    sweep: (room: string) => chat.sweep(room),
    lines: (room: string) => chat.lines(room),
    state: (room: string) => chat.state(room),
  };
}

async function withChat(
  fn: (
    chat: ReturnType<typeof atEdge>,
    broker: Broker,
    store: AppStore,
  ) => Promise<void>,
  memberTtlMs = 45_000,
) {
  const broker = await createBroker({ broker: "memory" });
  const store = await createStore({ kind: "memory" });
  try {
    await fn(
      atEdge(new ChatService(store, broker, { memberTtlMs })),
      broker,
      store,
    );
  } finally {
    await store.close();
    await broker.close();
  }
}

async function rejectsWith(p: Promise<unknown>, status: number, code: string) {
  await assert.rejects(p, (err: unknown) => {
    assert(err instanceof HttpError, String(err));
    assert.equal(err.status, status);
    assert.equal(err.code, code);
    return true;
  });
}

function membership(events: HeraldEvent[]) {
  return events
    .filter((e) => e.event === "join" || e.event === "leave")
    .map((e) => `${e.event} ${(e.data as { user: string }).user}`);
}

Deno.test("room names, usernames and messages are validated with clear messages", () => {
  assert.equal(validRoomName("  Team-Standup "), "team-standup");
  assert.throws(() => validRoomName(""), /Enter a room name/);
  assert.throws(
    () => validRoomName("a b"),
    /lowercase letters, digits and hyphens/,
  );
  assert.throws(() => validRoomName("-lead"), /start with a letter or digit/);
  assert.throws(() => validRoomName("x".repeat(41)), /at most 40/);
  assert.equal(validUsername("  Ada   Lovelace "), "Ada Lovelace");
  assert.equal(validUsername("Zoë_2.0"), "Zoë_2.0");
  assert.throws(() => validUsername("   "), /Enter a username/);
  assert.throws(() => validUsername("<script>"), /letters, digits, spaces/);
  assert.throws(() => validUsername("x".repeat(25)), /at most 24/);
  assert.throws(() => validMessage(" \n "), /Write a message/);
  assert.throws(() => validMessage("x".repeat(1001)), /at most 1000/);
  assert.equal(validMessage(" hi\nthere "), "hi\nthere");
});

Deno.test("creating a room twice is a 409; rooms are listed and announced", async () => {
  await withChat(async (chat, broker) => {
    await chat.createRoom("Lobby", "Ada");
    await rejectsWith(chat.createRoom("lobby"), 409, "room_exists");
    await rejectsWith(chat.createRoom("no spaces"), 400, "invalid_room");
    await chat.createRoom("annex");
    assert.deepEqual((await chat.listRooms()).map((r) => r.name), [
      "annex",
      "lobby",
    ]);
    const announced = await broker.history(ROOMS_CHANNEL);
    assert.deepEqual(announced.map((e) => (e.data as { name: string }).name), [
      "lobby",
      "annex",
    ]);
  });
});

Deno.test("a username is unique in a room, ignoring case; other rooms are separate", async () => {
  await withChat(async (chat) => {
    await chat.createRoom("lobby");
    await chat.createRoom("annex");
    const ada = await chat.join("lobby", "Ada");
    await rejectsWith(chat.join("lobby", "ada"), 409, "username_taken");
    await rejectsWith(
      chat.join("lobby", "ADA", "guessed-id"),
      409,
      "username_taken",
    );
    await chat.join("annex", "ada");
    // The same page (same memberId) may join again, e.g. after a reload.
    const again = await chat.join("lobby", "Ada", ada.memberId);
    assert.equal(again.memberId, ada.memberId);
    await rejectsWith(chat.join("nowhere", "ada"), 404, "room_not_found");
    assert.deepEqual(await chat.members("lobby"), ["Ada"]);
  });
});

Deno.test("join, send and leave publish once each on the room channel", async () => {
  await withChat(async (chat, broker) => {
    await chat.createRoom("lobby");
    const ada = await chat.join("lobby", "Ada");
    const bob = await chat.join("lobby", "Bob");
    await chat.join("lobby", "Ada", ada.memberId); // a reload: no second join event
    assert.deepEqual(bob.members, ["Ada", "Bob"]);
    await chat.send("lobby", "Ada", ada.memberId, "hello, Bob");
    await rejectsWith(
      chat.send("lobby", "Ada", bob.memberId, "spoofed"),
      403,
      "not_a_member",
    );
    await rejectsWith(
      chat.send("lobby", "Bob", bob.memberId, "  "),
      400,
      "invalid_message",
    );
    await chat.leave("lobby", "Bob", "wrong-id", bob.seat); // ignored
    await chat.leave("lobby", "Bob", bob.memberId, bob.seat);
    await chat.leave("lobby", "Bob", bob.memberId, bob.seat); // twice: announced once
    const events = await broker.history(roomChannel("lobby"));
    assert.deepEqual(membership(events), ["join Ada", "join Bob", "leave Bob"]);
    const lines = await chat.lines("lobby");
    assert.deepEqual(
      lines.map((l) => [l.event, l.user, l.text ?? l.reason]),
      [
        ["join", "Ada", undefined],
        ["join", "Bob", undefined],
        ["message", "Ada", "hello, Bob"],
        ["leave", "Bob", "left"],
      ],
    );
    assert.deepEqual(await chat.members("lobby"), ["Ada"]);
    // Bob's name is free again.
    await chat.join("lobby", "bob");
  });
});

Deno.test("a member whose page stopped renewing expires and is announced once", async () => {
  await withChat(async (chat, broker) => {
    await chat.createRoom("lobby");
    const ada = await chat.join("lobby", "Ada");
    await chat.join("lobby", "Bob"); // Bob's page dies: no heartbeat
    for (let i = 0; i < 4; i++) {
      await sleep(120);
      await chat.heartbeat("lobby", "Ada", ada.memberId);
    }
    assert.deepEqual(await chat.heartbeat("lobby", "Ada", ada.memberId), [
      "Ada",
    ]);
    await chat.sweep("lobby");
    const events = await broker.history(roomChannel("lobby"));
    assert.deepEqual(membership(events), ["join Ada", "join Bob", "leave Bob"]);
    assert.equal(
      (events.at(-1)!.data as { reason: string }).reason,
      "expired",
    );
    // A page whose entry lapsed comes back on its next heartbeat.
    await sleep(400);
    assert.deepEqual(await chat.members("lobby"), []);
    assert.deepEqual(await chat.heartbeat("lobby", "Ada", ada.memberId), [
      "Ada",
    ]);
  }, 300);
});

Deno.test("rooms and history survive a restart on Deno KV", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/herald.kv`;
  try {
    {
      const broker = await createBroker({ broker: "kv", path });
      const store = await createStore({ kind: "kv", path });
      const chat = atEdge(new ChatService(store, broker));
      await chat.createRoom("lobby");
      const ada = await chat.join("lobby", "Ada");
      await chat.send("lobby", "Ada", ada.memberId, "before the restart");
      await store.close();
      await broker.close();
    }
    const broker = await createBroker({ broker: "kv", path });
    const store = await createStore({ kind: "kv", path });
    try {
      const chat = new ChatService(store, broker);
      const state = await chat.state("lobby");
      assert(state);
      assert.deepEqual(
        state.lines.filter((l) => l.event === "message").map((l) => l.text),
        ["before the restart"],
      );
      assert.deepEqual(state.members, ["Ada"]);
      assert.equal(await chat.state("nowhere"), null);
    } finally {
      await store.close();
      await broker.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("log lines come from chat events only and merge by id without duplicates", () => {
  const ev = (id: string, event: string, data: unknown) => ({
    id,
    channel: "chat:lobby",
    event,
    data,
    time: 0,
  });
  assert.equal(toLine(ev("1", "roomCreated", { user: "x" })), null);
  assert.equal(toLine(ev("1", "message", { text: "no user" })), null);
  const a = toLine(ev("01", "message", { user: "Ada", text: "hi" }))!;
  const b = toLine(ev("02", "join", { user: "Bob" }))!;
  const c = toLine(ev("03", "leave", { user: "Bob", reason: "expired" }))!;
  assert.deepEqual(c, {
    id: "03",
    event: "leave",
    time: 0,
    user: "Bob",
    reason: "expired",
  });
  assert.deepEqual(mergeLines([a, c], [b, c, a]).map((l) => l.id), [
    "01",
    "02",
    "03",
  ]);
  assert.deepEqual(mergeLines([a, b], [c], 2).map((l) => l.id), ["02", "03"]);
});

Deno.test("the leave a reloaded page sends late cannot remove its successor", async () => {
  await withChat(async (chat, broker) => {
    await chat.createRoom("lobby");
    const first = await chat.join("lobby", "Ada");
    // The reloaded page re-joins with the same memberId before the old page's
    // leave beacon arrives.
    const second = await chat.join("lobby", "Ada", first.memberId);
    assert.notEqual(second.seat, first.seat);
    await chat.leave("lobby", "Ada", first.memberId, first.seat);
    assert.deepEqual(await chat.members("lobby"), ["Ada"]);
    await chat.send("lobby", "Ada", second.memberId, "still here");
    await chat.leave("lobby", "Ada", second.memberId, second.seat);
    assert.deepEqual(await chat.members("lobby"), []);
    const events = await broker.history(roomChannel("lobby"));
    assert.deepEqual(membership(events), ["join Ada", "leave Ada"]);
  });
});

Deno.test("a burst of messages to one room on Deno KV is all published (room renewals do not contend)", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/herald.kv`;
  const broker = await createBroker({ broker: "kv", path });
  const store = await createStore({ kind: "kv", path });
  try {
    const chat = atEdge(new ChatService(store, broker));
    await chat.createRoom("busy");
    const ada = await chat.join("busy", "Ada");
    const texts = Array.from({ length: 60 }, (_, i) => `burst ${i}`);
    const results = await Promise.allSettled(
      texts.map((t) => chat.send("busy", "Ada", ada.memberId, t)),
    );
    const failed = results.filter((r) => r.status === "rejected");
    assert.equal(failed.length, 0, `failed sends: ${failed.length}`);
    const sent = (await chat.lines("busy"))
      .filter((l) => l.event === "message").map((l) => l.text).sort();
    assert.deepEqual(sent, [...texts].sort());
  } finally {
    await store.close();
    await broker.close();
    await Deno.remove(dir, { recursive: true });
  }
});
