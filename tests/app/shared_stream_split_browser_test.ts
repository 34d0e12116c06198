/**
 * More channels than one stream may carry (`HERALD_MAX_CHANNELS_PER_STREAM`,
 * 32): twenty chat room tabs (the room and its presence channel each) and the
 * notifications page in one browser, 42 channels. The leader tab spreads them
 * over the fewest connections within the cap, each room whole on one, so every
 * tab stays live; one refused stream for all would leave every tab offline.
 * In production and on the dev server; and the page takes the cap from the
 * server's config (at 4, three rooms and `/` take two streams).
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  type AppBrowserTestContext,
  browserTest,
  WAIT,
} from "../_support/browser.ts";
import { eventually, publishNotification } from "../_support/app.ts";
import { openEventStreams } from "./_event_streams.ts";
import { join } from "./_chat_pages.ts";

const ROOMS = 20;
/** 20 rooms × 2 channels + the notifications page's 1–2: over 32, within 64. */
const PACKED_MINIMUM = 2;

async function createRoom(url: string, room: string): Promise<void> {
  const res = await fetch(`${url}/chat`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ room }),
  });
  await res.body?.cancel();
  if (res.status !== 201) throw new Error(`create ${room}: HTTP ${res.status}`);
}

/** Joins the room of `tab` and sends `text`; resolves once it came back over the stream. */
async function say(tab: Page, name: string, text: string): Promise<void> {
  await join(tab, name);
  // Sending while the join is pending is ignored: wait for the Send button.
  await tab.locator('button:has-text("Send"):enabled').waitFor();
  await tab.fill("#chat-text", text);
  await tab.press("#chat-text", "Enter");
  await tab.locator('#chat-log li[data-event="message"]', { hasText: text })
    .waitFor();
}

async function twentyRooms(
  { app, browser }: AppBrowserTestContext,
  timeout: number,
) {
  const wait = { timeout };
  const prefix = `split-${crypto.randomUUID().slice(0, 6)}`;
  const rooms = Array.from({ length: ROOMS }, (_, i) => `${prefix}-${i}`);
  for (const room of rooms) await createRoom(app.url, room);

  const context = await browser.newContext();
  context.setDefaultTimeout(timeout);
  const streams = openEventStreams(context);
  const home = await context.newPage();
  await home.goto(app.url + "/");
  const tabs: Page[] = [];
  for (const room of rooms) {
    const tab = await context.newPage();
    await tab.goto(`${app.url}/chat/${room}`);
    tabs.push(tab);
  }
  for (const tab of [home, ...tabs]) {
    await tab.locator('[data-status="open"]').first().waitFor(wait);
  }
  await eventually(
    () => streams.open().length === PACKED_MINIMUM,
    `${PACKED_MINIMUM} open event streams, not ${streams.open().length}`,
    timeout,
  );
  assertEquals(streams.open(), Array(PACKED_MINIMUM).fill("/api/events"));

  // Live: the first and the last room, and the notifications page.
  await say(tabs[0], "First", "hello first room");
  await say(tabs[ROOMS - 1], "Last", "hello last room");
  await publishNotification(app.url, "Forty channels, two streams");
  await home.locator("li", { hasText: "Forty channels, two streams" })
    .first().waitFor(wait);
  for (const tab of [home, ...tabs]) {
    assertEquals(
      await tab.locator("[data-status]").first().getAttribute("data-status"),
      "open",
    );
  }
  assertEquals(streams.open().length, PACKED_MINIMUM);
  await context.close();
}

const env = { HERALD_ROOM_CREATE_BURST: String(ROOMS + 5) };

browserTest(
  "production: twenty chat rooms and the notifications page, every tab live over the fewest streams within the cap",
  (ctx) => twentyRooms(ctx, WAIT.timeout),
  { app: { env } },
);

browserTest(
  "dev server: twenty chat rooms and the notifications page, every tab live over the fewest streams within the cap",
  // The dev server bundles each island on its first request: twice the guard.
  (ctx) => twentyRooms(ctx, 2 * WAIT.timeout),
  { app: { entry: "dev.ts", env } },
);

browserTest(
  "the page learns the server's cap: at 4 channels per stream, three rooms and / take two streams, all live",
  async ({ app, browser }) => {
    const prefix = `cap-${crypto.randomUUID().slice(0, 6)}`;
    const rooms = [0, 1, 2].map((i) => `${prefix}-${i}`);
    for (const room of rooms) await createRoom(app.url, room);
    const context = await browser.newContext();
    context.setDefaultTimeout(WAIT.timeout);
    const streams = openEventStreams(context);
    const home = await context.newPage();
    await home.goto(app.url + "/");
    assertEquals(
      await home.locator('meta[name="herald:max-channels-per-stream"]')
        .getAttribute("content"),
      "4",
    );
    const tabs: Page[] = [];
    for (const room of rooms) {
      const tab = await context.newPage();
      await tab.goto(`${app.url}/chat/${room}`);
      tabs.push(tab);
    }
    for (const tab of [home, ...tabs]) {
      await tab.locator('[data-status="open"]').first().waitFor(WAIT);
    }
    // Three rooms of 2 and the notifications page's 2 channels: 8, two full streams.
    await eventually(
      () => streams.open().length === 2,
      `two open event streams, not ${streams.open().length}`,
    );
    await say(tabs[2], "Third", "hello third room");
    await publishNotification(app.url, "Four channels a stream");
    await home.locator("li", { hasText: "Four channels a stream" }).first()
      .waitFor(WAIT);
    await context.close();
  },
  { app: { env: { HERALD_MAX_CHANNELS_PER_STREAM: "4" } } },
);
