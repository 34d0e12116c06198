/**
 * The /logs page in Chromium: Herald's own events arrive live, the level
 * filter hides and shows entries by level, Clear empties the view, and the
 * page fits a 375 px phone.
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { browserTest, WAIT } from "../_support/browser.ts";
import {
  assertNoHorizontalOverflow,
  eventually,
  PHONE_VIEWPORT,
} from "../_support/app.ts";

browserTest(
  "log stream page: live entries, level filter, clear",
  async ({ app, page }) => {
    await page.goto(app.url + "/logs");
    await page.locator('[data-status="open"]').first().waitFor(WAIT);

    // A publish is one of Herald's own events: it shows up live.
    const channel = `log-test-${crypto.randomUUID().slice(0, 6)}`;
    const res = await fetch(`${app.url}/api/channels/${channel}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ data: "hello" }),
    });
    await res.body?.cancel();
    assertEquals(res.status, 201);
    const published = page.locator('li[data-level="info"]', {
      hasText: `channel=${channel}`,
    });
    await published.waitFor(WAIT);
    await assertNoHorizontalOverflow(page);

    const rows = page.locator("[role=log] li");
    const infoRows = page.locator('[role=log] li[data-level="info"]');
    const total = await rows.count();
    const info = await infoRows.count();

    // Hiding warnings and errors leaves every info entry in view.
    await page.getByLabel("warn", { exact: true }).uncheck();
    await page.getByLabel("error", { exact: true }).uncheck();
    assertEquals(await rows.count(), info);
    assertEquals(await infoRows.count(), info);

    // Hiding info as well leaves nothing, and says so.
    await page.getByLabel("info", { exact: true }).uncheck();
    assertEquals(await rows.count(), 0);
    await page.getByText("No entries.").waitFor(WAIT);

    // All levels back: the same entries (or more, the log is live).
    for (const level of ["info", "warn", "error"]) {
      await page.getByLabel(level, { exact: true }).check();
    }
    await eventually(async () => (await rows.count()) >= total, "entries");
    assertEquals(await published.count(), 1);

    await page.getByRole("button", { name: "Clear" }).click();
    assertEquals(await published.count(), 0);
  },
  { context: { viewport: PHONE_VIEWPORT } },
);

browserTest(
  "log stream page: a full log (1,000 entries) still follows new ones",
  async ({ app, page }) => {
    const publish = async (channel: string) => {
      const res = await fetch(`${app.url}/api/channels/${channel}/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ data: "x" }),
      });
      await res.body?.cancel();
      assertEquals(res.status, 201);
    };
    await page.goto(app.url + "/logs");
    await page.locator('[data-status="open"]').first().waitFor(WAIT);
    const count = page.locator("[data-count]");
    // Each publish is one log entry: fill the page's 1,000.
    await eventually(
      async () => {
        await Promise.all(
          Array.from({ length: 50 }, (_, i) => publish(`fill-${i}`)),
        );
        return (await count.getAttribute("data-count")) === "1000";
      },
      "a full log",
      120_000,
    );

    const marker = `log-full-${crypto.randomUUID().slice(0, 6)}`;
    const row = page.locator("[role=log] li", {
      hasText: `channel=${marker}`,
    }).last();
    // The relay caps each flush (a storm is counted, not shown), and the
    // fill may still be flushing: publish the marker until one shows.
    await eventually(
      async () => {
        await publish(marker);
        await new Promise((r) => setTimeout(r, 700));
        return await row.isVisible();
      },
      "the marker entry",
      60_000,
    );
    // "Follow new entries" is on: the newest entry is scrolled into view.
    await eventually(async () => {
      const box = await page.locator("[role=log]").boundingBox();
      const last = await row.boundingBox();
      return Boolean(
        box && last && last.y >= box.y &&
          last.y + last.height <= box.y + box.height + 1,
      );
    }, "the newest entry in view");
  },
  {
    app: {
      env: {
        HERALD_PUBLISH_RATE_IP: "100000",
        HERALD_PUBLISH_BURST_IP: "100000",
        HERALD_PUBLISH_RATE: "100000",
        HERALD_PUBLISH_BURST: "100000",
      },
    },
  },
);
