/**
 * `/admin` in Chromium across two Herald processes on one KV file: the
 * admin signs in with the form, sees both processes, and the charts move
 * while a publisher runs on one process and subscribers listen on the other;
 * the channel inspector shows a channel's last events and publishes a test
 * event.
 *
 * @module
 */
import assert from "node:assert/strict";
import { browserTest, WAIT } from "../_support/browser.ts";
import { eventually } from "../_support/app.ts";
import { SseReader } from "../_support/sse_parser.ts";
import { startServer } from "../_support/server.ts";
import { RELAXED_ACCESS_ENV } from "../_support/services.ts";

const ADMIN = "admin-browser-token-0123456789";
const ENV = {
  ...RELAXED_ACCESS_ENV,
  HERALD_ADMIN_TOKEN: ADMIN,
  HERALD_ADMIN_STATS_MS: "300",
  HERALD_FLIGHTS_SIMULATOR: "off",
};

browserTest(
  "the admin's charts change while a publisher runs across two processes",
  async ({ app, page }) => {
    // A second process on the same KV file.
    await using other = await startServer({
      entry: "main.ts",
      readyPath: "/about",
      env: {
        ...ENV,
        HERALD_BROKER: "kv",
        HERALD_KV_PATH: app.kvPath,
        HERALD_SESSION_SECRET: crypto.randomUUID(),
      },
    });
    await page.goto(`${app.url}/admin`);
    await page.getByLabel("Admin token").fill(ADMIN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator('[data-chart="streams"]').waitFor(WAIT);
    await page.locator('[data-processes="2"]').waitFor(WAIT);

    // Two subscribers on the other process, a publisher on this one.
    const channel = "admin-watch";
    const readers: SseReader[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${other.url}/api/channels/${channel}/events`);
      readers.push(new SseReader(res.body!));
    }
    const rates = page.locator(
      '[data-chart="rates"] polyline[data-series="out"]',
    );
    const before = await rates.getAttribute("points");
    let published = 0;
    let stop = false;
    const publisher = (async () => {
      // Bounded: at most 400 publishes, ~20 s.
      while (published < 400 && !stop) {
        const res = await fetch(`${app.url}/api/channels/${channel}/messages`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ data: { n: published } }),
        });
        await res.body?.cancel();
        published++;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      // The subscribers' process delivers: messages out climb above zero.
      await eventually(async () => {
        const text = await page.locator(
          '[data-chart="rates"] [data-latest="out"]',
        ).textContent();
        return Number.parseFloat(text ?? "0") > 0;
      }, "messages/s out above zero");
      await eventually(async () => {
        const text = await page.locator(
          '[data-chart="rates"] [data-latest="in"]',
        ).textContent();
        return Number.parseFloat(text ?? "0") > 0;
      }, "messages/s in above zero");
      assert.notEqual(await rates.getAttribute("points"), before);
      // The channel shows with its two subscribers, on one process.
      const row = page.locator(`tr[data-channel="${channel}"]`);
      await row.waitFor(WAIT);
      await eventually(
        async () => (await row.locator("td").nth(1).textContent()) === "2",
        "two subscribers",
      );
    } finally {
      stop = true;
      await publisher;
      for (const reader of readers) await reader.cancel();
    }

    // The inspector: last events of the channel, and a test publish.
    await page.getByRole("button", { name: channel }).click();
    await page.locator(`[data-channel-events="${channel}"] li`).first()
      .waitFor(WAIT);
    await page.getByRole("button", { name: "Publish a test event" }).click();
    await page.getByRole("status").filter({ hasText: "Published" })
      .waitFor(WAIT);
  },
  { app: { env: ENV } },
);
