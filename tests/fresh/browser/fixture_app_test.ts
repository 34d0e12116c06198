/**
 * The fixture app in Chromium, served as a separate process, both by the
 * dev server (`dev.ts`: bundles in memory, live reload) and after
 * `dev.ts build` by `main.ts` (preview: bundles from `_fresh/`).
 */
import assert from "node:assert/strict";
import type { Page, Response } from "playwright-core";
import { browserTest, WAIT } from "../../_support/browser.ts";
import { type RunningServer, startServer } from "../../_support/server.ts";
import { LIVE_RELOAD_SCRIPT_URL } from "../../../lib/fresh/src/build/live_reload.ts";
import { copyFixture, runDeno } from "../build/temp_app.ts";

interface Mode {
  name: "dev" | "preview";
  entry: string;
}
const MODES: Mode[] = [
  { name: "dev", entry: "dev.ts" },
  { name: "preview", entry: "main.ts" },
];

/** The `src` of every `<script>` in the HTML (inline ones as "inline"). */
function scripts(html: string): string[] {
  return [...html.matchAll(/<script\b([^>]*)>/g)].map(([, attrs]) =>
    attrs.match(/\bsrc="([^"]+)"/)?.[1] ?? "inline"
  );
}

/** Opens `path` and waits until the page's islands have hydrated. */
async function openHydrated(page: Page, url: string): Promise<Response[]> {
  const responses: Response[] = [];
  page.on("response", (r) => responses.push(r));
  await page.goto(url);
  await page.waitForLoadState("networkidle");
  return responses;
}

for (const mode of MODES) {
  browserTest(
    `browser (${mode.name}): the fixture app hydrates, shares signals, keeps slots, ships no JS where none is needed`,
    async ({ page, t }) => {
      await using app = await copyFixture();
      if (mode.name === "preview") {
        const build = await runDeno(app.root, "dev.ts", ["build"]);
        assert.equal(build.code, 0, build.output);
      }
      await using server: RunningServer = await startServer({
        entry: mode.entry,
        cwd: app.root,
        readyPath: "/about",
      });
      // The dev server bundles on the first request: twice the usual guard.
      page.setDefaultTimeout(2 * WAIT.timeout);
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      const responses = await openHydrated(page, server.url + "/");

      await t.step("an island hydrates and reacts to a click", async () => {
        await page.waitForFunction(() =>
          document.querySelector("#counter-value")?.textContent === "3"
        );
        await page.click("#inc");
        await page.waitForFunction(() =>
          document.querySelector("#counter-value")?.textContent === "4"
        );
      });

      await t.step("two islands share one signal", async () => {
        await page.click("#inc");
        await page.waitForFunction(() =>
          document.querySelector("#display")?.textContent === "Count is 5"
        );
        await page.click("#dec");
        await page.click("#dec");
        await page.waitForFunction(() =>
          document.querySelector("#display")?.textContent === "Count is 3"
        );
      });

      await t.step(
        "server-rendered children of an island survive hydration",
        async () => {
          assert.equal(
            await page.textContent("#slot-text"),
            "Server children stay.",
          );
          assert.equal(await page.textContent("#footer"), "server footer");
          // The island is live (its own state works) and the slot is still there.
          await page.click("#panel-toggle");
          await page.waitForFunction(() =>
            document.querySelector("#panel-toggle")?.textContent === "Show"
          );
          await page.click("#panel-toggle");
          await page.waitForFunction(() =>
            document.querySelector("#panel-toggle")?.textContent === "Hide"
          );
          assert.equal(
            await page.textContent("#slot-text"),
            "Server children stay.",
          );
          // A nested island inside the children is hydrated too.
          await page.click("#toggle");
          await page.waitForFunction(() =>
            document.querySelector("#toggle")?.textContent === "off"
          );
        },
      );

      await t.step(
        "island JS is served under the build-id path with immutable caching",
        async () => {
          const islandJs = responses.filter((r) =>
            /\/_frsh\/js\/[^/]+\/island-counter\.js$/.test(r.url())
          );
          assert.equal(
            islandJs.length,
            1,
            responses.map((r) => r.url()).join("\n"),
          );
          const res = islandJs[0];
          assert.equal(res.status(), 200);
          assert.equal(
            (await res.allHeaders())["cache-control"],
            "public, max-age=31536000, immutable",
          );
          assert.match(
            (await res.allHeaders())["content-type"],
            /javascript/,
          );
          const buildId = new URL(res.url()).pathname.split("/")[3];
          const runtime = responses.find((r) =>
            r.url().endsWith(`/_frsh/js/${buildId}/main.js`)
          );
          assert.ok(runtime, "runtime not loaded from the same build id");
          // Minified in preview, readable in dev.
          const body = await res.text();
          assert.equal(/\n\s{2}/.test(body), mode.name === "dev");
        },
      );

      await t.step(
        mode.name === "dev"
          ? "/about has no <script> but the live-reload one"
          : "/about has no <script>",
        async () => {
          const html = await (await fetch(server.url + "/about")).text();
          assert.deepEqual(
            scripts(html),
            mode.name === "dev" ? [LIVE_RELOAD_SCRIPT_URL] : [],
          );
          const home = await (await fetch(server.url + "/")).text();
          assert.ok(
            scripts(home).includes("inline"),
            "home has no boot script",
          );
        },
      );

      await t.step("the tailwind CSS is served and applies", async () => {
        const res = await fetch(server.url + "/styles.css");
        const css = await res.text();
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type")!, /^text\/css/);
        assert.ok(!css.includes('@import "tailwindcss"'), "raw input served");
        await page.goto(server.url + "/styled");
        const style = await page.$eval("#styled", (el) => {
          const s = getComputedStyle(el);
          return { padding: s.paddingTop, color: s.color };
        });
        assert.equal(style.padding, "16px");
        assert.notEqual(style.color, "rgb(0, 0, 0)");
      });

      assert.deepEqual(errors, []);
    },
    { app: false },
  );
}
