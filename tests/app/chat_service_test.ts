/**
 * Chat rooms on a real store, broker and presence tracker: memory for the
 * rules, Deno KV in a temp file for persistence across a "restart"
 * (everything closed and reopened). A member is an identity (a session id
 * here) holding a name; who is in the room is presence of its channel.
 */
import assert from "node:assert/strict";
import { createBroker } from "../../lib/realtime/brokers/create.ts";
import type { Broker, HeraldEvent } from "../../lib/realtime/types.ts";
import { type AppStore, createStore } from "../../lib/app/store/mod.ts";
import { ChatService } from "../../lib/app/chat/service.ts";
import { mergeLines, toLine } from "../../lib/app/chat/lines.ts";
import {
  followLine,
  followPresence,
  type MemberBook,
  memberBook,
} from "../../lib/app/chat/roster.ts";
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
import { Presence } from "../../lib/realtime/presence/presence.ts";
import type { Principal } from "../../lib/access/access.ts";

/** A page's session, as presence and the chat routes see it. */
const session = (id: string): Principal => ({
  sub: id,
  ip: "127.0.0.1",
  via: "session",
  token: null,
  session: { id, name: `guest ${id}` },
});

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
    join: (room: string, username: unknown, user: string) =>
      run(() => chat.join(parseJoin(room, user, { username }))),
    leave: (room: string, user: string) =>
      run(() => chat.leave(parseMember(room, user))),
    send: (room: string, user: string, text: unknown) =>
      run(() => chat.send(parseMessage(room, user, { text }))),
    listRooms: () => chat.listRooms(),
    names: async (room: string) =>
      (await chat.members(room)).map((m) => m.name),
    lines: (room: string) => chat.lines(room),
    state: (room: string, user?: string) => chat.state(room, user),
  };
}

interface Rig {
  chat: ReturnType<typeof atEdge>;
  broker: Broker;
  store: AppStore;
  presence: Presence;
  /** Opens a stream of `user` on the room (a page); resolves to its close. */
  open: (room: string, user: string) => Promise<() => Promise<void>>;
}

