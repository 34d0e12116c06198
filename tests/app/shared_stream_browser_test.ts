/**
 * Eight tabs of mixed pages in one browser, in production (`deno task preview`
 * serving the build) and in dev (`deno task start`): every tab loads and stays
 * live, because the whole origin holds ONE event stream. HTTP/1.1 gives a host
 * six connections: a seventh stream of its own (a clock's, a page's) would leave
 * the next tab hanging until one ended.
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

/** Long enough that no clock ends during the test, even on a loaded machine. */
const CLOCK = "/clock?duration=600";
const PAGES = [
  "/",
  CLOCK,
  CLOCK,
  CLOCK,
  "/chat",
  "/flights",
  "/logs",
  "/about",
];

async function openStreamsOnServer(url: string): Promise<number> {
  const res = await fetch(`${url}/api/health`);
  return (await res.json()).streams;
}

/** Resolves once the clock of `tab` shows a time other than the one it shows now. */
async function ticks(tab: Page): Promise<void> {
  const time = tab.locator("[role=timer] time");
  const before = await time.getAttribute("datetime");
  await eventually(
    async () => (await time.getAttribute("datetime")) !== before,
    `the clock of ${tab.url()} to tick`,
  );
}

async function eightTabs(
  { app, browser }: AppBrowserTestContext,
  timeout: number,
) {
  const context = await browser.newContext();
  context.setDefaultTimeout(timeout);
  const streams = openEventStreams(context);
  const tabs: Page[] = [];
  // One after another, as a person opens tabs: a tab whose document waits
  // for a free connection times out here.
  for (const path of PAGES) {
    const tab = await context.newPage();
    await tab.goto(app.url + path, { timeout }).catch((err) => {
      throw new Error(
        `tab ${
          tabs.length + 1
        } (${path}) did not load with these event streams open: ${
          streams.open().join(", ")
        }`,
        { cause: err },
      );
    });
    tabs.push(tab);
  }
  const live = (path: string) =>
    tabs.filter((_, i) => PAGES[i] === path || PAGES[i].startsWith(path + "?"));

  for (const path of ["/", "/chat", "/flights", "/logs"]) {
    for (const tab of live(path)) {
      await tab.locator('[data-status="open"]').first().waitFor({ timeout });
    }
  }
  for (const tab of live("/clock")) {
    await tab.getByText(/Ends in \d+ s/).waitFor({ timeout });
  }
  await tabs[PAGES.indexOf("/about")].getByRole("heading").first().waitFor(
    WAIT,
  );

  await eventually(
    () => streams.open().length === 1,
    `one open event stream for eight tabs, not ${streams.open().join(", ")}`,
    timeout,
  );
  assertEquals(streams.open(), ["/api/events"]);
  assertEquals(
    streams.all.filter((r) => new URL(r.url()).pathname !== "/api/events")
      .map((r) => new URL(r.url()).pathname),
    [],
    "no page opened a stream of its own",
  );
  await eventually(
    async () => (await openStreamsOnServer(app.url)) === 1,
    "the server to hold one stream",
    timeout,
  );

  // Live: a notification reaches the notifications tab, every clock ticks.
  await publishNotification(app.url, "Eight tabs, one stream");
  await live("/")[0].locator("li", { hasText: "Eight tabs, one stream" })
    .first().waitFor({ timeout });
  for (const tab of live("/clock")) await ticks(tab);
  // A ninth tab still loads and goes live.
  const ninth = await context.newPage();
  await ninth.goto(app.url + "/", { timeout });
  await ninth.locator('[data-status="open"]').first().waitFor({ timeout });
  assertEquals(streams.open(), ["/api/events"]);
  await context.close();
}

browserTest(
  "production: eight tabs of mixed pages share one event stream and stay live",
  (ctx) => eightTabs(ctx, WAIT.timeout),
);

browserTest(
  "dev server: eight tabs of mixed pages share one event stream and stay live",
  // The dev server bundles each island on its first request: twice the guard.
  (ctx) => eightTabs(ctx, 2 * WAIT.timeout),
  { app: { entry: "dev.ts" } },
);
