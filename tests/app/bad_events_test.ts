/**
 * Bad stored events, written straight into the app's KV file as an attacker
 * with old data would (no validation on the way): every page still answers
 * 200, shows the good events beside them, and stays small.
 *
 * @module
 */
import assert from "node:assert/strict";
import { startApp } from "../_support/app.ts";
import { brokerOn, createRoom, nested } from "./_hostile_data.ts";
import type { Broker } from "../../lib/realtime/types.ts";

async function withBroker(kvPath: string, fn: (b: Broker) => Promise<void>) {
  const broker = await brokerOn(kvPath);
  try {
    await fn(broker);
  } finally {
    await broker.close();
  }
}

async function page(url: string) {
  const res = await fetch(url);
  return { status: res.status, html: await res.text() };
}

Deno.test("bad stored events never break a page", async (t) => {
  await using app = await startApp({
    env: { HERALD_FLIGHTS_SIMULATOR: "off" },
  });
  await createRoom(app.url, "lobby");

  await t.step("logs: a time of 1e300 and a field 2,000 deep", async () => {
    await withBroker(app.kvPath, async (broker) => {
      await broker.publish("herald.logs", {
        event: "log:error",
        data: { entries: [{ time: 1e300, message: "far future", fields: {} }] },
      });
      await broker.publish("herald.logs", {
        event: "log:warn",
        data: {
          entries: [{ time: 1, message: "deep", fields: { f: nested(2000) } }],
        },
      });
      await broker.publish("herald.logs", { event: "log:info", data: "junk" });
      await broker.publish("herald.logs", {
        event: "log:info",
        data: {
          entries: [{ time: Date.now(), message: "GOOD-LOG", fields: {} }],
        },
      });
    });
    const logs = await page(`${app.url}/logs`);
    assert.equal(logs.status, 200);
    assert.ok(logs.html.includes("GOOD-LOG"));
    assert.match(app.output(), /skipped a malformed log event/);
  });

  await t.step("notifications: fifty 60 KB messages keep / small", async () => {
    await withBroker(app.kvPath, async (broker) => {
      for (let i = 0; i < 50; i++) {
        await broker.publish("notifications", {
          data: { message: "x".repeat(60_000), sender: "y".repeat(3000) },
        });
      }
      await broker.publish("notifications", {
        data: { country: nested(2000) },
      });
      await broker.publish("notifications", {
        data: { message: "GOOD-NOTE", kind: "info" },
      });
    });
    const home = await page(`${app.url}/`);
    assert.equal(home.status, 200);
    assert.ok(home.html.includes("GOOD-NOTE"));
    assert.ok(
      home.html.length < 300_000,
      `/ is ${home.html.length} characters`,
    );
  });

  await t.step("chat: bad lines are skipped, good ones shown", async () => {
    await withBroker(app.kvPath, async (broker) => {
      await broker.publish("chat:lobby", {
        event: "message",
        data: { user: nested(2000), text: "deep user" },
      });
      await broker.publish("chat:lobby", {
        event: "message",
        data: { user: "ada", text: "z".repeat(60_000) },
      });
      await broker.publish("chat:lobby", {
        event: "message",
        data: { user: "ada", text: { deep: nested(2000) } },
      });
      await broker.publish("chat:lobby", {
        event: "message",
        data: { user: "ada", text: "GOOD-CHAT" },
      });
      await broker.publish("chat-rooms", {
        event: "roomCreated",
        data: { name: nested(2000) },
      });
    });
    const room = await page(`${app.url}/chat/lobby`);
    assert.equal(room.status, 200);
    assert.ok(room.html.includes("GOOD-CHAT"));
    assert.ok(!room.html.includes("z".repeat(2000)), "a 60 KB line is shown");
    const state = await fetch(`${app.url}/chat/lobby/state`);
    assert.equal(state.status, 200);
    const lines = (await state.json()).lines;
    assert.deepEqual(lines.map((l: { text: string }) => l.text), ["GOOD-CHAT"]);
    const lobby = await page(`${app.url}/chat`);
    assert.equal(lobby.status, 200);
    assert.ok(lobby.html.includes("lobby"));
  });

  await t.step("flights: an update with an unknown state", async () => {
    await withBroker(app.kvPath, async (broker) => {
      await broker.publish("flights", {
        event: "flightStateUpdate",
        data: { seq: 1e9, flight: { id: "X", state: "exploded" } },
      });
    });
    const flights = await page(`${app.url}/flights`);
    assert.equal(flights.status, 200);
    assert.ok(flights.html.includes("flight-rows"));
  });
});
