/**
 * The notifications page in Chromium, against the app running as its own
 * process (Deno KV broker in a temp file): live delivery between two
 * visitors, the private feed, toasts, the form without JavaScript, a server
 * restart in the middle of a conversation, and a 375 px phone layout.
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { browserTest, WAIT } from "../_support/browser.ts";
import {
  assertNoHorizontalOverflow,
  eventually,
  PHONE_VIEWPORT,
} from "../_support/app.ts";
import { brokerFromEnv } from "../../lib/realtime/brokers/create.ts";
import { TOAST_MS } from "../../islands/NotificationToasts.tsx";

const publicItems = (page: Page) =>
  page.locator('[data-channel="notifications"] li').allInnerTexts();

async function openLive(browser: Browser, url: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url + "/");
  await page.locator('[data-status="open"]').first().waitFor(WAIT);
  return page;
}

async function publish(page: Page, message: string, opts: {
  kind?: string;
  to?: string;
} = {}) {
  await page.fill("#publish-message", message);
  if (opts.kind) await page.selectOption("#publish-kind", opts.kind);
  if (opts.to) await page.selectOption("#publish-to", opts.to);
  await page.click('#publish button[type="submit"]');
}

browserTest(
  "notifications page in Chromium",
  async ({ app, browser, t }) => {
    await t.step(
      "on a 375 px phone empty feeds stay small: 'Only you' is within reach",
      async () => {
        const context = await browser.newContext({ viewport: PHONE_VIEWPORT });
        const page = await context.newPage();
        await page.goto(app.url + "/");
        const own = page.locator("[data-user-id]");
        await own.getByText("Nothing for you yet").waitFor(WAIT);
        // The whole section, down to its empty text, one short scroll away
        // (two empty 24rem boxes put its end at two screens).
        const bottom = await own.evaluate((el) =>
          el.closest("section")!.getBoundingClientRect().bottom +
          globalThis.scrollY
        );
        assertEquals(
          bottom < 1.25 * PHONE_VIEWPORT.height,
          true,
          `'Only you' ends ${bottom} px down a ${PHONE_VIEWPORT.height} px screen`,
        );
        await context.close();
      },
    );

    await t.step("a post in one page appears live in another", async () => {
      const alice = await openLive(browser, app.url);
      const bob = await openLive(browser, app.url);
      // What sits below the feed must not move when an item arrives.
      const below = bob.locator("[data-user-id]");
      const before = await below.boundingBox();
      await publish(alice, "Deploy finished", { kind: "success" });
      const item = bob.locator('[data-channel="notifications"] li', {
        hasText: "Deploy finished",
      });
      await item.waitFor(WAIT);
      assertEquals(await below.boundingBox(), before, "no layout jump");
      assertEquals(await item.getAttribute("data-kind"), "success");
      // The island reset the form once the post succeeded.
      await eventually(
        async () => (await alice.inputValue("#publish-message")) === "",
        "the form to reset",
      );
      await alice.context().close();
      await bob.context().close();
    });

    await t.step(
      "an API error shows inline, nothing is published",
      async () => {
        const page = await openLive(browser, app.url);
        const before = (await publicItems(page)).length;
        await publish(page, "   "); // passes `required`, fails the server's check
        await page.locator("#publish-error", { hasText: "Write a message" })
          .waitFor(WAIT);
        assertEquals(
          await page.getAttribute("#publish-message", "aria-invalid"),
          "true",
        );
        assertEquals((await publicItems(page)).length, before);
        await page.context().close();
      },
    );

    await t.step("the private feed is the visitor's own", async () => {
      const alice = await openLive(browser, app.url);
      const bob = await openLive(browser, app.url);
      const feed = alice.locator("[data-user-id]");
      const userId = await feed.getAttribute("data-user-id");
      assertEquals(await feed.getAttribute("data-channel"), `user:${userId}`);
      await publish(alice, "Only for Alice", { to: "me" });
      await feed.locator("li", { hasText: "Only for Alice" }).waitFor(WAIT)
        .catch(async (err) => {
          console.error(
            "DEBUG form:",
            await alice.locator("#publish").innerText(),
          );
          console.error("DEBUG feed:", await feed.innerText());
          throw err;
        });
      // Bob gets a later public one, so he has been live all along.
      await publish(alice, "For everyone");
      await bob.locator("li", { hasText: "For everyone" }).first().waitFor(
        WAIT,
      );
      assertEquals(
        await bob.locator("li", { hasText: "Only for Alice" }).count(),
        0,
      );
      await alice.context().close();
      await bob.context().close();
    });

    await t.step(
      "toasts close with their button and by themselves",
      async () => {
        const alice = await openLive(browser, app.url);
        const bob = await openLive(browser, app.url);
        await publish(alice, "Toast one");
        const one = bob.locator('[role="status"][data-toast]', {
          hasText: "Toast one",
        });
        await one.waitFor(WAIT);
        await one.getByRole("button", { name: "Dismiss notification" })
          .click();
        await one.waitFor({ state: "detached", ...WAIT });
        // Off the toasts: one arriving under a resting pointer stays (hovered).
        await bob.mouse.move(1, 1);
        await publish(alice, "Toast two", { kind: "warning" });
        const two = bob.locator("[data-toast]", { hasText: "Toast two" });
        await two.waitFor(WAIT);
        assertEquals(await two.getAttribute("data-toast"), "warning");
        await two.waitFor({ state: "detached", ...WAIT });
        await alice.context().close();
        await bob.context().close();
      },
    );

    await t.step("an error toast is an alert, the others status", async () => {
      const alice = await openLive(browser, app.url);
      const bob = await openLive(browser, app.url);
      await publish(alice, "Disk full", { kind: "error" });
      const error = bob.locator("[data-toast]", { hasText: "Disk full" });
      await error.waitFor(WAIT);
      assertEquals(await error.getAttribute("role"), "alert");
      assertEquals(
        (await bob.getByRole("alert").innerText()).includes("Disk full"),
        true,
      );
      await publish(alice, "Disk cleaned", { kind: "success" });
      const info = bob.locator("[data-toast]", { hasText: "Disk cleaned" });
      await info.waitFor(WAIT);
      assertEquals(await info.getAttribute("role"), "status");
      await alice.context().close();
      await bob.context().close();
    });

    await t.step(
      "a toast stays while pointed at or focused, and closes after",
      async () => {
        const alice = await openLive(browser, app.url);
        const context = await browser.newContext();
        const bob = await context.newPage();
        // Bob's timers run on a clock the test stops and moves: no sleeping
        // through 5 s, and no toast closing before the pointer gets to it.
        await bob.clock.install();
        await bob.goto(app.url + "/");
        await bob.locator('[data-status="open"]').first().waitFor(WAIT);
        await bob.clock.pauseAt(await bob.evaluate(() => Date.now() + 1000));
        const past = 3 * TOAST_MS;

        await publish(alice, "Hover me");
        const hovered = bob.locator("[data-toast]", { hasText: "Hover me" });
        await hovered.hover();
        await bob.clock.fastForward(past);
        assertEquals(await hovered.isVisible(), true, "open while hovered");
        await bob.mouse.move(1, 1);
        await bob.clock.fastForward(past);
        await hovered.waitFor({ state: "detached", ...WAIT });

        await publish(alice, "Focus me");
        const focused = bob.locator("[data-toast]", { hasText: "Focus me" });
        await focused.getByRole("button", { name: "Dismiss notification" })
          .focus();
        await bob.clock.fastForward(past);
        assertEquals(await focused.isVisible(), true, "open while focused");
        await bob.locator("#publish-message").focus();
        await bob.clock.fastForward(past);
        await focused.waitFor({ state: "detached", ...WAIT });
        await alice.context().close();
        await context.close();
      },
    );

    await t.step(
      "on a 375 px phone one toast shows, with a count, off the Publish button",
      async () => {
        const context = await browser.newContext({ viewport: PHONE_VIEWPORT });
        const page = await context.newPage();
        await page.goto(app.url + "/");
        await page.locator('[data-status="open"]').first().waitFor(WAIT);
        for (const n of [1, 2, 3]) {
          await publish(page, `Phone toast ${n} `.repeat(12));
          await page.locator("[data-toast]", { hasText: `Phone toast ${n}` })
            .waitFor(WAIT);
        }
        const visible = page.locator("[data-toast]:visible");
        assertEquals(await visible.count(), 1, "one toast visible");
        assertEquals(
          await visible.innerText().then((t) => t.includes("3")),
          true,
        );
        assertEquals(
          await page.locator("[data-toast-more]").innerText(),
          "+2 more",
        );
        const button = await page.locator('#publish button[type="submit"]')
          .boundingBox();
        const toast = await visible.boundingBox();
        const overlap = button && toast &&
          toast.x < button.x + button.width &&
          button.x < toast.x + toast.width &&
          toast.y < button.y + button.height &&
          button.y < toast.y + toast.height;
        assertEquals(
          overlap,
          false,
          `toast ${JSON.stringify(toast)} over button ${
            JSON.stringify(button)
          }`,
        );
        assertEquals(
          (toast?.height ?? 0) <= 80,
          true,
          `a compact toast: ${toast?.height} px`,
        );
        await context.close();
      },
    );

    await t.step("the form works without JavaScript", async () => {
      const context = await browser.newContext({ javaScriptEnabled: false });
      const page = await context.newPage();
      await page.goto(app.url + "/");
      await page.fill("#publish-message", "Posted without JS");
      await page.selectOption("#publish-kind", "error");
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === "POST"),
        page.click('#publish button[type="submit"]'),
      ]);
      assertEquals(response.status(), 303);
      await page.waitForLoadState();
      const item = page.locator('[data-channel="notifications"] li').first();
      assertEquals(
        (await item.innerText()).includes("Posted without JS"),
        true,
      );
      assertEquals(await item.getAttribute("data-kind"), "error");
      await page.locator("text=Published.").waitFor(WAIT);
      // And an invalid one comes back with the error beside the form.
      await page.fill("#publish-message", "  ");
      await page.click('#publish button[type="submit"]');
      await page.waitForLoadState();
      await page.locator("#publish-error", { hasText: "Write a message" })
        .waitFor(WAIT);
      await context.close();
    });

    await t.step("nothing overflows sideways on a 375 px phone", async () => {
      const context = await browser.newContext({ viewport: PHONE_VIEWPORT });
      const page = await context.newPage();
      await page.goto(app.url + "/");
      await page.locator('[data-status="open"]').first().waitFor(WAIT);
      await publish(page, "A long message ".repeat(20) + "x".repeat(120));
      await page.locator("[data-toast]").first().waitFor(WAIT);
      await assertNoHorizontalOverflow(page);
      await context.close();
    });

    await t.step(
      "after a server restart the feed resumes: none missing, none twice",
      async () => {
        const watcher = await openLive(browser, app.url);
        const poster = await openLive(browser, app.url);
        await publish(poster, "R before");
        await watcher.locator("li", { hasText: "R before" }).waitFor(WAIT);

        await app.stopServer();
        await watcher.locator('[data-status="reconnecting"]').waitFor(WAIT);
        // Published while the server is down, straight into its KV file.
        const broker = await brokerFromEnv({
          HERALD_BROKER: "kv",
          HERALD_KV_PATH: app.kvPath,
        });
        try {
          await broker.publish("notifications", {
            data: { message: "R during", kind: "info" },
          });
        } finally {
          await broker.close();
        }
        await app.restart();

        // Past the reconnect backoff that grew while the server was down.
        const reconnect = { timeout: 3 * WAIT.timeout };
        await watcher.locator('[data-status="open"]').waitFor(reconnect);
        await poster.locator('[data-status="open"]').waitFor(reconnect);
        await publish(poster, "R after");
        await watcher.locator("li", { hasText: "R after" }).waitFor(WAIT);
        const seen = (await publicItems(watcher))
          .map((text) => text.match(/R (before|during|after)/)?.[0])
          .filter(Boolean);
        assertEquals(seen, ["R after", "R during", "R before"]);
        await watcher.context().close();
        await poster.context().close();
      },
    );
  },
);

browserTest(
  "a resume past the retained history reloads the feed (gap)",
  async ({ app, browser }) => {
    const watcher = await openLive(browser, app.url);
    await publish(watcher, "G0");
    await watcher.locator("li", { hasText: "G0" }).first().waitFor(WAIT);
    await app.stopServer();
    const broker = await brokerFromEnv({
      HERALD_BROKER: "kv",
      HERALD_KV_PATH: app.kvPath,
      HERALD_HISTORY_LIMIT: "3",
    });
    try {
      for (let i = 1; i <= 5; i++) {
        await broker.publish("notifications", { data: { message: `G${i}` } });
      }
    } finally {
      await broker.close();
    }
    await app.restart();
    // The island reloads the retained history: the three newest, once each.
    await eventually(
      async () => {
        const seen = (await publicItems(watcher))
          .map((text) => text.match(/G\d/)?.[0]);
        return seen.join() === "G5,G4,G3";
      },
      "the feed to show the retained history",
      3 * WAIT.timeout,
    );
    await watcher.context().close();
  },
  // History keeps 3 events per channel, so a client 5 behind has a gap.
  { app: { env: { HERALD_HISTORY_LIMIT: "3" } } },
);
