/**
 * The page stream across tabs, in Chromium: ten tabs of one browser share ONE
 * `/api/events` connection (the leader tab's), every tab still gets every
 * event once, and when the leader tab closes another takes over, resuming
 * from the last event id with nothing lost and nothing twice. And nothing
 * is lost between the server render and the stream (`since`): an event
 * published before the page's stream opens shows once, and so does one
 * published between a new tab's render and its joining the live leader.
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { BrowserContext, Page, Request, Route } from "playwright-core";
import { browserTest, WAIT } from "../_support/browser.ts";
import { eventually, publishNotification } from "../_support/app.ts";
const TABS = 10;

async function openStreams(url: string): Promise<number> {
  const res = await fetch(`${url}/api/health`);
  return (await res.json()).streams;
}

/** The `/api/events` requests the context's pages make, as they happen. */
function eventStreams(context: BrowserContext): Request[] {
  const streams: Request[] = [];
  context.on("request", (req) => {
    if (new URL(req.url()).pathname === "/api/events") streams.push(req);
  });
  return streams;
}

/** The public feed's items containing `text`. */
function feedItems(page: Page, text: string) {
  return page.locator('[data-channel="notifications"] li', { hasText: text });
}

/** How many feed items of `page` contain `text`. */
function countItems(page: Page, text: string): Promise<number> {
  return feedItems(page, text).count();
}
/** Holds the matching requests of `page` until `release()`; `held` resolves at the first. */
async function holdRequests(page: Page, match: (url: URL) => boolean) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let seen!: () => void;
  const held = new Promise<void>((r) => (seen = r));
  await page.route((url) => match(url), async (route: Route) => {
    seen();
    await released;
    await route.continue().catch(() => {/* page closed meanwhile */});
  });
  return { held, release };
}

browserTest(
  "ten tabs share one event stream, and a new leader takes over",
  async ({ app, browser }) => {
    const context = await browser.newContext();
    const streams = eventStreams(context);
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

    await publishNotification(app.url, "To all tabs");
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
    await publishNotification(app.url, "After the handover");
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
  },
);

browserTest(
  "a page reached with the Back button is live again",
  async ({ app, page }) => {
    await page.goto(app.url + "/");
    await page.locator('[data-status="open"]').first().waitFor(WAIT);
    await page.goto(app.url + "/about"); // may keep "/" in the back/forward cache
    await page.goBack();
    await page.locator('[data-status="open"]').first().waitFor(WAIT);
    await publishNotification(app.url, "After going back");
    await page.locator("li", { hasText: "After going back" }).first()
      .waitFor(WAIT);
    assertEquals(await countItems(page, "After going back"), 1);
  },
);

browserTest(
  "an event published before the page's stream opens shows once",
  async ({ app, page }) => {
    const stream = await holdRequests(
      page,
      (u) => u.pathname === "/api/events",
    );
    await page.goto(app.url + "/");
    await stream.held; // rendered and hydrated; the stream is not open yet
    await publishNotification(app.url, "While the page loads");
    stream.release();
    await feedItems(page, "While the page loads").waitFor(WAIT);
    await page.locator('[data-status="open"]').first().waitFor(WAIT);
    // A later event is shown after it: by then a duplicate would be too.
    await publishNotification(app.url, "Once live");
    await feedItems(page, "Once live").waitFor(WAIT);
    assertEquals(await countItems(page, "While the page loads"), 1);
    assertEquals(await countItems(page, "Once live"), 1);
  },
);

browserTest(
  "a tab joining a live leader gets the event published since its render",
  async ({ app, browser }) => {
    const context = await browser.newContext();
    const streams = eventStreams(context);
    const leader = await context.newPage();
    await leader.goto(app.url + "/");
    await leader.locator('[data-status="open"]').first().waitFor(WAIT);

    const follower = await context.newPage();
    // Its islands (so its joining the leader) wait until after the publish.
    const scripts = await holdRequests(
      follower,
      (u) => u.pathname.startsWith("/_frsh/js/"),
    );
    await follower.goto(app.url + "/", { waitUntil: "commit" });
    await follower.locator('[data-channel="notifications"]').waitFor(WAIT);
    await scripts.held;
    await publishNotification(app.url, "Between render and join");
    await feedItems(leader, "Between render and join").waitFor(WAIT);
    scripts.release();
    await feedItems(follower, "Between render and join").waitFor(WAIT);
    await follower.locator('[data-status="open"]').first().waitFor(WAIT);

    await publishNotification(app.url, "After the join");
    for (const tab of [leader, follower]) {
      await feedItems(tab, "After the join").waitFor(WAIT);
      assertEquals(await countItems(tab, "Between render and join"), 1);
      assertEquals(await countItems(tab, "After the join"), 1);
    }
    assertEquals(streams.length, 1, "the follower used the leader's stream");
    await context.close();
  },
);
