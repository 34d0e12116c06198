/**
 * The app shell in Chromium: navigation marks the current page, the skip
 * link is the first stop of the keyboard and moves focus to the content,
 * /about ships no JavaScript, unknown addresses get the 404 page, every page
 * has an icon, the connection badge fits its word, and the shell's pages fit a
 * 375 px phone.
 *
 * @module
 */
import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { browserTest } from "../_support/browser.ts";
import { assertNoHorizontalOverflow, PHONE_VIEWPORT } from "../_support/app.ts";

browserTest(
  "app shell: navigation, skip link, /about without scripts, 404",
  async ({ app, page, t }) => {
    await t.step("/about ships no script at all", async () => {
      const res = await fetch(`${app.url}/about`);
      const html = await res.text();
      assertEquals(res.status, 200);
      assert(html.includes("About Herald"));
      assert(!/<script/i.test(html), "no <script> in /about");
      assert(!html.includes("modulepreload"), "no preloaded modules");
    });

    await t.step("an unknown address answers the 404 page", async () => {
      const res = await fetch(`${app.url}/no/such/page`);
      assertEquals(res.status, 404);
      const html = await res.text();
      assert(html.includes("Page not found"));
      assert(html.includes('aria-label="Main"'), "inside the layout");
    });

    await t.step("the current page is marked in the navigation", async () => {
      for (
        const [path, label] of [
          ["/", "Notifications"],
          ["/logs", "Logs"],
          ["/clock", "Clock"],
          ["/about", "About"],
        ]
      ) {
        await page.goto(app.url + path);
        const current = page.locator('nav[aria-label="Main"] [aria-current]');
        assertEquals(await current.count(), 1, `one current link on ${path}`);
        assertEquals(await current.innerText(), label);
        assertEquals(await current.getAttribute("aria-current"), "page");
        await assertNoHorizontalOverflow(page);
      }
    });

    await t.step(
      "the skip link comes first and jumps to the content",
      async () => {
        await page.goto(app.url + "/about");
        await page.keyboard.press("Tab");
        const first = await page.evaluate(() => ({
          text: document.activeElement?.textContent,
          href: document.activeElement?.getAttribute("href"),
          visible: (document.activeElement as HTMLElement).offsetWidth > 1,
        }));
        assertEquals(first, {
          text: "Skip to content",
          href: "#main",
          visible: true,
        });
        await page.keyboard.press("Enter");
        assertEquals(
          await page.evaluate(() => document.activeElement?.id),
          "main",
        );
      },
    );

    await t.step("every page has an icon: no /favicon.ico 404", async () => {
      for (const path of ["/", "/about", "/no/such/page"]) {
        await page.goto(app.url + path);
        const href = await page.locator('link[rel="icon"]').getAttribute(
          "href",
        );
        for (const icon of [href!, "/favicon.ico"]) {
          const res = await page.request.get(new URL(icon, page.url()).href);
          assertEquals(res.status(), 200, `${icon} from ${path}`);
          assert(res.headers()["content-type"].startsWith("image/"), icon);
        }
      }
    });

    await t.step("the Live badge is as wide as its word", async () => {
      await page.goto(app.url + "/");
      const badge = page.locator('[data-status="open"]');
      await badge.waitFor();
      const { badge: width, word } = await badge.evaluate((el) => {
        const text = el.children[1]; // the word (its sr-only prefix takes no room)
        return {
          badge: el.getBoundingClientRect().width,
          word: text.getBoundingClientRect().width,
        };
      });
      // Padding 2 × 12, the dot 8 and its gap 8, borders 2: 42 px beside the word.
      assert(
        width - word <= 46,
        `a ${width} px badge around a ${word} px word`,
      );
    });

    await t.step("the 404 page fits a phone", async () => {
      await page.goto(
        app.url + "/" + "a-very-long-missing-address".repeat(6),
      );
      await page.getByText("Page not found").waitFor();
      await assertNoHorizontalOverflow(page);
    });
  },
  { context: { viewport: PHONE_VIEWPORT } },
);
