/**
 * Bad events arriving live, in Chromium: written straight into the app's KV
 * file (no validation on the way) while pages are open. Each island skips
 * them and keeps showing the good events that follow; no page error.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { browserTest, WAIT } from "../_support/browser.ts";
import { brokerOn, createRoom, nested } from "./_hostile_data.ts";

async function open(browser: Browser, url: string, errors: string[]) {
  const page = await (await browser.newContext()).newPage();
  page.on("pageerror", (err) => errors.push(`${url}: ${err.message}`));
  await page.goto(url);
  await page.locator('[data-status="open"]').first().waitFor(WAIT);
  return page;
}

browserTest(
  "bad live events leave every island alive",
  async ({ app, browser }) => {
    const broker = await brokerOn(app.kvPath);
    const errors: string[] = [];
    try {
      const logs = await open(browser, `${app.url}/logs`, errors);
      const flights = await open(browser, `${app.url}/flights`, errors);
      const home = await open(browser, `${app.url}/`, errors);
      const lobby = await open(browser, `${app.url}/chat`, errors);
      const seq = Number(
        await flights.locator("#flight-board").getAttribute("data-seq"),
      );
      const someFlight = await flights.locator("#flight-rows tr").first()
        .getAttribute("data-flight-id");

      await broker.publish("herald.logs", {
        event: "log:error",
        data: { entries: [{ time: 1e300, message: "far future", fields: {} }] },
      });
      await broker.publish("herald.logs", {
        event: "log:warn",
        data: { entries: [{ message: "deep", fields: { f: nested(2000) } }] },
      });
      await broker.publish("flights", {
        event: "flightStateUpdate",
        data: {
          seq: seq + 1,
          flight: { id: someFlight, flight: "XX 1", state: "exploded" },
        },
      });
      await broker.publish("notifications", {
        data: { message: { deep: nested(2000) } },
      });
      await broker.publish("chat-rooms", {
        event: "roomCreated",
        data: { name: { deep: nested(50) } },
      });

      // The good events after them.
      await broker.publish("herald.logs", {
        event: "log:info",
        data: {
          entries: [{ time: Date.now(), message: "GOOD-LOG", fields: {} }],
        },
      });
      const step = await fetch(`${app.url}/flights/step`, { method: "POST" });
      assert.equal(step.status, 201);
      await step.body?.cancel();
      await broker.publish("notifications", {
        data: { message: "GOOD-NOTE", kind: "info" },
      });
      await createRoom(app.url, "good-room");

      await logs.locator("[role=log] li", { hasText: "GOOD-LOG" }).waitFor(
        WAIT,
      );
      await flights.locator(`#flight-board[data-seq="${seq + 1}"]`).waitFor(
        WAIT,
      );
      assert.equal(
        await flights.locator('#flight-rows tr[data-state="exploded"]').count(),
        0,
      );
      await home.locator('[data-channel="notifications"] li', {
        hasText: "GOOD-NOTE",
      }).waitFor(WAIT);
      await lobby.locator('a[href="/chat/good-room"]').waitFor(WAIT);
      assert.deepEqual(errors, []);
      for (const page of [logs, flights, home, lobby] as Page[]) {
        await page.context().close();
      }
    } finally {
      await broker.close();
    }
  },
  {
    app: {
      env: { HERALD_FLIGHTS_SIMULATOR: "off", HERALD_FLIGHTS_STEP: "on" },
    },
  },
);