/** The parts wired as lib/app/services.ts wires them. */
async function withChat(fn: (rig: Rig) => Promise<void>, graceMs = 0) {
  const broker = await createBroker({ broker: "memory" });
  const store = await createStore({ kind: "memory" });
  const presence = new Presence({
    store,
    publish: (channel, message) => broker.publish(channel, message),
    ttlMs: 60_000,
    graceMs,
  });
  const chat = new ChatService(store, broker, presence);
  presence.listen((channel, change) => chat.presenceChanged(channel, change));
  try {
    await fn({
      chat: atEdge(chat),
      broker,
      store,
      presence,
      open: (room, user) => presence.track([roomChannel(room)], session(user)),
    });
  } finally {
    await presence.close();
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
    .map((e) => {
      const data = e.data as { user: string; reason?: string };
      return [e.event, data.user, data.reason].filter(Boolean).join(" ");
    });
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
  await withChat(async ({ chat, broker }) => {
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

Deno.test("a name is held by one member in a room, ignoring case; the same member takes it again; other rooms are separate", async () => {
  await withChat(async ({ chat, open }) => {
    await chat.createRoom("lobby");
    await chat.createRoom("annex");
    await open("lobby", "s-ada");
    await open("lobby", "s-bob");
    const ada = await chat.join("lobby", "Ada", "s-ada");
    assert.equal(ada.user, "s-ada");
    await rejectsWith(
      chat.join("lobby", "ada", "s-bob"),
      409,
      "username_taken",
    );
    await rejectsWith(
      chat.join("lobby", "ADA", "s-bob"),
      409,
      "username_taken",
    );
    await chat.join("annex", "ada", "s-bob");
    // The same member (a reload, a second tab) keeps the name as it was held.
    const again = await chat.join("lobby", "ada", "s-ada");
    assert.equal(again.username, "Ada");
    await rejectsWith(
      chat.join("nowhere", "ada", "s-ada"),
      404,
      "room_not_found",
    );
    // Bob is present but holds no name here: only Ada is a member.
    assert.deepEqual(ada.members, [
      { name: "Ada", user: "s-ada", connections: 1 },
    ]);
    assert.deepEqual(await chat.names("lobby"), ["Ada"]);
  });
});

Deno.test("join, send and leave publish once each on the room channel", async () => {
  await withChat(async ({ chat, broker, open }) => {
    await chat.createRoom("lobby");
    await open("lobby", "s-ada");
    await open("lobby", "s-bob");
    await chat.join("lobby", "Ada", "s-ada");
    const bob = await chat.join("lobby", "Bob", "s-bob");
    await chat.join("lobby", "Ada", "s-ada"); // a reload: no second join event
    assert.deepEqual(bob.members.map((m) => m.name), ["Ada", "Bob"]);
    await chat.send("lobby", "s-ada", "hello, Bob");
    await rejectsWith(
      chat.send("lobby", "s-eve", "spoofed"),
      403,
      "not_a_member",
    );
    await rejectsWith(
      chat.send("lobby", "s-bob", "  "),
      400,
      "invalid_message",
    );
    await chat.leave("lobby", "s-eve"); // no name: nothing
    await chat.leave("lobby", "s-bob");
    await chat.leave("lobby", "s-bob"); // twice: announced once
    const events = await broker.history(roomChannel("lobby"));
    assert.deepEqual(membership(events), [
      "join Ada",
      "join Bob",
      "leave Bob left",
    ]);
    const lines = await chat.lines("lobby");
    assert.deepEqual(
      lines.map((l) => [l.event, l.user, l.text ?? l.reason, l.member]),
      [
        ["join", "Ada", undefined, "s-ada"],
        ["join", "Bob", undefined, "s-bob"],
        ["message", "Ada", "hello, Bob", undefined],
        ["leave", "Bob", "left", "s-bob"],
      ],
    );
    assert.deepEqual(await chat.names("lobby"), ["Ada"]);
    await rejectsWith(chat.send("lobby", "s-bob", "gone"), 403, "not_a_member");
    // Bob's name is free again, for anyone.
    await open("lobby", "s-cy");
    await chat.join("lobby", "bob", "s-cy");
  });
});

Deno.test("a member whose last stream closes leaves, announced once; a name whose holder is gone is free", async () => {
  await withChat(async ({ chat, broker, open }) => {
    await chat.createRoom("lobby");
    const adaTab1 = await open("lobby", "s-ada");
    const adaTab2 = await open("lobby", "s-ada");
    await chat.join("lobby", "Ada", "s-ada");
    const state = await chat.state("lobby", "s-ada");
    assert.equal(state?.me, "Ada");
    assert.deepEqual(state?.members, [
      { name: "Ada", user: "s-ada", connections: 2 },
    ]);
    await adaTab1();
    assert.deepEqual(await chat.names("lobby"), ["Ada"]);
    await adaTab2();
    assert.deepEqual(await chat.names("lobby"), []);
    const events = await broker.history(roomChannel("lobby"));
    assert.deepEqual(membership(events), ["join Ada", "leave Ada closed"]);
    assert.equal((await chat.state("lobby", "s-ada"))?.me, undefined);

    // Eve takes a name without ever opening the room; Bob, present, may have it.
    await chat.join("lobby", "Eve", "s-eve");
    await open("lobby", "s-bob");
    await chat.join("lobby", "eve", "s-bob");
    assert.deepEqual(await chat.names("lobby"), ["eve"]);
    await rejectsWith(
      chat.send("lobby", "s-eve", "mine?"),
      403,
      "not_a_member",
    );
  });
});

Deno.test("a reload within the presence grace, or a restart, is neither a leave nor a join", async () => {
  await withChat(async ({ chat, broker, open, presence }) => {
    await chat.createRoom("lobby");
    const page = await open("lobby", "s-ada");
    await chat.join("lobby", "Ada", "s-ada");
    await page(); // the page unloads ...
    // ... and while it reloads Ada is still a member, with no stream open.
    assert.deepEqual(await chat.names("lobby"), ["Ada"]);
    assert.equal(
      (await chat.state("lobby", "s-ada"))?.members[0].connections,
      0,
    );
    await open("lobby", "s-ada"); // the reloaded page
    await chat.join("lobby", "Ada", "s-ada"); // its join finds the name held
    assert.equal(
      (await chat.state("lobby", "s-ada"))?.members[0].connections,
      1,
    );
    await chat.send("lobby", "s-ada", "back");
    // A process that shuts down ends its users' presence, not their
    // membership: they come back on the next process.
    await presence.close();
    const events = await broker.history(roomChannel("lobby"));
    assert.deepEqual(membership(events), ["join Ada"]);
    assert.deepEqual(await chat.names("lobby"), []);
    assert.equal((await chat.state("lobby", "s-ada"))?.me, "Ada");
  }, 60_000);
});

Deno.test("rooms, names and history survive a restart on Deno KV", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/herald.kv`;
  const nobody = { members: () => Promise.resolve([]) };
  try {
    {
      const broker = await createBroker({ broker: "kv", path });
      const store = await createStore({ kind: "kv", path });
      const chat = atEdge(new ChatService(store, broker, nobody));
      await chat.createRoom("lobby");
      await chat.join("lobby", "Ada", "s-ada");
      await chat.send("lobby", "s-ada", "before the restart");
      await store.close();
      await broker.close();
    }
    const broker = await createBroker({ broker: "kv", path });
    const store = await createStore({ kind: "kv", path });
    try {
      const chat = new ChatService(store, broker, nobody);
      const state = await chat.state("lobby", "s-ada");
      assert(state);
      assert.deepEqual(
        state.lines.filter((l) => l.event === "message").map((l) => l.text),
        ["before the restart"],
      );
      // Ada still holds her name; nobody has the room open.
      assert.equal(state.me, "Ada");
      assert.deepEqual(state.members, []);
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
  const c = toLine(
    ev("03", "leave", { user: "Bob", member: "s-bob", reason: "closed" }),
  )!;
  assert.deepEqual(c, {
    id: "03",
    event: "leave",
    time: 0,
    user: "Bob",
    member: "s-bob",
    reason: "closed",
  });
  // Older history: a leave by an expired heartbeat, no member identity.
  assert.equal(
    toLine(ev("04", "leave", { user: "Bob", reason: "expired" }))?.reason,
    "expired",
  );
  assert.deepEqual(mergeLines([a, c], [b, c, a]).map((l) => l.id), [
    "01",
    "02",
    "03",
  ]);
  assert.deepEqual(mergeLines([a, b], [c], 2).map((l) => l.id), ["02", "03"]);
});

Deno.test("a burst of messages to one room on Deno KV is all published (room renewals do not contend)", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/herald.kv`;
  const broker = await createBroker({ broker: "kv", path });
  const store = await createStore({ kind: "kv", path });
  try {
    const nobody = { members: () => Promise.resolve([]) };
    const chat = atEdge(new ChatService(store, broker, nobody));
    await chat.createRoom("busy");
    await chat.join("busy", "Ada", "s-ada");
    const texts = Array.from({ length: 60 }, (_, i) => `burst ${i}`);
    const results = await Promise.allSettled(
      texts.map((t) => chat.send("busy", "s-ada", t)),
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

Deno.test("a page's member list follows names from the room's lines and who is there from presence", () => {
  const line = (event: "join" | "leave", user: string, member: string) => ({
    id: "1",
    event,
    time: 0,
    user,
    member,
  });
  const listed = (book: MemberBook) => book.members.map((m) => m.name);
  let book = memberBook([{ name: "Bob", user: "s-bob", connections: 1 }]);
  // A watcher arrives: present, no name, not listed.
  book = followPresence(book, { user: "s-ada", action: "join" });
  assert.deepEqual(listed(book), ["Bob"]);
  book = followLine(book, line("join", "Ada", "s-ada"));
  assert.deepEqual(listed(book), ["Ada", "Bob"]);
  // Ada's process restarts: away, then back under the name she holds.
  book = followPresence(book, { user: "s-ada", action: "leave" });
  assert.deepEqual(listed(book), ["Bob"]);
  book = followPresence(book, { user: "s-ada", action: "join" });
  assert.deepEqual(listed(book), ["Ada", "Bob"]);
  // Bob leaves with the button: while still present he holds no name.
  book = followLine(book, line("leave", "Bob", "s-bob"));
  book = followPresence(book, { user: "s-bob", action: "join" });
  assert.deepEqual(listed(book), ["Ada"]);
  // Someone else takes Bob's name, spelled another way: one entry per name.
  book = followLine(book, line("join", "bob", "s-cy"));
  book = followLine(book, line("join", "BOB", "s-dee"));
  assert.deepEqual(book.members.map((m) => [m.name, m.user]), [
    ["Ada", "s-ada"],
    ["BOB", "s-dee"],
  ]);
});
