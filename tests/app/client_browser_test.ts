/**
 * The page stream across tabs, in Chromium: ten tabs of one browser share ONE
 * `/api/events` connection (the leader tab's), every tab still gets every
 * event once, and when the leader tab closes another takes over, resuming
 * from the last event id with nothing lost and nothing twice.
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { Page, Request } from "playwright-core";
import { launchChromium, requireChromium } from "../_support/chromium.ts";
import { eventually, startApp } from "../_support/app.ts";

const chromium = requireChromium();
const WAIT = { timeout: 15_000 };
const TABS = 10;

async function openStreams(url: string): Promise<number> {
  const res = await fetch(`${url}/api/health`);
  return (await res.json()).streams;
}

async function publish(url: string, message: string): Promise<void> {
  const res = await fetch(`${url}/api/channels/notifications/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ data: { message, kind: "info" } }),
  });
  await res.body?.cancel();
  if (res.status !== 201) throw new Error(`publish: HTTP ${res.status}`);
}

/** How many feed items of `page` contain `text`. */
function countItems(page: Page, text: string): Promise<number> {
  return page.locator('[data-channel="notifications"] li', { hasText: text })
    .count();
}

Deno.test({
  name: "ten tabs share one event stream, and a new leader takes over",
  ignore: !chromium,
  fn: async () => {
    await using app = await startApp();
    const browser = await launchChromium();
    try {
      const context = await browser.newContext();
      const streams: Request[] = [];
      context.on("request", (req) => {
        if (new URL(req.url()).pathname === "/api/events") streams.push(req);
      });
      const tabs: Page[] = [];
      for (let i = 0; i < TABS; i++) {
        const page = await context.newPage();
        await page.goto(app.url + "/");
        tabs.push(page);
      }
      for (const tab of tabs) {
        await tab.locator('[data-status="open"]').first().waitFor(WAIT);
      }
      assertEquals(streams.length, 1, "one /api/events request for ten tabs");
      assertEquals(await openStreams(app.url), 1);

      await publish(app.url, "To all tabs");
      for (const tab of tabs) {
        await tab.locator("li", { hasText: "To all tabs" }).first().waitFor(
          WAIT,
        );
      }

      // The leader is the tab whose request opened the stream; close it.
      const leader = streams[0].frame().page();
      const others = tabs.filter((t) => t !== leader);
      await leader.close();
      await eventually(() => streams.length === 2, "a new leader's stream");
      // The new stream resumes after the last event the tabs saw.
      assertEquals(
        new URL(streams[1].url()).searchParams.get("lastEventId") !== null ||
          streams[1].headers()["last-event-id"] !== undefined,
        true,
      );
      await publish(app.url, "After the handover");
      for (const tab of others) {
        await tab.locator("li", { hasText: "After the handover" }).first()
          .waitFor(WAIT);
      }
      for (const tab of others) {
        assertEquals(await countItems(tab, "To all tabs"), 1);
        assertEquals(await countItems(tab, "After the handover"), 1);
      }
      await eventually(
        async () => (await openStreams(app.url)) === 1,
        "the old leader's stream to close",
      );
      assertEquals(streams.length, 2);
      await context.close();
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name: "a page reached with the Back button is live again",
  ignore: !chromium,
  fn: async () => {
    await using app = await startApp();
    const browser = await launchChromium();
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(app.url + "/");
      await page.locator('[data-status="open"]').first().waitFor(WAIT);
      await page.goto(app.url + "/about"); // may keep "/" in the back/forward cache
      await page.goBack();
      await page.locator('[data-status="open"]').first().waitFor(WAIT);
      await publish(app.url, "After going back");
      await page.locator("li", { hasText: "After going back" }).first()
        .waitFor(WAIT);
      assertEquals(await countItems(page, "After going back"), 1);
      await context.close();
    } finally {
      await browser.close();
    }
  },
});
