/**
 * Chat names and rooms on the app as its own process, with visitors as a
 * browser is one (a session cookie, the room's stream open): look-alike
 * names (Cyrillic letters, fullwidth forms, dotless ı, other case) are the
 * same name, so none joins beside `admin`, while admin's own session takes
 * it again; and an empty room expires after `HERALD_CHAT_ROOM_TTL_MS` while
 * one somebody has open stays.
 *
 * @module
 */
import assert from "node:assert/strict";
import { eventually, sessionCookie, startApp } from "../_support/app.ts";

/** A JSON post as `cookie`'s visitor (none: no session). */
async function post(url: string, body: unknown, cookie?: string) {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(cookie ? { cookie } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** The visitor's page on the room: its stream open, so presence counts them. */
async function openRoom(url: string, room: string, cookie: string) {
  const res = await fetch(`${url}/api/events?channel=chat:${room}`, {
    headers: { cookie },
  });
  assert.equal(res.status, 200);
  return { close: () => res.body!.cancel() };
}

Deno.test("look-alike names are taken", async (t) => {
  await using app = await startApp();
  assert.equal((await post(`${app.url}/chat`, { room: "names" })).status, 201);
  const admin = await sessionCookie(app.url);
  const page = await openRoom(app.url, "names", admin);
  const join = async (username: string, cookie?: string) =>
    await post(`${app.url}/chat/names/join`, { username }, cookie);
  assert.equal((await join("admin", admin)).status, 201);
  await eventually(
    async () =>
      JSON.stringify(
        (await (await fetch(`${app.url}/chat/names/state`)).json()).members
          .map((m: { name: string }) => m.name),
      ) === '["admin"]',
    "admin listed once present",
  );
  const other = await sessionCookie(app.url);

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
      const res = await join(name, other);
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.equal(res.body?.error?.code, "username_taken");
    });
  }
  await t.step(
    "admin's own session takes it again (a second tab)",
    async () => {
      const again = await join("Admin", admin);
      assert.equal(again.status, 201, JSON.stringify(again.body));
      assert.equal(again.body.username, "admin");
    },
  );
  await t.step(
    "without a session there is nobody to join as: 401",
    async () => {
      const res = await join("nobody");
      assert.equal(res.status, 401);
      assert.equal(res.body?.error?.code, "no_identity");
    },
  );
  await t.step("a different name joins", async () => {
    const otherPage = await openRoom(app.url, "names", other);
    assert.equal((await join("admiral", other)).status, 201);
    await eventually(
      async () => {
        const state = await (await fetch(`${app.url}/chat/names/state`)).json();
        return JSON.stringify(
          state.members.map((m: { name: string }) => m.name),
        ) ===
          '["admin","admiral"]';
      },
      "both members listed",
    );
    await otherPage.close();
  });
  await page.close();
});

Deno.test("an empty room expires; a room somebody has open stays", async () => {
  // Renewed every quarter of the TTL while open: a stall of a second on a
  // loaded machine must not let the open room lapse.
  const ttlMs = 3000;
  await using app = await startApp({
    env: { HERALD_CHAT_ROOM_TTL_MS: String(ttlMs) },
  });
  assert.equal((await post(`${app.url}/chat`, { room: "empty" })).status, 201);
  assert.equal((await post(`${app.url}/chat`, { room: "busy" })).status, 201);
  const ada = await sessionCookie(app.url);
  const page = await openRoom(app.url, "busy", ada);
  const joined = await post(
    `${app.url}/chat/busy/join`,
    { username: "ada" },
    ada,
  );
  assert.equal(joined.status, 201);
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
    // One more TTL with no request to it: only the open page can have kept it.
    await new Promise((r) => setTimeout(r, ttlMs));
    assert.equal(await state("busy"), 200);
    const lobby = await (await fetch(`${app.url}/chat`)).text();
    assert.ok(!lobby.includes('href="/chat/empty"'), "the lobby lists it");
    assert.ok(lobby.includes('href="/chat/busy"'));
    const again = await post(
      `${app.url}/chat/empty/join`,
      { username: "bob" },
      await sessionCookie(app.url),
    );
    assert.equal(again.status, 404);
    // The name is free again.
    assert.equal(
      (await post(`${app.url}/chat`, { room: "empty" })).status,
      201,
    );
    // Ada is still a member of the room she kept open.
    const sent = await post(`${app.url}/chat/busy/messages`, {
      text: "still here",
    }, ada);
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
  } finally {
    await page.close();
  }
});
