/**
 * The app's channels against forged API publishes, on the app as its own
 * process: chat, the room list, the log and the flight board are written
 * only by the app's routes (403 naming the rule); notifications from the API
 * are checked like the app's own form (length, kind, no forged sender).
 *
 * @module
 */
import assert from "node:assert/strict";
import { startApp } from "../_support/app.ts";
import { createRoom } from "./_hostile_data.ts";

async function publish(
  url: string,
  channel: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${url}/api/channels/${channel}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const json = await res.json().catch(() => null);
  return { status: res.status, body: json };
}

Deno.test("forged events on the app's channels are refused", async (t) => {
  await using app = await startApp();
  await createRoom(app.url, "lobby");

  const forged: [string, string, unknown][] = [
    ["a line from someone who never joined", "chat:lobby", {
      event: "message",
      data: { user: "ghost", text: "hi" },
    }],
    ["a forged join", "chat:lobby", {
      event: "join",
      data: { user: "mallory" },
    }],
    ["a forged leave", "chat:lobby", {
      event: "leave",
      data: { user: "ada", reason: "left" },
    }],
    ["a forged room", "chat-rooms", {
      event: "roomCreated",
      data: { name: "fake", createdAt: 1 },
    }],
    ["a forged log entry", "herald.logs", {
      event: "log:error",
      data: { entries: [{ time: 1, message: "DISK FULL", fields: {} }] },
    }],
    ["a forged pause", "flights", {
      event: "flightsPaused",
      data: { seq: 999, paused: true },
    }],
  ];
  for (const [what, channel, body] of forged) {
    await t.step(`${what} → 403`, async () => {
      const res = await publish(app.url, channel, body);
      assert.equal(res.status, 403, JSON.stringify(res.body));
      assert.equal(res.body?.error?.code, "app_owned_channel");
      assert.match(res.body.error.message, /app/);
    });
  }

  await t.step("the room shows none of it", async () => {
    const state = await (await fetch(`${app.url}/chat/lobby/state`)).json();
    assert.deepEqual(state.lines, []);
    assert.deepEqual(state.members, []);
    const rooms = await (await fetch(
      `${app.url}/api/channels/chat-rooms/messages`,
    )).json();
    assert.ok(
      rooms.events.every((e: { data: { name: string } }) =>
        e.data.name !== "fake"
      ),
    );
  });

  await t.step("a notification cannot name its sender", async () => {
    const res = await publish(app.url, "notifications", {
      data: { message: "hello", sender: "admin" },
    });
    assert.equal(res.status, 400);
    assert.equal(res.body?.error?.code, "invalid_notification");
    assert.match(res.body.error.message, /sender/);
  });

  await t.step("a notification is short", async () => {
    const res = await publish(app.url, "notifications", {
      data: { message: "x".repeat(60_000) },
    });
    assert.equal(res.status, 400);
    assert.equal(res.body?.error?.code, "invalid_notification");
  });

  await t.step(
    "a well-formed notification goes out, sender from the session",
    async () => {
      const page = await fetch(`${app.url}/about`);
      await page.body?.cancel();
      const cookie = page.headers.get("set-cookie")!.split(";")[0];
      const res = await publish(app.url, "notifications", {
        data: { message: "deploy done", kind: "success" },
      }, { cookie });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const history = await (await fetch(
        `${app.url}/api/channels/notifications/messages`,
      )).json();
      const event = history.events.at(-1);
      assert.equal(event.data.message, "deploy done");
      assert.equal(event.data.kind, "success");
      assert.equal(typeof event.data.sender, "string");
      assert.notEqual(event.data.sender, "admin");
    },
  );

  await t.step("other channels stay open to API publishers", async () => {
    const res = await publish(app.url, "news", { data: { anything: [1] } });
    assert.equal(res.status, 201);
  });
});
