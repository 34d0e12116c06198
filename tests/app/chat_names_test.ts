/**
 * Chat names and rooms on the app as its own process: look-alike names
 * (Cyrillic letters, fullwidth forms, dotless ı, other case) are the same
 * name, so none joins beside `admin`; and an empty room expires after
 * `HERALD_CHAT_ROOM_TTL_MS` while one with a member stays.
 *
 * @module
 */
import assert from "node:assert/strict";
import { eventually, startApp } from "../_support/app.ts";
import { postJson as post } from "./_hostile_data.ts";

Deno.test("look-alike names are taken", async (t) => {
  await using app = await startApp();
  assert.equal((await post(`${app.url}/chat`, { room: "names" })).status, 201);
  const join = (username: string) =>
    post(`${app.url}/chat/names/join`, { username });
  assert.equal((await join("admin")).status, 201);

  for (
    const [what, name] of [
      ["Cyrillic а", "\u0430dmin"],
      ["fullwidth letters", "ａｄｍｉｎ"],
      ["dotless ı", "adm\u0131n"],
      ["capital İ", "ADM\u0130N"],
      ["other case", "Admin"],
      ["a combining accent", "a\u0301dmin"],
    ]
  ) {
    await t.step(`${what}: 409`, async () => {
      const res = await join(name);
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.equal(res.body?.error?.code, "username_taken");
    });
  }
  await t.step("a different name joins", async () => {
    assert.equal((await join("admiral")).status, 201);
    const state = await (await fetch(`${app.url}/chat/names/state`)).json();
    assert.deepEqual(state.members, ["admin", "admiral"]);
  });
});

Deno.test("an empty room expires; a room with a member stays", async () => {
  // The member's heartbeats must reach the server well inside the TTL even
  // when a loaded machine stalls this process or the server for a second:
  // a 400 ms TTL let the busy room expire too (a heartbeat came late).
  const ttlMs = 3000;
  await using app = await startApp({
    env: {
      HERALD_CHAT_ROOM_TTL_MS: String(ttlMs),
      HERALD_CHAT_MEMBER_TTL_MS: String(ttlMs),
    },
  });
  assert.equal((await post(`${app.url}/chat`, { room: "empty" })).status, 201);
  assert.equal((await post(`${app.url}/chat`, { room: "busy" })).status, 201);
  const joined = await post(`${app.url}/chat/busy/join`, { username: "ada" });
  assert.equal(joined.status, 201);
  const member = {
    username: "ada",
    memberId: joined.body.memberId,
    seat: joined.body.seat,
  };

  // The member's page renews every 100 ms, on its own timer as a page does,
  // for as long as the checks below run.
  let open = true;
  const beats: number[] = [];
  const heartbeats = (async () => {
    while (open) {
      const beat = await post(`${app.url}/chat/busy/heartbeat`, member)
        .catch(() => ({ status: 0 }));
      beats.push(beat.status);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const state = (room: string) =>
    fetch(`${app.url}/chat/${room}/state`).then(async (res) => {
      await res.body?.cancel();
      return res.status;
    });
  try {
    await eventually(
      async () => await state("empty") === 404,
      "the empty room to expire",
    );
    // One more TTL: only the heartbeats can have kept the busy room.
    await new Promise((r) => setTimeout(r, ttlMs));
    assert.equal(await state("busy"), 200);
    const lobby = await (await fetch(`${app.url}/chat`)).text();
    assert.ok(!lobby.includes('href="/chat/empty"'), "the lobby lists it");
    assert.ok(lobby.includes('href="/chat/busy"'));
    const again = await post(`${app.url}/chat/empty/join`, {
      username: "bob",
    });
    assert.equal(again.status, 404);
    // The name is free again.
    assert.equal(
      (await post(`${app.url}/chat`, { room: "empty" })).status,
      201,
    );
  } finally {
    open = false;
    await heartbeats;
  }
  assert.ok(beats.length > 0);
  assert.deepEqual(
    beats.filter((s) => s !== 200),
    [],
    "every heartbeat of the member was accepted",
  );
});
